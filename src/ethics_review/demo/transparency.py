"""AI use, made visible: the content inventory, the register of AI systems, the privacy notices.

The inventory lists every creative of every campaign (text variants, images, videos), the shop's chatbots and
an editorial text on a matter of public interest. Planted problems, one or more per transparency check, judged as
docs/checks.md v2 says (AI Act Art 50 binds what is in use on or after 2 August 2026, whatever its creation date):
- `ai_disclosure`: three AI images published without a visible label; three AI videos that resemble a real chef
  (deepfakes, AI Act Art 3(60)) without a label: one of the Christmas ads (published after 2 August 2026), one of
  the summer sales (published in June 2026 and still in use: a failure although it predates the rule) and one of
  the Mother's Day email, withdrawn in July 2026 (before the rule: a warning only);
- `human_review`: one AI-written SMS published with no review, another reviewed only after it went out;
- `machine_marking`: one AI image of the back-to-school ads without a machine-readable marking;
- `chatbot_disclosure`: a WhatsApp assistant, launched in March 2026 and still in service, that never says it is
  an AI (a failure whatever its launch date; it is not flagged as AI-generated in the inventory, so the
  ai_disclosure counts are those of the images and videos);
- `register`: the segmentation entry full of placeholders, with a bias audit 15 months old;
- `automated_decisions`: dynamic pricing, fully automated with a significant effect, with no Art 22(2) exception
  and no explanation; product recommendations, fully automated, whose significant_effect nobody decided (a
  warning: the kit never assumes it);
- `ai_literacy`: the content generator's users last trained 13 months before the review;
- `notice_coverage`: the French notice never mentions SMS, although SMS campaigns are sent (the kit cannot find
  it: a warning to check by reading);
- `notice_readability`: a cookie notice in HTML written in 40-word sentences.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .campaigns import CAMPAIGNS, Campaign
from .common import DAY, seconds, status, timestamps

AI_ACT_ART_50_APPLIES = "2026-08-02"
UNDISCLOSED_AI_IMAGES = ("SPRING26-EMAIL-IMG-1", "SOLDES-ETE-EMAIL-IMG-1", "RENTREE-ADS-IMG-2")
UNDISCLOSED_DEEPFAKE = "NOEL26-ADS-VID-1"
OLD_DEEPFAKE_IN_USE = "SOLDES-ETE-EMAIL-VID-1"  # published before 2 August 2026, never withdrawn
WITHDRAWN_DEEPFAKE = "FETE-DES-MERES-EMAIL-VID-1"  # withdrawn before 2 August 2026
WITHDRAWN_DEEPFAKE_ON = "2026-07-15 18:00:00"
UNREVIEWED_TEXT = "SOLDES-ETE-SMS-TXT-A"  # published with no human review
LATE_REVIEWED_TEXT = "SAINT-VALENTIN-SMS-TXT-A"  # reviewed the day after it went out
UNMARKED_IMAGE = "RENTREE-ADS-IMG-1"  # no C2PA / IPTC marking
UNDISCLOSED_CHATBOT = "ASSISTANT-WHATSAPP"
UNDISCLOSED_CHATBOT_LAUNCH = "2026-03-15 09:00:00"  # before Art 50 applies, still in service
CHATBOT_LAUNCH = "2025-10-01 09:00:00"  # Lumi, the site's assistant
REGISTER_PLACEHOLDERS = {
    "explanation": "TBD",
    "human_oversight": "[More Information Needed]",
    "model_card": "à compléter",
}  # planted in the segmentation entry
UNEXPLAINED_SYSTEM = "dynamic-pricing"  # significant effect, no Art 22(2) exception, no explanation
UNDECIDED_SYSTEM = "product-recommendations"  # fully automated, significant_effect left unset
STALE_TRAINING_SYSTEM = "content-generator"
LONG_SENTENCE_NOTICE = "cookies.en.html"
DISCLOSURE_STORY = (
    "Three AI-generated images went out without the 'image générée par IA' label, and three AI "
    "videos resembling a real chef carry no label: NOEL26-ADS's, published after 2 August 2026, and "
    "the summer sales' one, published in June and still in use, breach AI Act Art 50(4); the "
    "Mother's Day one was withdrawn in July 2026, before the rule applied."
)
NOTICE_FILES = ("privacy.fr.md", "privacy.en.md", LONG_SENTENCE_NOTICE)


@dataclass(frozen=True)
class ContentItem:
    content_id: str
    campaign_id: str | None
    channel: str | None
    content_type: str
    ai_generated: bool
    reviewer: str
    in_sends: bool = False  # a variant that sends point to (the message itself)
    deepfake: bool = False  # AI Act Art 3(60)
    public_interest: bool = False
    disclosed: bool | None = None  # None: disclosed exactly when AI-generated
    human_reviewed: bool = True
    reviewed_after_publication: bool = False
    machine_marked: bool | None = None  # None: marked exactly when AI-generated media
    launched: str | None = None  # publication of an item outside the campaigns (default: the chatbot launch)
    withdrawn: str | None = None  # when the item stopped being used; None: still in use

    @property
    def is_disclosed(self) -> bool:
        return self.ai_generated if self.disclosed is None else self.disclosed

    @property
    def is_machine_marked(self) -> bool:
        if self.machine_marked is not None:
            return self.machine_marked
        # The brand's AI tools mark what they make (C2PA for media, metadata for text), AI Act Art 50(2).
        return self.ai_generated and self.content_type in ("text", "image", "video", "audio")


def _campaign_items(campaign: Campaign) -> list[ContentItem]:
    c, ch = campaign.id, campaign.channel
    if ch == "email":
        return [
            ContentItem(f"{c}-TXT-A", c, ch, "text", True, "brand-editor", in_sends=True),
            ContentItem(f"{c}-TXT-B", c, ch, "text", False, "brand-editor", in_sends=True),
            ContentItem(f"{c}-IMG-1", c, ch, "image", True, "brand-editor"),
            ContentItem(f"{c}-IMG-2", c, ch, "image", False, "brand-editor"),
        ]
    if ch == "sms":
        return [
            ContentItem(f"{c}-TXT-A", c, ch, "text", True, "crm-manager", in_sends=True),
            ContentItem(f"{c}-TXT-B", c, ch, "text", False, "crm-manager", in_sends=True),
        ]
    if ch == "ads":
        return [
            ContentItem(f"{c}-IMG-1", c, ch, "image", True, "social-media-lead", in_sends=True),
            ContentItem(f"{c}-IMG-2", c, ch, "image", True, "social-media-lead", in_sends=True),
            ContentItem(f"{c}-VID-1", c, ch, "video", False, "social-media-lead", in_sends=True),
        ]
    return [
        ContentItem(f"{c}-IMG-1", c, ch, "image", False, "brand-editor", in_sends=True),
        ContentItem(f"{c}-TXT-1", c, ch, "text", False, "brand-editor"),
    ]


def content_items() -> list[ContentItem]:
    items = [item for campaign in CAMPAIGNS for item in _campaign_items(campaign)]
    extra = [
        # The brand ambassador, AI-retouched with her agreement and labelled: a disclosed real-person depiction.
        ContentItem(
            "FETE-DES-MERES-EMAIL-IMG-3", "FETE-DES-MERES-EMAIL", "email", "image", True, "brand-editor", deepfake=True
        ),
        # Planted: AI videos resembling a real chef, without a label (see the module's docstring).
        ContentItem(
            OLD_DEEPFAKE_IN_USE,
            "SOLDES-ETE-EMAIL",
            "email",
            "video",
            True,
            "brand-editor",
            deepfake=True,
            disclosed=False,
        ),
        ContentItem(
            WITHDRAWN_DEEPFAKE,
            "FETE-DES-MERES-EMAIL",
            "email",
            "video",
            True,
            "brand-editor",
            deepfake=True,
            disclosed=False,
            withdrawn=WITHDRAWN_DEEPFAKE_ON,
        ),
        # An AI-drafted text on the shop's climate commitments: public interest, reviewed and labelled.
        ContentItem("NOEL26-EMAIL-TXT-RSE", "NOEL26-EMAIL", "email", "text", True, "csr-editor", public_interest=True),
        ContentItem("ASSISTANT-LUMI", None, None, "chatbot", True, "customer-service-lead"),
        # Planted: the WhatsApp assistant never says it is an AI (AI Act Art 50(1)); the inventory lists it as a
        # chatbot but nobody flagged it as AI-generated, so only transparency.chatbot_disclosure sees it.
        ContentItem(
            UNDISCLOSED_CHATBOT,
            None,
            None,
            "chatbot",
            False,
            "customer-service-lead",
            disclosed=False,
            launched=UNDISCLOSED_CHATBOT_LAUNCH,
        ),
    ]
    planted: dict[str, dict[str, Any]] = {
        **{cid: {"disclosed": False} for cid in UNDISCLOSED_AI_IMAGES},
        UNDISCLOSED_DEEPFAKE: {"disclosed": False, "ai_generated": True, "deepfake": True},
        UNREVIEWED_TEXT: {"human_reviewed": False},
        LATE_REVIEWED_TEXT: {"reviewed_after_publication": True},
        UNMARKED_IMAGE: {"machine_marked": False},
    }
    return [replace(item, **planted.get(item.content_id, {})) for item in items + extra]


def send_variants(items: list[ContentItem]) -> dict[str, tuple[str, ...]]:
    """The content ids each campaign's sends point to."""
    return {c.id: tuple(i.content_id for i in items if i.campaign_id == c.id and i.in_sends) for c in CAMPAIGNS}


