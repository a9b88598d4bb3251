"""The demo dataset: a seeded, realistic French retailer ("Maison Lumière") with known planted problems.

`generate(out_dir)` writes a review folder that the kit reads with no further configuration: contacts,
consents, sends, targeting, requests, content and interactions tables, ai_systems.yaml, assessment.yaml, notices/,
review.yaml, and planted.json, which says what each planted problem is and the exact counts a check must find.
Everything else in the data is consistent, so no other check should fail. The same arguments always write the same
bytes.

Each area builds its own tables and plants its own problems from its own random stream (population, consent,
requests, sends, bias, transparency): a new planted problem in one area does not change the data of another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..history import default_dir
from . import bias, consent, governance, population, requests, sends, transparency, writer
from .campaigns import CAMPAIGNS, LAST_SEND_S
from .common import rng_for, status

__all__ = ["DEFAULT_AS_OF", "DEFAULT_CONTACTS", "DEFAULT_SEED", "DemoDataset", "generate"]

DEFAULT_CONTACTS = 20_000
DEFAULT_SEED = 20261115
DEFAULT_AS_OF = dt.date(2026, 11, 15)
MIN_CONTACTS = 1_000  # below this the planted groups are too small to mean anything
REVIEW_NAMES = {"fr": "Démo — Maison Lumière (retail)", "en": "Demo — Maison Lumière (retail)"}


@dataclass(frozen=True)
class DemoDataset:
    out_dir: Path
    planted: dict[str, Any]  # the content of planted.json
    tables: dict[str, int]  # table name -> rows written
    files: tuple[str, ...]  # every file written, relative to out_dir
    file_format: str  # "csv" or "parquet"
    history_dir: Path | None = None  # the review's history (two earlier runs), next to out_dir by default


def generate(
    out_dir: Path | str,
    *,
    contacts: int = DEFAULT_CONTACTS,
    seed: int = DEFAULT_SEED,
    as_of: dt.date = DEFAULT_AS_OF,
    lang: str = "fr",
    file_format: str | None = None,
    history_dir: Path | str | None = None,
) -> DemoDataset:
    """Write the demo review folder to `out_dir` (created if needed) and return what was written.

    `file_format` None writes CSV, or Parquet above 2 million sends; "csv" or "parquet" force one. `as_of` must
    fall after the last campaign (2026-11-12); the data stays clean for an as_of up to a few months later.
    `history_dir` receives two earlier runs of the review (default: `<out_dir>.history`, next to the folder, where
    `ethics-review run` keeps a review's history).
    """
    _check_arguments(contacts, as_of, lang, file_format)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = _build(contacts, seed, as_of)
    planted: dict[str, Any] = {
        "seed": seed,
        "as_of": as_of.isoformat(),
        "contacts": contacts,
        "checks": {
            "consent.coverage": _coverage_entry(data),
            **consent.privacy_entries(data),
            "bias.selection_parity": _selection_parity_entry(data),
            **bias.planted_entries(data.targeting, data.keep, data.people, data.sends),
            "transparency.ai_disclosure": _disclosure_entry(data.content),
            **transparency.planted_entries(data.content, as_of),
        },
    }
    chosen_format = writer.choose_format(file_format, len(data.sends))
    rows, files = _write_tables(out_dir, data, chosen_format)
    # governance: conversations, the register's DPIA fields, the self-assessment and the review's history
    interactions = governance.interactions_table(rng_for(seed, "governance"), as_of)
    systems = governance.with_register_fields(transparency.ai_register(as_of))
    files.append(writer.write_table(out_dir, "interactions", interactions, chosen_format))
    rows["interactions"] = interactions.num_rows
    files.append(writer.write_text(out_dir / "assessment.yaml", governance.assessment_text(as_of, lang)))
    planted["checks"].update(governance.planted_entries(interactions, systems, planted["checks"], as_of))
    from ..checks import CHECKS  # noqa: PLC0415 - loads every check and scipy: only the history needs the ids

    history = Path(history_dir) if history_dir is not None else default_dir(out_dir)
    governance.write_history(
        history, planted=planted["checks"], check_ids=list(CHECKS), review=REVIEW_NAMES[lang], as_of=as_of, lang=lang
    )
    files.append(writer.write_yaml(out_dir / "ai_systems.yaml", systems))
    files += [writer.write_text(out_dir / "notices" / name, body) for name, body in transparency.notice_texts().items()]
    files.append(
        writer.write_text(
            writer.config_path(out_dir),
            writer.review_config_text(
                name=REVIEW_NAMES[lang], as_of=as_of, lang=lang, exemptions=consent.DEMO_EXEMPTIONS
            ),
        )
    )
    files.append(writer.write_json(out_dir / "planted.json", planted))
    return DemoDataset(
        out_dir=out_dir,
        planted=planted,
        tables=rows,
        files=tuple(p.relative_to(out_dir).as_posix() for p in files),
        file_format=chosen_format,
        history_dir=history,
    )


@dataclass(frozen=True)
class _Generated:
    """Everything generated, still as numbers (people are row numbers of `people.people`)."""

    people: population.Population
    keep: np.ndarray  # people present in the export (the erased are not)
    log: pd.DataFrame  # consent events of the people kept
    state: consent.ConsentState
    subject_requests: requests.Requests
    sends: pd.DataFrame
    targeting: list[bias.Targeting]
    content: pa.Table
    variants: dict[str, tuple[str, ...]]


def _build(contacts: int, seed: int, as_of: dt.date) -> _Generated:
    """Each area draws from its own random stream, in dependency order: people, their consents, their requests,
    the campaigns (with their targeting), then the planted sends."""
    request_counts = requests.request_counts(contacts)
    people = population.build_population(rng_for(seed, "population"), contacts + request_counts["erasure"], as_of)
    log = consent.build_consent_log(rng_for(seed, "consent"), people)
    dsr = requests.build_requests(rng_for(seed, "requests"), people, log, request_counts)
    log = dsr.log
    state = consent.ConsentState.of(log)
    keep = ~dsr.erased

    items = transparency.content_items()
    variants = transparency.send_variants(items)
    campaign_sends, targeting = sends.run_campaigns(rng_for(seed, "sends"), rng_for(seed, "bias"), people, state)
    campaign_sends = bias.skew_delivery(rng_for(seed, "bias.delivery"), campaign_sends, people)
    spare = keep & ~dsr.people_with_requests(people.size)
    planted_sends = consent.plant_sends_without_basis(rng_for(seed, "consent.coverage"), people, log, state, spare)
    privacy = consent.plant_privacy_problems(seed, people, log, spare, campaign_sends, planted_sends)
    people, log = privacy.population, privacy.log
    state = consent.ConsentState.of(log)  # with the planted events, for the coverage counts
    all_sends = sends.finish_sends(
        rng_for(seed, "sends.content"), pd.concat([campaign_sends, planted_sends]), keep, variants
    )
    all_sends = sends.with_extra_sends(rng_for(seed, "consent.sends.content"), all_sends, privacy.sends, keep, variants)
    return _Generated(
        people=people,
        keep=keep,
        log=log[keep[log["person"].to_numpy()]].reset_index(drop=True),
        state=state,
        subject_requests=dsr,
        sends=all_sends,
        targeting=targeting,
        content=transparency.content_table(rng_for(seed, "transparency"), items),
        variants=variants,
    )


def _write_tables(out_dir: Path, data: _Generated, file_format: str) -> tuple[dict[str, int], list[Path]]:
    """One table at a time, so that only one is ever held as strings (10 million contacts fit in memory)."""
    contact_ids = data.people.identity["contact_id"].combine_chunks()
    builders: dict[str, Callable[[], pa.Table]] = {
        "contacts": lambda: population.contacts_table(data.people, data.keep),
        "consents": lambda: consent.consents_table(data.log, contact_ids),
        "sends": lambda: sends.sends_table(data.sends, contact_ids, data.variants),
        "targeting": lambda: bias.targeting_table(data.targeting, data.keep, contact_ids),
        "requests": lambda: requests.requests_table(data.subject_requests, contact_ids),
        "content": lambda: data.content,
    }
    rows, files = {}, []
    for name, build in builders.items():
        table = build()
        files.append(writer.write_table(out_dir, name, table, file_format))
        rows[name] = table.num_rows
        del table
    return rows, files


def _check_arguments(contacts: object, as_of: dt.date, lang: str, file_format: str | None) -> None:
    if not isinstance(contacts, int) or contacts < MIN_CONTACTS:
        raise ValueError(f"contacts must be an integer of at least {MIN_CONTACTS:,}, found {contacts!r}")
    first_valid = (np.datetime64(LAST_SEND_S, "s").astype("datetime64[D]") + 1).astype(dt.date)
    if as_of < first_valid:
        raise ValueError(
            f"as_of {as_of.isoformat()} falls before the demo's last campaign; use {first_valid.isoformat()} or later"
        )
    if lang not in REVIEW_NAMES:
        raise ValueError(f"lang '{lang}' is not supported; use one of: {', '.join(REVIEW_NAMES)}")
    writer.choose_format(file_format, 0)  # raises on an unknown format before anything is generated


def _coverage_entry(data: _Generated) -> dict[str, Any]:
    counts = consent.coverage_counts(data.sends, data.state, data.people, tuple(c.id for c in CAMPAIGNS))
    by_campaign = counts.pop("uncovered_by_campaign")
    return {
        "status": status(counts["uncovered_sends"], 0),
        "counts": counts,
        "uncovered_by_campaign": by_campaign,
        "story": consent.COVERAGE_STORY,
        "also_seen_by": ["consent.after_withdrawal"],  # the NOEL26-EMAIL sends follow an unsubscription
    }


def _selection_parity_entry(data: _Generated) -> dict[str, Any]:
    targeting = data.targeting
    person = np.concatenate([t.person for t in targeting])
    kept = data.keep[person]
    attributes = data.people.people.iloc[person[kept]]
    campaign = np.concatenate([np.full(len(t.person), i) for i, t in enumerate(targeting)])[kept]
    frame = pd.DataFrame(
        {
            "campaign_id": pd.Categorical.from_codes(campaign, pd.Index([t.campaign.id for t in targeting])),
            "selected": np.concatenate([t.selected for t in targeting])[kept],
            "gender": pd.Categorical.from_codes(attributes["gender"].to_numpy(), pd.Index(population.GENDERS)),
            "age_band": pd.Categorical.from_codes(
                attributes["age_band"].to_numpy(), pd.Index(population.AGE_BAND_LABELS)
            ),
            "region": pd.Categorical.from_codes(attributes["region"].to_numpy(), pd.Index(population.REGIONS)),
        }
    )
    entry = bias.parity_summary(bias.selection_parity(frame), bias.small_group_entry(frame))
    # (not delivery_skew: it compares the reached with the selected, and the skew is in the selection)
    entry["also_seen_by"] = ["bias.intersectional", "bias.outcome_parity"]
    return entry


def _disclosure_entry(content: pa.Table) -> dict[str, Any]:
    counts = transparency.disclosure_counts(content)
    failing = counts["undisclosed_deepfakes"] + counts["undisclosed_public_interest_text"]
    return {
        "status": status(failing, counts["undisclosed_items"]),
        "counts": counts,
        "undisclosed": transparency.undisclosed_ai_ids(content),
        "story": transparency.DISCLOSURE_STORY,
    }
