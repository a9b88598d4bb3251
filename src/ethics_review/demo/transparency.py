"""AI use, made visible: the content inventory, the register of AI systems, the privacy notices.

The inventory lists every creative of every campaign (text variants, images, videos), the shop's chatbot and
an editorial text on a matter of public interest. AI-made media carry a machine-readable marking, everything is
reviewed by a person before publication and the register is complete: the only planted problem is
`transparency.ai_disclosure`: three AI images published without a visible label, and one AI video showing a
real person (a deepfake in the sense of AI Act Art 50(4)) published without a label after 2 August 2026.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from importlib import resources

import numpy as np
import pyarrow as pa

from .campaigns import CAMPAIGNS, Campaign
from .common import DAY, seconds, timestamps

AI_ACT_ART_50_APPLIES = "2026-08-02"
UNDISCLOSED_AI_IMAGES = ("SPRING26-EMAIL-IMG-1", "SOLDES-ETE-EMAIL-IMG-1", "RENTREE-ADS-IMG-2")
UNDISCLOSED_DEEPFAKE = "NOEL26-ADS-VID-1"
DISCLOSURE_STORY = ("Three AI-generated images went out without the 'image générée par IA' label, and NOEL26-ADS "
                    "ran an AI video showing a real chef, published after 2 August 2026 without any label.")
NOTICE_FILES = ("privacy.fr.md", "privacy.en.md")


@dataclass(frozen=True)
class ContentItem:
    content_id: str
    campaign_id: str | None
    channel: str | None
    content_type: str
    ai_generated: bool
    reviewer: str
    in_sends: bool = False  # a variant that sends point to (the message itself)
    depicts_real_person: bool = False
    public_interest: bool = False
    disclosed: bool | None = None  # None: disclosed exactly when AI-generated

    @property
    def is_disclosed(self) -> bool:
        return self.ai_generated if self.disclosed is None else self.disclosed

    @property
    def is_machine_marked(self) -> bool:
        return self.ai_generated and self.content_type in ("image", "video", "audio")


def _campaign_items(campaign: Campaign) -> list[ContentItem]:
    c, ch = campaign.id, campaign.channel
    if ch == "email":
        return [ContentItem(f"{c}-TXT-A", c, ch, "text", True, "brand-editor", in_sends=True),
                ContentItem(f"{c}-TXT-B", c, ch, "text", False, "brand-editor", in_sends=True),
                ContentItem(f"{c}-IMG-1", c, ch, "image", True, "brand-editor"),
                ContentItem(f"{c}-IMG-2", c, ch, "image", False, "brand-editor")]
    if ch == "sms":
        return [ContentItem(f"{c}-TXT-A", c, ch, "text", True, "crm-manager", in_sends=True),
                ContentItem(f"{c}-TXT-B", c, ch, "text", False, "crm-manager", in_sends=True)]
    if ch == "ads":
        return [ContentItem(f"{c}-IMG-1", c, ch, "image", True, "social-media-lead", in_sends=True),
                ContentItem(f"{c}-IMG-2", c, ch, "image", True, "social-media-lead", in_sends=True),
                ContentItem(f"{c}-VID-1", c, ch, "video", False, "social-media-lead", in_sends=True)]
    return [ContentItem(f"{c}-IMG-1", c, ch, "image", False, "brand-editor", in_sends=True),
            ContentItem(f"{c}-TXT-1", c, ch, "text", False, "brand-editor")]


def content_items() -> list[ContentItem]:
    items = [item for campaign in CAMPAIGNS for item in _campaign_items(campaign)]
    extra = [
        # The brand ambassador, AI-retouched with her agreement and labelled: a disclosed real-person depiction.
        ContentItem("FETE-DES-MERES-EMAIL-IMG-3", "FETE-DES-MERES-EMAIL", "email", "image", True, "brand-editor",
                    depicts_real_person=True),
        # An AI-drafted text on the shop's climate commitments: public interest, reviewed and labelled.
        ContentItem("NOEL26-EMAIL-TXT-RSE", "NOEL26-EMAIL", "email", "text", True, "csr-editor",
                    public_interest=True),
        ContentItem("ASSISTANT-LUMI", None, None, "chatbot", True, "customer-service-lead"),
    ]
    planted = {**{cid: {"disclosed": False} for cid in UNDISCLOSED_AI_IMAGES},
               UNDISCLOSED_DEEPFAKE: {"disclosed": False, "ai_generated": True, "depicts_real_person": True}}
    return [replace(item, **planted.get(item.content_id, {})) for item in items + extra]


def send_variants(items: list[ContentItem]) -> dict[str, tuple[str, ...]]:
    """The content ids each campaign's sends point to."""
    return {c.id: tuple(i.content_id for i in items if i.campaign_id == c.id and i.in_sends) for c in CAMPAIGNS}