def content_table(rng: np.random.Generator, items: list[ContentItem]) -> pa.Table:
    """Published shortly before the campaign's first send, reviewed during office hours one to four days
    before publication."""
    starts = {c.id: c.start_s for c in CAMPAIGNS}
    published = np.array(
        [starts[i.campaign_id] if i.campaign_id else seconds(i.launched or CHATBOT_LAUNCH) for i in items]
    )
    published = published - rng.integers(15 * 60, 3 * 3600, len(items))
    review_day = published // DAY * DAY - rng.integers(1, 5, len(items)) * DAY
    reviewed = review_day + rng.integers(9 * 3600, 18 * 3600, len(items))
    # Planted: reviewed the day after publication, or never (no reviewer, no date).
    late = np.array([i.reviewed_after_publication for i in items])
    reviewed = np.where(late, published + DAY, reviewed)
    reviewed = np.where([i.human_reviewed for i in items], reviewed, -1)
    return pa.table(
        {
            "content_id": [i.content_id for i in items],
            "campaign_id": pa.array([i.campaign_id for i in items], pa.string()),
            "channel": pa.array([i.channel for i in items], pa.string()),
            "content_type": [i.content_type for i in items],
            "ai_generated": [i.ai_generated for i in items],
            "disclosed": [i.is_disclosed for i in items],
            "machine_marked": [i.is_machine_marked for i in items],
            "human_reviewed": [i.human_reviewed for i in items],
            "reviewer": pa.array([i.reviewer if i.human_reviewed else None for i in items], pa.string()),
            "reviewed_at": timestamps(reviewed),
            "published_at": timestamps(published),
            "deepfake": [i.deepfake for i in items],
            "withdrawn_at": timestamps(np.array([seconds(i.withdrawn) if i.withdrawn else -1 for i in items])),
            "public_interest": [i.public_interest for i in items],
        }
    )


