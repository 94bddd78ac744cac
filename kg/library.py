"""The library of named SPARQL queries shipped in ``kg/queries/*.rq``.

Each file starts with a header (``# name:``, ``# cq:`` the competency question it answers,
``# description:``, ``# params:``, ``# example:``) and is read once per process.

>>> q = named_queries()["positions"]
>>> q.cq, q.param_names
('CQ2', ['holder', 'kind'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

QUERY_DIR = resources.files("kg") / "queries"
HEADER = re.compile(r"^#\s*(\w+):\s*(.*)$")


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library: its name, header fields (cq: the competency question it answers) and SPARQL text."""

    name: str
    description: str
    params: str
    example: str
    sparql: str
    cq: str = ""

    @property
    def param_names(self) -> list[str]:
        """The parameters of the header, e.g. ``['holder', 'kind']`` for "holder (...), kind (...)"."""
        return re.findall(r"(?:^|\),\s*)(\w+)\s*\(", self.params)


@cache
def named_queries() -> dict[str, NamedQuery]:
    """The query library, by name."""
    library = {}
    for entry in sorted(QUERY_DIR.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".rq"):
            continue
        text = entry.read_text(encoding="utf-8")
        header = {m.group(1): m.group(2).strip() for m in map(HEADER.match, text.splitlines()) if m}
        name = header.get("name", entry.name[:-3])
        library[name] = NamedQuery(name, header.get("description", ""), header.get("params", ""),
                                   header.get("example", ""), text, header.get("cq", ""))
    return library
