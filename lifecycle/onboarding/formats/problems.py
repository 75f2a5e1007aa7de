"""Problems in the onboarding files: `LoadError` (one problem, with its file, line and column, in plain English) and
`ErrorList` (every one found, the first MAX_ERRORS_LISTED kept). Lines are counted as a spreadsheet shows them: line
1 is the header row."""

from dataclasses import dataclass

MAX_ERRORS_LISTED = 1000


@dataclass
class LoadError:
    """One problem in the files: where it is, and what is wrong in plain English."""

    file: str
    line: int
    column: str
    message: str
    value: str = ""
    column_letter: str = ""

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "column_letter": self.column_letter,
            "value": self.value,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}"
        if self.column:
            letter = f" {self.column_letter}" if self.column_letter else ""
            where += f", column{letter} ({self.column})"
        return f"{where}: {self.message}"


def column_letter(index: int) -> str:
    """A spreadsheet's column letter for a 0-based index: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


class ErrorList:
    """Every error found, in order; keeps the first MAX_ERRORS_LISTED and counts the rest."""

    def __init__(self) -> None:
        self.items: list[LoadError] = []
        self.count = 0

    def add(self, error: LoadError) -> None:
        self.count += 1
        if len(self.items) < MAX_ERRORS_LISTED:
            self.items.append(error)

    def __bool__(self) -> bool:
        return self.count > 0

    def __len__(self) -> int:
        return self.count
