"""Errors that point at the input: file, line, what is wrong, how to fix it.

>>> str(InputError("data/x.yaml", 3, "unknown actor 'usa'", "use one of the ids in data/entities.yaml"))
"data/x.yaml:3: unknown actor 'usa' (fix: use one of the ids in data/entities.yaml)"
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class InputError:
    """One problem in an input file."""

    path: str | Path
    line: int | None
    message: str
    fix: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.message}" + (f" (fix: {self.fix})" if self.fix else "")


class KgError(Exception):
    """Raised with every problem found, so that one run reports them all.

    >>> print(KgError([InputError("a.yaml", 1, "bad")]))
    a.yaml:1: bad
    """

    def __init__(self, problems: list[InputError] | str) -> None:
        if isinstance(problems, str):
            problems = [InputError("kg", None, problems)]
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
