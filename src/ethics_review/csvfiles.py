"""CSV exports as files: their encoding and delimiter, bytes that are not text, and the line a record starts on.

Both the tables (`sources`) and the AI register (`register`) read CSV exports, so these helpers are theirs in
common; the Spark engine reads the encoding and delimiter from here too.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

from .errors import DataError

DELIMITERS = ",;\t|"
MAX_LINE_BYTES = 8 << 20  # DuckDB's limit on one CSV line (its default is 2 MiB); longer is an input error


def sniff_csv(path: Path) -> tuple[str, str]:
    """(encoding, delimiter) of a CSV export: UTF-8 (with or without BOM), else cp1252; `,` `;` tab or `|`."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8" if _is_utf8(path) else "cp1252"
    sample = head.decode(encoding if encoding != "cp1252" else "latin-1", errors="replace")
    lines = sample.lstrip("\ufeff").splitlines()[:50]
    if len(lines) > 1 and len(head) == 1 << 16:
        lines = lines[:-1]  # the last line of a cut sample may be incomplete
    best, best_score = ",", (-1, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)]
        except csv.Error:  # a sample cut inside a quoted field, or a field over the csv module's limit
            continue
        if not widths or widths[0] < 2:
            continue
        score = (sum(w == widths[0] for w in widths), widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return encoding, best


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            for block in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


# A well-formed multi-byte UTF-8 sequence: a cp1252 export almost never holds one (é is one byte there), so a
# file with some of them and some invalid bytes is a damaged UTF-8 file, not a cp1252 one.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def check_csv_text(path: Path, encoding: str) -> None:
    """Refuse bytes that are invalid in the file's encoding (never replaced silently) and binary content."""
    data = path.read_bytes()
    problem: tuple[int, str] | None = None
    nul = data.find(b"\x00")
    if nul >= 0:
        problem = (nul, "holds NUL bytes: it is a binary file or UTF-16 text, not a CSV export")
    elif encoding == "cp1252":
        if _UTF8_SEQUENCE.search(data):
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                problem = (exc.start, f"is UTF-8 text with an invalid byte (0x{data[exc.start]:02x})")
        else:
            try:
                data.decode("cp1252")
            except UnicodeDecodeError as exc:
                problem = (
                    exc.start,
                    (f"has a byte (0x{data[exc.start]:02x}) that is not text in UTF-8 or in Windows-1252"),
                )
    if problem is not None:
        offset, reason = problem
        raise DataError(
            f"the file {reason}",
            file=str(path),
            row=data.count(b"\n", 0, offset) + 1,
            row_label="line",
            fix="export the table again as UTF-8 CSV (or fix the damaged line)",
        )


def csv_line(path: Path, encoding: str, delimiter: str, record: int) -> int:
    """The line on which data record `record` starts (header = line 1); a quoted field may span lines."""
    limit = csv.field_size_limit()
    csv.field_size_limit(MAX_LINE_BYTES)
    try:
        with path.open(encoding="utf-8-sig" if encoding.startswith("utf-8") else encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            next(reader, None)
            for _ in range(1, record):
                if next(reader, None) is None:
                    break
            return reader.line_num + 1
    except (csv.Error, UnicodeDecodeError):
        return record + 1
    finally:
        csv.field_size_limit(limit)
