"""Errors a user can act on: one line each, naming the file, the item and the fix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's input, printed as a single line."""

    file: str
    item: str
    message: str
    fix: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.item}: {self.message}"
        return f"{text}; fix: {self.fix}" if self.fix else text


class InputError(Exception):
    """Bad input (exit code 2). Carries every problem found, not only the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def one(
        cls, file: str, item: str, message: str, fix: str = "", line: int | None = None
    ) -> InputError:
        return cls([Problem(file, item, message, fix, line)])
