"""Stores that answer SPARQL over the built dataset: embedded rdflib (the default).

Every store takes a query and RDF-term bindings and returns a :class:`QueryResult` whose
values are rdflib terms, so the helpers above it do not care which engine answered.

>>> store = RdflibStore.from_file(DEFAULT_DATASET)
>>> result = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
>>> int(result.rows[0]["n"]) > 1000
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset, Variable
from rdflib.term import Identifier

from kg.annotations import PROJECT_ROOT

DEFAULT_DATASET = PROJECT_ROOT / "data" / "build" / "kg.trig"


@dataclass
class QueryResult:
    """Rows of a SELECT (each a dict from variable name to rdflib term), or an ASK boolean."""

    vars: list[str]
    rows: list[dict[str, Identifier]] = field(default_factory=list)
    boolean: bool | None = None

    def to_dataframe(self) -> Any:
        """The rows as a pandas DataFrame of strings (needs the optional pandas extra)."""
        import pandas as pd

        return pd.DataFrame([{v: (str(r[v]) if v in r else None) for v in self.vars} for r in self.rows],
                            columns=self.vars)


class RdflibStore:
    """The embedded default: an rdflib Dataset whose default graph is the union of all graphs."""

    name = "rdflib"

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    @classmethod
    def from_file(cls, path: Path | str) -> RdflibStore:
        """Load a TriG or N-Quads file."""
        ds = Dataset(default_union=True)
        ds.parse(str(path), format="nquads" if str(path).endswith(".nq") else "trig")
        return cls(ds)

    def select(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        """Run a SELECT or ASK query with variables bound to RDF terms (never pasted into the text)."""
        result = self.dataset.query(sparql, initBindings={Variable(k): v for k, v in (bindings or {}).items()})
        if result.type == "ASK":
            return QueryResult([], [], bool(result.askAnswer))
        names = [str(v) for v in result.vars or []]
        rows = [{name: row[i] for i, name in enumerate(names) if row[i] is not None} for row in result]
        return QueryResult(names, rows)