def in_use_since_rule(frame: pd.DataFrame) -> pd.Series:
    """Items still in use on 2 August 2026 or later (not withdrawn before it), whatever their publication date."""
    return frame["withdrawn_at"].isna() | (frame["withdrawn_at"] >= np.datetime64(AI_ACT_ART_50_APPLIES))


def disclosure_counts(content: pa.Table) -> dict[str, int]:
    """What `transparency.ai_disclosure` must find, recomputed from the content table."""
    frame = content.to_pandas()
    ai = frame[frame["ai_generated"]]
    undisclosed = ai[~ai["disclosed"]]
    rule_applies = in_use_since_rule(undisclosed)
    deepfake = undisclosed["deepfake"] & undisclosed["content_type"].isin(["image", "video", "audio"])
    public_text = (
        undisclosed["public_interest"] & (undisclosed["content_type"] == "text") & ~undisclosed["human_reviewed"]
    )
    return {
        "ai_items": len(ai),
        "disclosed_items": int(ai["disclosed"].sum()),
        "undisclosed_items": len(undisclosed),
        "undisclosed_deepfakes": int((deepfake & rule_applies).sum()),
        "undisclosed_public_interest_text": int((public_text & rule_applies).sum()),
    }


def undisclosed_ai_ids(content: pa.Table) -> list[str]:
    """The AI-generated items published without a visible label, from the content table."""
    frame = content.to_pandas()
    return sorted(frame.loc[frame["ai_generated"] & ~frame["disclosed"], "content_id"])


# --- planted.json entries, recomputed from the generated data with plain pandas and Python -------------------------

