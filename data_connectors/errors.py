"""Errors raised by connectors. The app shell turns each into one clear message on screen."""

from __future__ import annotations


class LoyaltyLensError(Exception):
    """Base class: the message is written for the person using the app, not for a developer."""


class DataSourceError(LoyaltyLensError):
    """The source cannot be reached or read (bad URL, refused connection, timeout).

    ``part`` names what was being read when it failed (a table, a query), if known.
    """

    def __init__(self, message: str, *, part: str | None = None) -> None:
        super().__init__(message)
        self.part = part


class SchemaError(LoyaltyLensError):
    """The source lacks a table or a required column. ``problems`` lists every one found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class FileFormatError(LoyaltyLensError):
    """An uploaded file cannot be read as a table (unknown format, bad encoding, no header).

    The message names the file (and sheet) and what is wrong with it.
    """


class AmbiguousDatesError(LoyaltyLensError):
    """Dates in a column could be day-first or month-first: the user must say which.

    ``column`` names the file column; ``examples`` holds a few values that fit both readings.
    """

    def __init__(self, message: str, *, column: str, examples: tuple[str, ...]) -> None:
        super().__init__(message)
        self.column = column
        self.examples = examples
