"""Findings about input data: errors stop a build, warnings are reported and kept.

Every finding names where it is (file, sheet, row, column), the value, and says in
Danish what is wrong and how to fix it.  Library code raises or collects these;
the CLI and the app turn them into messages.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

ERROR = "fejl"
WARNING = "advarsel"


@dataclass(frozen=True)
class Issue:
    """One finding about the input, located as precisely as known."""

    severity: str
    message: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    hint: str = ""

    @property
    def is_error(self) -> bool:
        """True for findings that stop a build."""
        return self.severity == ERROR

    def location(self) -> str:
        """Where the finding is, in Danish: 'fil tilbud.csv, ark Tilbud, række 7, kolonne Temaer'."""
        parts = []
        if self.file:
            parts.append(f"fil {self.file}")
        if self.sheet:
            parts.append(f"ark {self.sheet}")
        if self.row is not None:
            parts.append(f"række {self.row}")
        if self.column:
            parts.append(f"kolonne {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = f"{self.severity.capitalize()}: {self.message}"
        where = self.location()
        if where:
            text = f"{text} ({where})"
        if self.value:
            text = f"{text}. Værdi: {self.value!r}"
        if self.hint:
            text = f"{text}. {self.hint}"
        return text

    def as_dict(self) -> dict:
        """Plain dict, for tables and the database."""
        return asdict(self)


ISSUE_COLUMNS = [f.name for f in fields(Issue)]


def error(message: str, **where) -> Issue:
    """An error at ``where`` (file, sheet, row, column, value, hint)."""
    return Issue(ERROR, message, **where)


def warning(message: str, **where) -> Issue:
    """A warning at ``where`` (file, sheet, row, column, value, hint)."""
    return Issue(WARNING, message, **where)


class InputError(Exception):
    """Input that cannot be loaded; carries every error found (not just the first)."""

    def __init__(self, issues: list[Issue]):
        self.issues = [i for i in issues if i.is_error] or list(issues)
        self.warnings = [i for i in issues if not i.is_error and i not in self.issues]
        """Warnings found on the way, which often explain the errors (a file left out, another version)."""
        first = str(self.issues[0]) if self.issues else "Ukendt fejl i input"
        more = len(self.issues) - 1
        super().__init__(first if more <= 0 else f"{first} (og {more} fejl mere)")

    @property
    def with_warnings(self) -> list[Issue]:
        """The errors, then the warnings that often explain them: what a report of the failure shows."""
        return [*self.issues, *self.warnings]
