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
    ) -> None:
        self.file, self.column, self.row, self.value = file, column, row, value
        where = [f"file {file}"]
        if column is not None:
            where.append(f"column '{column}'")
        if row is not None:
            # Data row N sits on line N + 1 of a CSV with a header line.
            where.append(f"row {row}")
        if value is not None:
            where.append(f"value {value!r}")
        super().__init__(f"{message} ({', '.join(where)})", fix=fix)