MARKED = ("text", "image", "video", "audio")  # what transparency.machine_marking counts (Art 50(2))
SAFEGUARDS = ("human_intervention", "express_view", "contest")
EMPTY = ("", "TBD", "n/a", "[More Information Needed]", "à compléter", None)  # the placeholders planted here
CRITICAL = ("purpose", "owner", "decision_mode", "legal_basis", "explanation", "human_oversight")
# The words the demo's notices use for each purpose of its campaigns (a purpose is described when one appears).
NOTICE_WORDS = {
    "email": {"fr": "e-mail", "en": "email"},
    "sms": {"fr": "sms", "en": "sms"},
    "postal": {"fr": "courrier", "en": "post"},
    "ads": {"fr": "publicité personnalisée", "en": "personalised ad"},
}


def planted_entries(content: pa.Table, as_of: dt.date) -> dict[str, dict[str, Any]]:
    """The planted.json entries of the transparency checks other than ai_disclosure."""
    frame = content.to_pandas()
    published = frame[frame["published_at"] < np.datetime64(as_of + dt.timedelta(days=1))]
    since_rule = in_use_since_rule(published)
    ai = published[published["ai_generated"]]
    reviewed = ai["human_reviewed"] & (ai["reviewed_at"] <= ai["published_at"])
    rate = reviewed.mean()
    media = ai[ai["content_type"].isin(MARKED)]
    unmarked = ~media["machine_marked"]
    bots = published[published["content_type"] == "chatbot"]
    bots_hidden = ~bots["disclosed"]
    systems = ai_register(as_of)
    critical_gaps = [sum(s.get(f) in EMPTY for f in CRITICAL) for s in systems]
    stale_audits = sum(s["last_bias_audit"] < as_of - dt.timedelta(days=365) for s in systems)
    fully_automated = [s for s in systems if s["decision_mode"] == "fully_automated"]
    automated = [s for s in fully_automated if s.get("significant_effect") is True]
    undecided = sum(s.get("significant_effect") is None for s in fully_automated)
    unexplained = sum(s.get("explanation") in EMPTY for s in automated)
    no_exception = sum(s.get("art22_exception") in EMPTY for s in automated)
    no_safeguards = sum(
        s.get("art22_exception") in ("contract", "explicit_consent")
        and not set(SAFEGUARDS) <= set(s.get("safeguards") or ())
        for s in automated
    )
    failing_automated = sum(
        s.get("explanation") in EMPTY
        or s.get("art22_exception") in EMPTY
        or (
            s.get("art22_exception") in ("contract", "explicit_consent")
            and not set(SAFEGUARDS) <= set(s.get("safeguards") or ())
        )
        for s in automated
    )
    untrained = sum(s["staff_trained"] < as_of - dt.timedelta(days=365) for s in systems)
    notices = notice_texts()
    languages = {name.split(".")[1] for name in notices}
    missing = [
        (lang, channel)
        for lang in sorted(languages)
        for channel in sorted({c.channel for c in CAMPAIGNS})
        if not any(
            NOTICE_WORDS[channel][lang] in body.lower() for name, body in notices.items() if name.split(".")[1] == lang
        )
    ]
    long_notices = sum(_mean_sentence_words(body) > 25 for body in notices.values())
    return {
        "transparency.human_review": {
            "status": status(rate < 0.8, rate < 0.95),
            "counts": {
                "ai_items": len(ai),
                "reviewed_items": int(reviewed.sum()),
                "unreviewed_items": int((~reviewed).sum()),
                "reviewed_after_publication": int(
                    (ai["human_reviewed"] & (ai["reviewed_at"] > ai["published_at"])).sum()
                ),
            },
            "unreviewed": sorted(ai.loc[~reviewed, "content_id"]),
        },
        "transparency.machine_marking": {
            "status": status(0, int(unmarked.sum())),
            "counts": {
                "media_items": len(media),
                "unmarked_items": int(unmarked.sum()),
                "unmarked_since_rule": int((unmarked & since_rule[media.index]).sum()),
            },
            "unmarked": sorted(media.loc[unmarked, "content_id"]),
        },
        "transparency.chatbot_disclosure": {
            "status": status(int((bots_hidden & since_rule[bots.index]).sum()), int(bots_hidden.sum())),
            "counts": {
                "chatbots": len(bots),
                "undisclosed_chatbots": int(bots_hidden.sum()),
                "undisclosed_since_rule": int((bots_hidden & since_rule[bots.index]).sum()),
            },
            "undisclosed": sorted(bots.loc[bots_hidden, "content_id"]),
        },
        "transparency.register": {
            "status": status(sum(critical_gaps), stale_audits),
            "counts": {
                "systems": len(systems),
                "critical_gaps": sum(critical_gaps),
                "systems_with_critical_gaps": sum(g > 0 for g in critical_gaps),
                "stale_audits": stale_audits,
            },
        },
        "transparency.automated_decisions": {
            "status": status(failing_automated, undecided),
            "counts": {
                "fully_automated_systems": len(fully_automated),
                "automated_systems": len(automated),
                "undecided_systems": undecided,
                "without_exception": no_exception,
                "without_safeguards": no_safeguards,
                "without_explanation": unexplained,
                "failing_systems": failing_automated,
            },
        },
        "transparency.ai_literacy": {
            "status": status(0, untrained),
            "counts": {"systems": len(systems), "untrained_systems": untrained},
        },
        "transparency.notice_coverage": {
            # Not found by the kit and not marked by a reviewer: a warning to check by reading (docs/checks.md v2).
            "status": status(0, len(missing)),
            "counts": {
                "not_found": len(missing),
                "not_described": 0,
                "languages_with_gaps": len({m[0] for m in missing}),
            },
            "missing": [f"{channel} ({lang})" for lang, channel in missing],
        },
        "transparency.notice_readability": {
            "status": status(0, long_notices),
            "counts": {"notices": len(notices), "long_sentence_notices": long_notices},
        },
    }


