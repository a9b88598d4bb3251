"""Writing the review folder: tables as CSV or Parquet, YAML, notices and planted.json, byte for byte the same
for the same inputs (no clocks, no random file names, stable ordering everywhere)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import yaml

from ..config import CONFIG_FILE_NAME
from .common import text

FILE_FORMATS = ("csv", "parquet")
PARQUET_ABOVE_SENDS = 2_000_000  # above this many sends, CSV gets slow to write and to read: Parquet instead


def choose_format(file_format: str | None, sends: int) -> str:
    if file_format is None:
        return "parquet" if sends > PARQUET_ABOVE_SENDS else "csv"
    if file_format not in FILE_FORMATS:
        raise ValueError(
            f"file_format '{file_format}' is not supported; use one of: {', '.join(FILE_FORMATS)} "
            "(or None to choose by size)"
        )
    return file_format


def write_table(out_dir: Path, name: str, table: pa.Table, file_format: str) -> Path:
    """`name.csv` (comma, UTF-8, LF, header unquoted, ISO dates, true/false) or `name.parquet`; a file of the same
    table in the other format is removed so that the folder never holds two versions of one table."""
    for suffix in FILE_FORMATS:
        stale = out_dir / f"{name}.{suffix}"
        if suffix != file_format and stale.exists():
            stale.unlink()
    path = out_dir / f"{name}.{file_format}"
    if file_format == "parquet":
        pq.write_table(table, path, compression="zstd")
        return path
    plain = pa.table({column: text(table[column].combine_chunks()) for column in table.column_names})
    with path.open("wb") as handle:
        handle.write((",".join(plain.column_names) + "\n").encode("utf-8"))
        pa_csv.write_csv(plain, handle, pa_csv.WriteOptions(include_header=False, batch_size=65_536))
    return path


def write_text(path: Path, content: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8"))
    return path


class _PlainDumper(yaml.SafeDumper):
    """No `&id001` anchors when two entries share a value (the same date object)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_yaml(path: Path, data: Any) -> Path:
    return write_text(path, yaml.dump(data, Dumper=_PlainDumper, allow_unicode=True, sort_keys=False, width=120))


def write_json(path: Path, data: Any) -> Path:
    return write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def review_config_text(*, name: str, as_of: dt.date, lang: str, exemptions: dict[str, dict[str, bool]]) -> str:
    """The demo's review.yaml: the demo runs with no other configuration."""
    exemption_lines = "".join(
        f"  {purpose}: {{{', '.join(f'{rule}: {str(on).lower()}' for rule, on in rules.items())}}}\n"
        for purpose, rules in exemptions.items()
    )
    return (
        "# Demo review: a synthetic French retailer with known planted problems (see planted.json).\n"
        f"name: {json.dumps(name, ensure_ascii=False)}\n"
        f"as_of: {as_of.isoformat()}\n"
        f"lang: {lang}\n"
        "default_country: FR\n"
        "exemptions:\n"
        f"{exemption_lines}"
        "bias:\n"
        "  sensitive: [gender, age_band, region]\n"
        "  intersections: [[gender, age_band]]\n"
        "  features: [postcode, segment]\n"
    )


def config_path(out_dir: Path) -> Path:
    return out_dir / CONFIG_FILE_NAME
