"""Errors a user can act on. The CLI prints them as one message and exits 2, never with a traceback."""

from __future__ import annotations


class ReviewInputError(Exception):
    """A problem with the user's files or configuration: says what is wrong, what was found, and the fix."""

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        self.message = message
        self.fix = fix
        super().__init__(f"{message}\nFix: {fix}" if fix else message)


class ConfigError(ReviewInputError):
    """review.yaml (or options passed in code) do not match the config section of the data contract."""


class DataError(ReviewInputError):
    """An input table does not match the data contract."""

    def __init__(
        self,
        message: str,
        *,
        file: str,
        column: str | None = None,
        row: int | None = None,
        value: object = None,
        fix: str | None = None,
        row_label: str = "row",
    ) -> None:
        self.file, self.column, self.row, self.value = file, column, row, value
        self.row_label = row_label  # "line" in a CSV (header = line 1), "sheet row" in Excel, else "row"
        where = [f"file {file}"]
        if column is not None:
            where.append(f"column '{column}'")
        if row is not None:
            where.append(f"{row_label} {row}")
        if value is not None:
            where.append(f"value {_shown(value)!r}")
        super().__init__(f"{message} ({', '.join(where)})", fix=fix)


MAX_SHOWN_VALUE = 80  # characters of a value quoted in a message: enough to find it, never a whole record


def _shown(value: object) -> object:
    """A value as a message quotes it: control characters visible, long text cut."""
    if not isinstance(value, str):
        return value
    text = value if len(value) <= MAX_SHOWN_VALUE else value[:MAX_SHOWN_VALUE] + "…"
    return text