def content_table(rng: np.random.Generator, items: list[ContentItem]) -> pa.Table:
    """Published shortly before the campaign's first send, reviewed during office hours one to four days
    before publication."""
    starts = {c.id: c.start_s for c in CAMPAIGNS}
    chatbot_launch = seconds("2025-10-01 09:00:00")
    published = np.array([starts[i.campaign_id] if i.campaign_id else chatbot_launch for i in items])
    published = published - rng.integers(15 * 60, 3 * 3600, len(items))
    review_day = published // DAY * DAY - rng.integers(1, 5, len(items)) * DAY
    reviewed = review_day + rng.integers(9 * 3600, 18 * 3600, len(items))
    return pa.table({
        "content_id": [i.content_id for i in items],
        "campaign_id": pa.array([i.campaign_id for i in items], pa.string()),
        "channel": pa.array([i.channel for i in items], pa.string()),
        "content_type": [i.content_type for i in items],
        "ai_generated": [i.ai_generated for i in items],
        "disclosed": [i.is_disclosed for i in items],
        "machine_marked": [i.is_machine_marked for i in items],
        "human_reviewed": [True] * len(items),
        "reviewer": [i.reviewer for i in items],
        "reviewed_at": timestamps(reviewed),
        "published_at": timestamps(published),
        "depicts_real_person": [i.depicts_real_person for i in items],
        "public_interest": [i.public_interest for i in items],
    })


def disclosure_counts(content: pa.Table) -> dict[str, int]:
    """What `transparency.ai_disclosure` must find, recomputed from the content table."""
    frame = content.to_pandas()
    ai = frame[frame["ai_generated"]]
    undisclosed = ai[~ai["disclosed"]]
    rule_applies = undisclosed["published_at"] >= np.datetime64(AI_ACT_ART_50_APPLIES)
    deepfake = undisclosed["depicts_real_person"] & undisclosed["content_type"].isin(["image", "video", "audio"])
    public_text = (undisclosed["public_interest"] & (undisclosed["content_type"] == "text")
                   & ~undisclosed["human_reviewed"])
    return {
        "ai_items": len(ai),
        "disclosed_items": int(ai["disclosed"].sum()),
        "undisclosed_items": len(undisclosed),
        "undisclosed_deepfakes": int((deepfake & rule_applies).sum()),
        "undisclosed_public_interest_text": int((public_text & rule_applies).sum()),
    }