def _mean_sentence_words(body: str) -> float:
    """Words per sentence of a notice's paragraphs (HTML paragraphs, or Markdown lines), counted plainly."""
    paragraphs = re.findall(r"<p>(.*?)</p>", body, flags=re.S) or body.splitlines()
    sentences = [s for p in paragraphs for s in re.split(r"(?<=[.!?])\s+", p.strip()) if len(s.split()) > 2]
    return sum(len(s.split()) for s in sentences) / len(sentences)


def ai_register(as_of: dt.date) -> list[dict[str, Any]]:
    """The register of AI systems, with audits and staff training within twelve months of as_of, except the
    planted gaps (see the module's docstring)."""
    planted: dict[str, dict[str, Any]] = {
        "segmentation": {**REGISTER_PLACEHOLDERS, "last_bias_audit": as_of - dt.timedelta(days=460)},
        UNEXPLAINED_SYSTEM: {"explanation": "", "escalation_path": "n/a", "art22_exception": None, "safeguards": None},
        STALE_TRAINING_SYSTEM: {"staff_trained": as_of - dt.timedelta(days=400)},
    }
    return [{**system, **planted.get(str(system["id"]), {})} for system in _complete_register(as_of)]


def _complete_register(as_of: dt.date) -> list[dict[str, Any]]:
    audited = as_of - dt.timedelta(days=75)
    trained = as_of - dt.timedelta(days=130)
    common = {
        "special_categories": False,
        "last_bias_audit": audited,
        "staff_trained": trained,
        "minors_possible": False,
    }
    return [
        {
            "id": "lead-scoring",
            "name": "Score d'appétence",
            "vendor": "Interne (équipe data)",
            "purpose": "Estimer la probabilité d'achat pour choisir les destinataires des campagnes ciblées",
            "use_case": "scoring",
            "owner": "Responsable CRM",
            "contact": "Équipe data et CRM",
            "decision_mode": "human_in_the_loop",
            "significant_effect": False,
            "data_categories": ["historique d'achats", "activité sur le site", "segment client"],
            "legal_basis": "Consentement au profilage",
            **common,
            "explanation": "Le score combine le segment client et la date de la dernière activité. Il n'utilise ni "
            "l'âge, ni le genre, ni la région.",
            "human_oversight": "Le responsable de chaque campagne valide l'audience avant l'envoi.",
            "escalation_path": "Service client, puis délégué à la protection des données",
            "model_card": "docs/model-cards/lead-scoring.md",
            "dpia": dt.date(2025, 3, 14),
            "risk_level": "limited",
        },
        {
            "id": "content-generator",
            "name": "Assistant de rédaction et d'images",
            "vendor": "TexteIA SAS (API)",
            "purpose": "Proposer des textes et des visuels de campagne, relus par l'équipe de marque",
            "use_case": "content_generation",
            "owner": "Directrice de la marque",
            "contact": "Équipe de marque",
            "decision_mode": "assistive",
            "significant_effect": False,
            "data_categories": ["aucune donnée client"],
            "legal_basis": "Intérêt légitime",
            **common,
            "explanation": (
                "Le modèle propose des brouillons à partir d'un brief. Un éditeur choisit, corrige et valide."
            ),
            "human_oversight": "Relecture obligatoire par l'équipe de marque avant publication.",
            "escalation_path": "Équipe de marque",
            "model_card": "https://texteia.example/model-card",
            "dpia": dt.date(2025, 5, 20),
            "risk_level": "limited",
        },
        {
            "id": "chatbot-lumi",
            "name": "Lumi, assistant du site",
            "vendor": "Interne sur modèle TexteIA",
            "purpose": "Répondre aux questions sur les produits, les commandes et les retours",
            "use_case": "chatbot",
            "owner": "Responsable du service client",
            "contact": "Service client",
            "decision_mode": "assistive",
            "significant_effect": False,
            "data_categories": ["questions posées", "numéro de commande"],
            "legal_basis": "Exécution du contrat",
            **common,
            "explanation": "Lumi répond à partir de la documentation du site. Il se présente comme une IA dès le "
            "premier message.",
            "human_oversight": "Un conseiller reprend la conversation à la demande ou en cas de doute.",
            "escalation_path": "Bouton « Parler à un conseiller »",
            "model_card": "docs/model-cards/lumi.md",
            "dpia": dt.date(2025, 9, 2),
            "risk_level": "limited",
            "in_service_from": dt.date(2025, 10, 1),
        },
        {
            "id": "dynamic-pricing",
            "name": "Prix promotionnels dynamiques",
            "vendor": "PrixMalin SAS",
            "purpose": "Ajuster les remises selon le stock et la demande",
            "use_case": "pricing",
            "owner": "Directeur commercial",
            "contact": "Équipe pricing",
            "decision_mode": "fully_automated",
            "significant_effect": True,
            "data_categories": ["stock", "demande par produit", "segment client"],
            "legal_basis": "Intérêt légitime",
            **common,
            "explanation": "La remise dépend du stock, de la demande et du segment client. Elle ne dépend jamais de "
            "l'âge, du genre ou du lieu de vie.",
            "human_oversight": "L'équipe pricing revoit chaque semaine les remises et leurs effets.",
            "escalation_path": "Un conseiller du service client peut revoir le prix proposé sur demande",
            "model_card": "docs/model-cards/pricing.md",
            "dpia": dt.date(2025, 6, 30),
            "risk_level": "limited",
            "art22_exception": "contract",
            "safeguards": ["human_intervention", "express_view", "contest"],
        },
        {
            "id": UNDECIDED_SYSTEM,
            "name": "Recommandations de produits",
            "vendor": "Interne (équipe data)",
            "purpose": "Choisir les produits présentés dans les e-mails et sur le site",
            "use_case": "recommendation",
            "owner": "Responsable e-commerce",
            "contact": "Équipe data et CRM",
            "decision_mode": "fully_automated",
            "significant_effect": None,
            "data_categories": ["historique d'achats", "produits consultés"],
            "legal_basis": "Intérêt légitime",
            **common,
            "explanation": "Les produits proposés sont ceux que des clients aux achats proches ont aimés.",
            "human_oversight": "L'équipe e-commerce revoit chaque mois les règles et les exclusions.",
            "escalation_path": "Service client",
            "model_card": "docs/model-cards/recommendations.md",
            "dpia": dt.date(2025, 3, 14),
            "risk_level": "minimal",
        },
        {
            "id": "segmentation",
            "name": "Segmentation clients",
            "vendor": "Interne (équipe data)",
            "purpose": "Classer les clients en segments (fidèle, occasionnel, nouveau, prospect)",
            "use_case": "segmentation",
            "owner": "Responsable CRM",
            "contact": "Équipe data et CRM",
            "decision_mode": "human_in_the_loop",
            "significant_effect": False,
            "data_categories": ["historique d'achats", "date de première commande"],
            "legal_basis": "Intérêt légitime",
            **common,
            "explanation": "Le segment dépend de l'ancienneté client et de la fréquence d'achat.",
            "human_oversight": "L'équipe CRM revoit les règles de segmentation chaque trimestre.",
            "escalation_path": "Équipe data et CRM",
            "model_card": "docs/model-cards/segmentation.md",
            "dpia": dt.date(2025, 3, 14),
            "risk_level": "minimal",
        },
    ]


def notice_texts() -> dict[str, str]:
    """The privacy notices (French and English: purposes, legal bases, AI use and rights; the French one planted
    without its SMS paragraph) and the cookie notice in HTML (planted in 40-word sentences)."""
    folder = resources.files(__package__).joinpath("notices")
    return {name: folder.joinpath(name).read_text(encoding="utf-8") for name in NOTICE_FILES}
