"""The records the Python helpers return, as frozen dataclasses in lists that become DataFrames.

>>> Records([Dependency("x", "A signed settlement", "Outcome", True)]).to_dataframe().shape
(1, 4)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, TypeVar

T = TypeVar("T")


class Records(list[T]):
    """A list of result records that converts to a pandas DataFrame (pandas is an optional extra)."""

    def to_dataframe(self) -> Any:
        """One row per record, one column per field."""
        import pandas as pd

        return pd.DataFrame([asdict(r) for r in self])  # type: ignore[call-overload]


@dataclass(frozen=True)
class Actor:
    """An actor: IRI, preferred label, kind (State, Person...), all names, Wikidata id."""

    iri: str
    label: str
    kind: str
    names: tuple[str, ...]
    wikidata: str | None


@dataclass(frozen=True)
class Quantity:
    """A quantity of a statement: the property (``duration``, ``share``...), the number and its QUDT unit IRI."""

    property: str
    value: int | float
    unit: str


@dataclass(frozen=True)
class Position:
    """One position: IRI, label, kind (Demand, Offer...), holders and addressees (IRIs; none where none is named), content, firmness and
    epistemic status (labels), modality (label, None where the text gives none), the hedge words (cue), date
    (a ``datetime.date``), sources (IRIs of who reported it), topics (issue IRIs), quantities, and the article IRI."""

    iri: str
    label: str
    kind: str
    holders: tuple[str, ...]
    addressees: tuple[str, ...]
    content: str
    firmness: str
    status: str
    modality: str | None = None
    cue: str | None = None
    date: Any = None
    sources: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    article: str | None = None


@dataclass(frozen=True)
class Dependency:
    """A statement on the other end of kg:dependsOn: IRI, label, kind, and whether the link is one step (direct)."""

    iri: str
    label: str
    kind: str
    direct: bool


@dataclass(frozen=True)
class Conflict:
    """Two positions that conflict, and the kg:Conflict node that describes them (None if there is none)."""

    position: str
    position_label: str
    other: str
    other_label: str
    conflict: str | None
    label: str | None


@dataclass(frozen=True)
class Evidence:
    """Where a statement comes from: exact quote and its code-point offsets in the raw article text,
    normalised text, article (source), who reported it (IRIs and labels), firmness, status and cue."""

    statement: str
    quote: str
    start: int
    end: int
    text: str
    source: str
    reported_by: tuple[str, ...]
    reporters: tuple[str, ...]
    firmness: str | None
    status: str | None
    cue: str | None