def ai_register(as_of: dt.date) -> list[dict[str, object]]:
    """The register of AI systems, complete, with audits and staff training within twelve months of as_of."""
    audited = as_of - dt.timedelta(days=75)
    trained = as_of - dt.timedelta(days=130)
    common = {"special_categories": False, "last_bias_audit": audited, "staff_trained": trained,
              "minors_possible": False}
    return [
        {"id": "lead-scoring", "name": "Score d'appétence", "vendor": "Interne (équipe data)",
         "purpose": "Estimer la probabilité d'achat pour choisir les destinataires des campagnes ciblées",
         "use_case": "scoring", "owner": "Responsable CRM", "contact": "Équipe data et CRM",
         "decision_mode": "human_in_the_loop", "significant_effect": False,
         "data_categories": ["historique d'achats", "activité sur le site", "segment client"],
         "legal_basis": "Consentement au profilage", **common,
         "explanation": "Le score combine le segment client et la date de la dernière activité. Il n'utilise ni "
                        "l'âge, ni le genre, ni la région.",
         "human_oversight": "Le responsable de chaque campagne valide l'audience avant l'envoi.",
         "escalation_path": "Service client, puis délégué à la protection des données",
         "model_card": "docs/model-cards/lead-scoring.md", "dpia": dt.date(2025, 3, 14), "risk_level": "limited"},
        {"id": "content-generator", "name": "Assistant de rédaction et d'images", "vendor": "TexteIA SAS (API)",
         "purpose": "Proposer des textes et des visuels de campagne, relus par l'équipe de marque",
         "use_case": "content_generation", "owner": "Directrice de la marque", "contact": "Équipe de marque",
         "decision_mode": "assistive", "significant_effect": False, "data_categories": ["aucune donnée client"],
         "legal_basis": "Intérêt légitime", **common,
         "explanation": "Le modèle propose des brouillons à partir d'un brief. Un éditeur choisit, corrige et valide.",
         "human_oversight": "Relecture obligatoire par l'équipe de marque avant publication.",
         "escalation_path": "Équipe de marque", "model_card": "https://texteia.example/model-card",
         "dpia": dt.date(2025, 5, 20), "risk_level": "limited"},
        {"id": "chatbot-lumi", "name": "Lumi, assistant du site", "vendor": "Interne sur modèle TexteIA",
         "purpose": "Répondre aux questions sur les produits, les commandes et les retours",
         "use_case": "chatbot", "owner": "Responsable du service client", "contact": "Service client",
         "decision_mode": "assistive", "significant_effect": False,
         "data_categories": ["questions posées", "numéro de commande"], "legal_basis": "Exécution du contrat",
         **common,
         "explanation": "Lumi répond à partir de la documentation du site. Il se présente comme une IA dès le "
                        "premier message.",
         "human_oversight": "Un conseiller reprend la conversation à la demande ou en cas de doute.",
         "escalation_path": "Bouton « Parler à un conseiller »", "model_card": "docs/model-cards/lumi.md",
         "dpia": dt.date(2025, 9, 2), "risk_level": "limited"},
        {"id": "dynamic-pricing", "name": "Prix promotionnels dynamiques", "vendor": "PrixMalin SAS",
         "purpose": "Ajuster les remises selon le stock et la demande",
         "use_case": "pricing", "owner": "Directeur commercial", "contact": "Équipe pricing",
         "decision_mode": "fully_automated", "significant_effect": True,
         "data_categories": ["stock", "demande par produit", "segment client"],
         "legal_basis": "Intérêt légitime", **common,
         "explanation": "La remise dépend du stock, de la demande et du segment client. Elle ne dépend jamais de "
                        "l'âge, du genre ou du lieu de vie.",
         "human_oversight": "L'équipe pricing revoit chaque semaine les remises et leurs effets.",
         "escalation_path": "Un conseiller du service client peut revoir le prix proposé sur demande",
         "model_card": "docs/model-cards/pricing.md", "dpia": dt.date(2025, 6, 30), "risk_level": "limited"},
        {"id": "segmentation", "name": "Segmentation clients", "vendor": "Interne (équipe data)",
         "purpose": "Classer les clients en segments (fidèle, occasionnel, nouveau, prospect)",
         "use_case": "segmentation", "owner": "Responsable CRM", "contact": "Équipe data et CRM",
         "decision_mode": "human_in_the_loop", "significant_effect": False,
         "data_categories": ["historique d'achats", "date de première commande"],
         "legal_basis": "Intérêt légitime", **common,
         "explanation": "Le segment dépend de l'ancienneté client et de la fréquence d'achat.",
         "human_oversight": "L'équipe CRM revoit les règles de segmentation chaque trimestre.",
         "escalation_path": "Équipe data et CRM", "model_card": "docs/model-cards/segmentation.md",
         "dpia": dt.date(2025, 3, 14), "risk_level": "minimal"},
    ]


def notice_texts() -> dict[str, str]:
    """The privacy notices (French and English): every purpose, the legal bases, AI use and rights."""
    folder = resources.files(__package__).joinpath("notices")
    return {name: folder.joinpath(name).read_text(encoding="utf-8") for name in NOTICE_FILES}
