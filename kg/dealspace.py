"""What would it take to make a deal: the positions of a negotiation compiled for an answer set solver (clingo).

The network (:func:`kg.network.network`) is read once into a :class:`Model`: positions, their
``depends-on`` and ``conflicts-with`` pairs, ``supports`` pairs and what each position costs its
holder to give up. The model is then solved with clingo, a real ASP solver, to answer:

* **Consistent sets** (:func:`consistent_sets`): the subset-maximal sets of positions that can all
  hold together. Two conflicting positions never both hold; a position holds only if everything
  it depends on holds. Maximality comes from clingo's domain heuristics (``--enum-mode=domRec``).
* **Dung extensions** (:func:`extensions`): grounded, preferred, stable, complete and admissible
  sets of an abstract argumentation framework, with encodings written in the ASPARTIX style (a
  guess of ``in`` atoms, constraints for the semantics; preferred by heuristic maximisation,
  grounded as the cautious consequences of the complete encoding). On the network the arguments
  are the positions and the attacks are :func:`attacks_of`: every conflict in both directions,
  plus (``fold=True``) *supported attacks* (if A supports B, directly or through a chain of
  supports, and B attacks C, then A attacks C) and *attacks on conditions* (if C attacks B and A
  depends on B, directly or transitively, then C attacks A: whoever blocks a condition blocks
  what needs it).
* **Concession sets** (:func:`concession_sets`): for a goal position, the sets of positions that
  their holders must give up so that the goal and everything it depends on (transitively) can
  hold. A given-up position no longer holds, nor does anything that depends on it (it *falls*,
  at no further cost). A set is a solution when no needed position conflicts with a position that
  still holds (``scope="goal"``, the default), or when every conflict left in the graph is
  resolved (``scope="all"``: a whole deal). Sets are ranked by cost, the sum of the weights of the
  positions given up (:data:`DEFAULT_WEIGHTS`); ``mode="optimal"`` enumerates every minimum-cost
  set (``#minimize`` with ``--opt-mode=optN``, core-guided ``--opt-strategy=usc``), ``mode="subset-minimal"`` every set no smaller set
  would do (``domRec`` with a false-sign heuristic on the given-up atoms).
* **Hedged dependencies**: a ``depends-on`` edge may carry ``firmness`` or ``modality``.
  ``include_hedged=False`` leaves out edges whose modality is ``possible`` or whose firmness is
  ``hinted``; ``min_firmness="stated"`` leaves out edges whose firmness ranks below it
  (:data:`FIRMNESS_RANK`). An edge without these attributes is firm and always kept.
* **Bargaining ranges** (:func:`bargaining_ranges`): positions stating numbers on the same
  quantity (property and unit) of the same issue: the zone of possible agreement, or the gap.
* **What-if**: ``assume`` forces positions to hold (with what they depend on), ``drop`` takes
  positions out (what depends on them falls); both are free, they are the premise.

Everything comes together in :func:`dealspace`, whose :class:`DealSpace` has ``to_json()``, a text
table (:func:`table`) and a graph-page overlay (:func:`overlay`). :func:`register` adds the
``dealspace`` subcommand to ``kg analyze``.

An invented example, not from any article: A's offer needs B's condition, which C's demand blocks.

>>> g = toy_graph({"offer": ("A", "stated"), "condition": ("B", "described"), "demand": ("C", "insisted")},
...               depends=[("offer", "condition")], conflicts=[("condition", "demand")])
>>> [(s.cost, [c.position for c in s.concessions]) for s in dealspace(g, goal="offer").concessions]
[(4, ['demand'])]
"""

from __future__ import annotations

import argparse
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import clingo
import networkx as nx

from kg.articles import cite, statement_id
from kg.errors import KgError

# ---------------------------------------------------------------------------------------------
# Weights and firmness
# ---------------------------------------------------------------------------------------------

DEFAULT_WEIGHTS: dict[str, int] = {
    "hinted": 1, "described": 1, "reported": 1, "stated": 2, "pushed for": 2, "argued": 2,
    "maintained": 3, "insisted": 4, "ultimatum": 5,
    "unknown": 2,    # a position without a firmness
    "no holder": 1,  # a reported possibility nobody holds: cheap to give up, whatever its firmness
}
"""What giving up a position costs, by its firmness (labels as in the graph, lower case)."""

FIRMNESS_RANK: dict[str, int] = {
    "hinted": 1, "reported": 2, "described": 2, "stated": 2, "pushed for": 3, "argued": 3,
    "maintained": 3, "insisted": 4, "ultimatum": 5,
}
"""The order of firmness (kg:rank in the ontology; 'reported' ranks with 'described')."""

HEDGED_MODALITIES = ("possible",)
"""Edge modalities that make a dependency hedged."""


def firmness_key(label: object) -> str:
    """A firmness label in the form of :data:`DEFAULT_WEIGHTS`: lower case, words split by spaces.

    >>> firmness_key("Pushed-For"), firmness_key("kg:Insisted"), firmness_key(None)
    ('pushed for', 'insisted', 'unknown')
    """
    if label is None or label == "":
        return "unknown"
    text = str(label).rsplit("#", 1)[-1].rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    if text == "PushedFor":
        text = "pushed for"
    return " ".join(text.replace("-", " ").replace("_", " ").lower().split())


def weight_of(attrs: Mapping[str, Any], weights: Mapping[str, int] | None = None) -> int:
    """What giving up a position with these node attributes costs.

    >>> weight_of({"firmness": "insisted", "holders": ["urn:x:russia"]}), weight_of({"firmness": "insisted"})
    (4, 1)
    """
    table = {**DEFAULT_WEIGHTS, **{firmness_key(k): v for k, v in (weights or {}).items()}}
    if not attrs.get("holders"):
        return table["no holder"]
    return table.get(firmness_key(attrs.get("firmness")), table["unknown"])


def hedged(attrs: Mapping[str, Any], *, include_hedged: bool = True, min_firmness: str | None = None) -> bool:
    """Whether a dependency edge with these attributes is left out under the options.

    >>> hedged({"modality": "Possible"}, include_hedged=False), hedged({"modality": "Possible"})
    (True, False)
    >>> hedged({"firmness": "hinted"}, min_firmness="stated"), hedged({}, min_firmness="insisted")
    (True, False)
    """
    firmness = attrs.get("firmness")
    if not include_hedged and (firmness_key(attrs.get("modality")) in HEDGED_MODALITIES or firmness_key(firmness) == "hinted"):
        return True
    if min_firmness and firmness is not None:
        wanted = FIRMNESS_RANK.get(firmness_key(min_firmness))
        if wanted is None:
            raise KgError(f"unknown firmness {min_firmness!r} (use one of: {', '.join(FIRMNESS_RANK)})")
        return FIRMNESS_RANK.get(firmness_key(firmness), 0) < wanted
    return False


# ---------------------------------------------------------------------------------------------
# The model: what the solver sees
# ---------------------------------------------------------------------------------------------


def _reach(edges: Iterable[tuple[str, str]], start: Iterable[str]) -> set[str]:
    """Every node reached from ``start`` along ``edges`` (start nodes only if reached again, in a cycle)."""
    targets: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        targets[a].append(b)
    seen: set[str] = set()
    todo = list(start)
    while todo:
        for b in targets[todo.pop()]:
            if b not in seen:
                seen.add(b)
                todo.append(b)
    return seen


@dataclass(frozen=True)
class Model:
    """Positions and their relations, independent of the graph they were read from.

    ``depends`` pairs read (position, what it depends on); ``conflicts`` pairs are symmetric by
    meaning and stored once; ``costs`` maps each position to its weight (default 1).
    """

    positions: tuple[str, ...]
    depends: tuple[tuple[str, str], ...] = ()
    conflicts: tuple[tuple[str, str], ...] = ()
    supports: tuple[tuple[str, str], ...] = ()
    costs: Mapping[str, int] = field(default_factory=dict)
    hedged: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        known = set(self.positions)
        for a, b in (*self.depends, *self.conflicts, *self.supports):
            if a not in known or b not in known:
                raise KgError(f"relation ({a}, {b}) names a position that is not in the model")
        for p, w in self.costs.items():
            if not isinstance(w, int) or w < 1:
                raise KgError(f"the weight of {p} must be a positive whole number, not {w!r}")

    def cost(self, position: str) -> int:
        """What giving up ``position`` costs."""
        return self.costs.get(position, 1)

    def closure(self, start: Iterable[str]) -> set[str]:
        """``start`` and everything it depends on, transitively.

        >>> sorted(Model(("a", "b", "c"), depends=(("a", "b"), ("b", "c"))).closure(["b"]))
        ['b', 'c']
        """
        start = set(start)
        return start | _reach(self.depends, start)

    def dependents(self, start: Iterable[str]) -> set[str]:
        """Everything that depends on ``start``, transitively (without ``start`` itself unless in a cycle)."""
        return _reach(((b, a) for a, b in self.depends), start)


def _is_position(g: nx.MultiDiGraph, node: str) -> bool:
    return g.nodes[node].get("kind") == "position"


def positions_of(g: nx.MultiDiGraph, *, article: str | None = None, issue: str | None = None) -> list[str]:
    """The positions of the graph, of one article (id or IRI) and about one issue (a ``topic`` edge), sorted."""
    found = [n for n in g if _is_position(g, n)]
    if article:
        found = [n for n in found if str(g.nodes[n].get("source", "")).rsplit("/", 1)[-1] == article.rsplit("/", 1)[-1]
                 or n.startswith(article.rstrip("/") + "/")]
    if issue:
        from kg.network import find_node

        target = find_node(g, issue)
        found = [n for n in found if g.has_edge(n, target, key="topic")]
    return sorted(found)


def model_of(g: nx.MultiDiGraph, *, positions: Iterable[str] | None = None, weights: Mapping[str, int] | None = None,
             include_hedged: bool = True, min_firmness: str | None = None, keep: Iterable[str] = ()) -> Model:
    """Read the positions of a network and their relations into a :class:`Model`.

    ``positions`` restricts the model (default: every position); ``keep`` adds positions back with
    everything they depend on (a goal always keeps its conditions). Hedged dependencies are left
    out as :func:`hedged` says, and listed in ``Model.hedged``.
    """
    chosen = set(positions_of(g) if positions is None else positions)
    edges = [(u, v, k, d) for u, v, k, d in g.edges(keys=True, data=True)
             if k in ("depends-on", "conflicts-with", "supports") and _is_position(g, u) and _is_position(g, v)]
    left_out = {(u, v) for u, v, k, d in edges if k == "depends-on" and hedged(d, include_hedged=include_hedged, min_firmness=min_firmness)}
    depends = {(u, v) for u, v, k, _ in edges if k == "depends-on"} - left_out
    todo = [n for n in keep if n not in chosen]
    chosen.update(todo)
    while todo:
        node = todo.pop()
        for u, v in depends:
            if u == node and v not in chosen:
                chosen.add(v)
                todo.append(v)
    inside = [(u, v, k) for u, v, k, _ in edges if u in chosen and v in chosen]
    return Model(
        positions=tuple(sorted(chosen)),
        depends=tuple(sorted((u, v) for u, v, k in inside if k == "depends-on" and (u, v) in depends)),
        conflicts=tuple(sorted({tuple(sorted((u, v))) for u, v, k in inside if k == "conflicts-with"})),  # type: ignore[misc]
        supports=tuple(sorted({(u, v) for u, v, k in inside if k == "supports"})),
        costs={n: weight_of(g.nodes[n], weights) for n in sorted(chosen)},
        hedged=tuple(sorted(left_out)),
    )


# ---------------------------------------------------------------------------------------------
# ASP encodings (our own, in the style of ASPARTIX: facts, a guess, constraints)
# ---------------------------------------------------------------------------------------------

CONSISTENT = """
% guess: any set of positions may hold
{ hold(X) } :- pos(X).
% a position holds only if every position it depends on holds
:- hold(X), dep(X,Y), not hold(Y).
% two conflicting positions never both hold
:- hold(X), hold(Y), con(X,Y).
% what-if: assumed positions hold, dropped ones do not
:- assume(X), not hold(X).
:- gone(X), hold(X).
% subset-maximal sets: prefer hold(X) true, enumerated with --enum-mode=domRec
#heuristic hold(X) : pos(X). [1,true]
#show hold/1.
"""

DUNG_BASE = """
% guess: a set of arguments; it must be conflict-free
{ in(X) } :- arg(X).
:- in(X), in(Y), att(X,Y).
% beaten(X): some member attacks X; exposed(X): an attacker of X is not beaten (X is not defended)
beaten(X) :- in(Y), att(Y,X).
exposed(X) :- att(Y,X), not beaten(Y).
#show in/1.
"""
ADMISSIBLE = ":- in(X), exposed(X).\n"
COMPLETE = ADMISSIBLE + ":- arg(X), not in(X), not exposed(X).\n"
STABLE = ":- arg(X), not in(X), not beaten(X).\n"
MAXIMAL = "#heuristic in(X) : arg(X). [1,true]\n"

SEMANTICS: dict[str, tuple[str, list[str]]] = {
    "conflict-free": ("", []),
    "admissible": (ADMISSIBLE, []),
    "complete": (COMPLETE, []),
    "stable": (STABLE, []),
    "preferred": (ADMISSIBLE + MAXIMAL, ["--heuristic=Domain", "--enum-mode=domRec"]),
    "grounded": (COMPLETE, ["--enum-mode=cautious"]),  # the intersection of the complete extensions
}
"""Each Dung semantics: the constraints added to :data:`DUNG_BASE` and the clingo options."""

CONCESSION = """
% needed: the goal, the assumed positions and everything they depend on
need(X) :- goal(X).
need(X) :- assume(X).
need(Y) :- need(X), dep(X,Y).
% relevant: positions whose loss can resolve a conflict (a conflicting position or one of its conditions)
rel(Y) :- blocks(X,Y).
rel(Z) :- rel(Y), dep(Y,Z).
% guess: which relevant positions their holders give up
{ give(X) } :- rel(X), not need(X), not gone(X).
% a position is out if it is given up, dropped (what-if), or depends on a position that is out
out(X) :- give(X).
out(X) :- gone(X).
out(X) :- dep(X,Y), out(Y).
% what is needed must hold; no conflict that matters may remain
:- need(X), out(X).
:- unresolved(X,Y).
#show give/1.
"""
SCOPE_GOAL = "blocks(X,Y) :- need(X), con(X,Y).\nunresolved(X,Y) :- need(X), con(X,Y), not out(Y).\n"
SCOPE_ALL = "blocks(X,Y) :- con(X,Y).\nunresolved(X,Y) :- con(X,Y), not out(X), not out(Y).\n"
OPTIMAL = "#minimize { W,X : give(X), cost(X,W) }.\n"
SUBSET_MINIMAL = "#heuristic give(X) : rel(X). [1,false]\n"


class _Index:
    """Positions as numbers for the solver (fast to ground, nothing to escape)."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = list(names)
        self.number = {n: i for i, n in enumerate(self.names)}

    def facts(self, predicate: str, items: Iterable[str | tuple[str, ...]], extra: Mapping[str, int] | None = None) -> str:
        lines = []
        for item in items:
            args = [self.number[x] for x in ((item,) if isinstance(item, str) else item)]
            if extra is not None:
                args.append(extra[item])  # type: ignore[index]
            lines.append(f"{predicate}({','.join(map(str, args))}).")
        return "\n".join(lines) + "\n"

    def names_of(self, symbols: Iterable[clingo.Symbol]) -> frozenset[str]:
        return frozenset(self.names[s.arguments[0].number] for s in symbols)


@dataclass
class _Run:
    """What one solver call found."""

    models: list[tuple[frozenset[str], int]] = field(default_factory=list)
    complete: bool = True
    first_seconds: float | None = None


def _solve(program: str, options: Sequence[str], index: _Index, *, limit: int | None = None,
           optimal_only: bool = False, last_only: bool = False) -> _Run:
    """Ground and solve; collect the shown atoms of each model (only proven optimal ones if ``optimal_only``)."""
    import time

    start = time.perf_counter()
    ctl = clingo.Control(["--models=0", *options], logger=lambda code, message: None)
    ctl.add("base", [], program)
    ctl.ground([("base", [])])
    run = _Run()
    with ctl.solve(yield_=True) as handle:
        for m in handle:
            if optimal_only and m.cost and not m.optimality_proven:  # an improving model, not yet an optimal one
                continue
            if run.first_seconds is None:
                run.first_seconds = time.perf_counter() - start
            found = (index.names_of(m.symbols(shown=True)), sum(m.cost) if m.cost else 0)
            if last_only:
                run.models = [found]
                continue
            run.models.append(found)
            if limit is not None and len(run.models) >= limit:
                run.complete = False
                break
    return run


# ---------------------------------------------------------------------------------------------
# Consistent sets and Dung semantics
# ---------------------------------------------------------------------------------------------


def consistent_sets(model: Model, *, assume: Iterable[str] = (), drop: Iterable[str] = (),
                    limit: int | None = 1000) -> list[frozenset[str]]:
    """The subset-maximal sets of positions that can hold together, sorted (largest first).

    Invented example, not from any article: a and b conflict, c needs a.

    >>> m = Model(("a", "b", "c"), depends=(("c", "a"),), conflicts=(("a", "b"),))
    >>> [sorted(s) for s in consistent_sets(m)]
    [['a', 'c'], ['b']]
    >>> [sorted(s) for s in consistent_sets(m, drop=["a"])]
    [['b']]
    """
    index = _Index(model.positions)
    program = (CONSISTENT + index.facts("pos", model.positions) + index.facts("dep", model.depends)
               + index.facts("con", [*model.conflicts, *((b, a) for a, b in model.conflicts)])
               + index.facts("assume", _known(model, assume)) + index.facts("gone", _known(model, drop)))
    run = _solve(program, ["--heuristic=Domain", "--enum-mode=domRec"], index, limit=limit)
    return sorted((s for s, _ in run.models), key=lambda s: (-len(s), sorted(s)))


def _known(model: Model, names: Iterable[str]) -> list[str]:
    names = list(names)
    unknown = sorted(set(names) - set(model.positions))
    if unknown:
        raise KgError(f"not a position of the model: {', '.join(unknown)}")
    return names


def extensions(arguments: Iterable[str], attacks: Iterable[tuple[str, str]], semantics: str = "preferred",
               limit: int | None = 10_000) -> list[frozenset[str]]:
    """The extensions of an abstract argumentation framework under a Dung semantics (:data:`SEMANTICS`), sorted.

    The odd cycle a -> b -> c -> a (invented, the standard example):

    >>> odd = [("a", "b"), ("b", "c"), ("c", "a")]
    >>> extensions("abc", odd, "preferred"), extensions("abc", odd, "stable")
    ([frozenset()], [])
    >>> [sorted(e) for e in extensions("abc", [("a", "b"), ("b", "c")], "grounded")]
    [['a', 'c']]
    """
    if semantics not in SEMANTICS:
        raise KgError(f"unknown semantics {semantics!r} (use one of: {', '.join(SEMANTICS)})")
    args = sorted(set(arguments))
    pairs = sorted(set(attacks))
    index = _Index(args)
    constraints, options = SEMANTICS[semantics]
    program = DUNG_BASE + constraints + index.facts("arg", args) + index.facts("att", pairs)
    run = _solve(program, options, index, limit=None if semantics == "grounded" else limit, last_only=semantics == "grounded")
    return sorted({s for s, _ in run.models}, key=lambda s: (len(s), sorted(s)))


def attacks_of(model: Model, fold: bool = True) -> list[tuple[str, str]]:
    """The attack relation over the positions: conflicts both ways, plus (``fold``) supported attacks and attacks on conditions.

    Invented example: a supports b, b conflicts with c, d depends on c.

    >>> m = Model(("a", "b", "c", "d"), depends=(("d", "c"),), conflicts=(("b", "c"),), supports=(("a", "b"),))
    >>> attacks_of(m)
    [('a', 'c'), ('a', 'd'), ('b', 'c'), ('b', 'd'), ('c', 'b')]
    """
    attacks = {(a, b) for a, b in model.conflicts} | {(b, a) for a, b in model.conflicts}
    if fold:
        support = nx.DiGraph(list(model.supports))
        dep = nx.DiGraph(list(model.depends))
        supported = {(a, c) for b, c in attacks if b in support for a in nx.ancestors(support, b)}
        attacks |= supported
        attacks |= {(c, a) for c, b in attacks if b in dep for a in nx.ancestors(dep, b)}
    return sorted(attacks)


# ---------------------------------------------------------------------------------------------
# Concession sets
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Solution:
    """One concession set as the solver found it: what is given up, what falls with it, the cost."""

    give_up: frozenset[str]
    falls: frozenset[str]
    cost: int


@dataclass(frozen=True)
class Solutions:
    """Every concession set found, with whether the enumeration finished and how long the first one took."""

    sets: tuple[Solution, ...]
    complete: bool
    first_seconds: float | None
    total_seconds: float
    infeasible: str | None = None


def concession_sets(model: Model, goal: str | Iterable[str], *, assume: Iterable[str] = (), drop: Iterable[str] = (),
                    mode: str = "optimal", scope: str = "goal", limit: int | None = 100) -> Solutions:
    """The sets of positions to give up so that ``goal`` (one or more positions) and all it depends on can hold.

    ``mode``: ``optimal`` (every minimum-cost set) or ``subset-minimal`` (every set without a
    smaller one inside, cheapest first). ``scope``: ``goal`` (conflicts with needed positions) or
    ``all`` (every conflict). Invented example, not from any article: g needs c; c conflicts with
    x and y; y needs z (cheaper than y).

    >>> m = Model(("g", "c", "x", "y", "z"), depends=(("g", "c"), ("y", "z")), conflicts=(("c", "x"), ("c", "y")),
    ...           costs={"g": 1, "c": 1, "x": 2, "y": 3, "z": 1})
    >>> [(sorted(s.give_up), sorted(s.falls), s.cost) for s in concession_sets(m, "g").sets]
    [(['x', 'z'], ['y'], 3)]
    """
    import time

    if mode not in ("optimal", "subset-minimal"):
        raise KgError(f"unknown mode {mode!r} (use optimal or subset-minimal)")
    if scope not in ("goal", "all"):
        raise KgError(f"unknown scope {scope!r} (use goal or all)")
    goals = [goal] if isinstance(goal, str) else list(goal)
    assume, drop = _known(model, [*goals, *assume])[len(goals):], _known(model, drop)
    start = time.perf_counter()
    reason = infeasibility(model, [*goals, *assume], drop)
    if reason:
        return Solutions((), True, None, time.perf_counter() - start, reason)
    index = _Index(model.positions)
    program = (CONCESSION + (SCOPE_GOAL if scope == "goal" else SCOPE_ALL) + (OPTIMAL if mode == "optimal" else SUBSET_MINIMAL)
               + index.facts("pos", model.positions) + index.facts("dep", model.depends)
               + index.facts("con", [*model.conflicts, *((b, a) for a, b in model.conflicts)])
               + index.facts("cost", model.positions, {p: model.cost(p) for p in model.positions})
               + index.facts("goal", goals) + index.facts("assume", assume) + index.facts("gone", drop))
    # core-guided optimisation (usc) proves the optimum where branch-and-bound stalls (10,000 positions: <1 s against minutes)
    options = ["--opt-mode=optN", "--opt-strategy=usc"] if mode == "optimal" else ["--heuristic=Domain", "--enum-mode=domRec"]
    run = _solve(program, options, index, limit=limit, optimal_only=mode == "optimal")
    sets = []
    for give_up, _ in run.models:
        falls = model.dependents([*give_up, *drop]) - give_up - set(drop)
        sets.append(Solution(give_up, frozenset(falls), sum(model.cost(p) for p in give_up)))
    sets.sort(key=lambda s: (s.cost, len(s.give_up), sorted(s.give_up)))
    infeasible = None if sets else "no set of concessions resolves the conflicts (a needed position conflicts with another one)"
    return Solutions(tuple(sets), run.complete, run.first_seconds, time.perf_counter() - start, infeasible)


def infeasibility(model: Model, needed_start: Iterable[str], drop: Iterable[str]) -> str | None:
    """Why the needed positions cannot hold whatever anyone gives up, or None if they can.

    >>> infeasibility(Model(("a", "b", "c"), depends=(("a", "b"), ("a", "c")), conflicts=(("b", "c"),)), ["a"], [])
    'b and c are both needed and conflict'
    """
    needed = model.closure(needed_start)
    for a, b in model.conflicts:
        if a in needed and b in needed:
            return f"{a} and {b} are both needed and conflict"
    fallen = set(drop) | model.dependents(drop)
    lost = sorted(needed & fallen)
    if lost:
        return f"{', '.join(lost)} needed but dropped or dependent on a dropped position"
    return None


# ---------------------------------------------------------------------------------------------
# Bargaining ranges
# ---------------------------------------------------------------------------------------------

UNIT_WORDS = {"YR": "year", "MO": "month", "WK": "week", "DAY": "day", "PERCENT": "percent", "KiloM": "km",
              "KiloM2": "km²", "USD": "USD", "EUR": "EUR"}


@dataclass(frozen=True)
class Stance:
    """A number (or range) one position states: ``low`` = ``high`` for a single number."""

    position: str
    label: str
    holders: tuple[str, ...]
    low: float
    high: float


@dataclass(frozen=True)
class Range:
    """Positions on the same quantity of one issue: the zone of possible agreement or the gap."""

    issue: str | None
    quantity: str
    unit: str
    stances: tuple[Stance, ...]
    overlap: tuple[float, float] | None
    gap: float | None

    @property
    def text(self) -> str:
        """The answer in words.

        >>> Range("i", "duration", "YR", (), None, 35).text, Range("i", "duration", "YR", (), (20, 30), None).text
        ('no overlap: gap of 35 years', 'zone of possible agreement: 20 to 30 years')
        """
        if self.overlap is None:
            return f"no overlap: gap of {_amount(self.gap or 0, self.unit)}"
        low, high = self.overlap
        if low == high:
            return f"agreement at {_amount(low, self.unit)}"
        return f"zone of possible agreement: {_number(low)} to {_amount(high, self.unit)}"


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _amount(x: float, unit: str) -> str:
    word = UNIT_WORDS.get(unit, unit)
    if word == "percent":
        return f"{_number(x)}%"
    return f"{_number(x)} {word}{'' if x == 1 or word.upper() == word or not word.isalpha() else 's'}"


def _local(iri: object) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def annotate_quantities(g: nx.MultiDiGraph, graph: Any) -> nx.MultiDiGraph:
    """Add the ``quantities`` node attribute from the RDF (the ``quantities`` named query): property, value, unit.

    The graph states single numbers today; nodes of invented graphs may carry ranges as
    ``{"property": ..., "unit": ..., "min": ..., "max": ...}``.
    """
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in graph.named("quantities").rows:
        node = str(row["statement"])
        value = row["value"].toPython() if hasattr(row["value"], "toPython") else row["value"]
        found[node].append({"property": _local(row["property"]), "unit": _local(row["unit"]), "value": float(value)})
    for node, quantities in found.items():
        if node in g:
            g.nodes[node]["quantities"] = sorted(quantities, key=lambda q: (q["property"], q["unit"], q["value"]))
    return g


def bargaining_ranges(g: nx.MultiDiGraph, positions: Iterable[str] | None = None) -> list[Range]:
    """Positions that state numbers on the same quantity (property and unit) of the same issue, two or more.

    A single number is a point; ``min``/``max`` give a range (one of them alone: open on the other
    side). The zone of possible agreement is the intersection of every stance; when it is empty,
    the gap is the highest low minus the lowest high.

    Invented example, not from any article: an offer of 15 years against a demand of 50.

    >>> g = toy_graph({"offer": ("A", "stated"), "demand": ("B", "insisted")}, issues={"offer": "term", "demand": "term"},
    ...               quantities={"offer": {"property": "duration", "unit": "YR", "value": 15},
    ...                           "demand": {"property": "duration", "unit": "YR", "value": 50}})
    >>> [r.text for r in bargaining_ranges(g)]
    ['no overlap: gap of 35 years']
    """
    chosen = positions_of(g) if positions is None else sorted(positions)
    groups: dict[tuple[str | None, str, str], list[Stance]] = defaultdict(list)
    for node in chosen:
        attrs = g.nodes[node]
        issues = sorted(v for _, v, k in g.out_edges(node, keys=True) if k == "topic") or [None]
        for q in attrs.get("quantities", []):
            low = q.get("min", q.get("value", -math.inf))
            high = q.get("max", q.get("value", math.inf))
            if low is None or high is None:
                continue
            stance = Stance(node, str(attrs.get("label", node)), tuple(attrs.get("holders", [])), float(low), float(high))
            for issue in issues:
                groups[issue, str(q.get("property", "")), str(q.get("unit", ""))].append(stance)
    ranges = []
    for (issue, quantity, unit), stances in sorted(groups.items(), key=lambda kv: (str(kv[0][0]), kv[0][1], kv[0][2])):
        if len(stances) < 2:
            continue
        low, high = max(s.low for s in stances), min(s.high for s in stances)
        overlap, gap = ((low, high), None) if low <= high else (None, low - high)
        ranges.append(Range(issue, quantity, unit, tuple(sorted(stances, key=lambda s: (s.low, s.position))), overlap, gap))
    return ranges


# ---------------------------------------------------------------------------------------------
# The result records and dealspace()
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """A quote of the source with its raw [start, end] code-point offsets."""

    quote: str
    start: int | None
    end: int | None


@dataclass(frozen=True)
class Concession:
    """One position given up: who holds it, how firmly, what it costs, where the article says it."""

    position: str
    label: str
    holders: tuple[str, ...]
    holder_labels: tuple[str, ...]
    firmness: str | None
    cost: int
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Relation:
    """An edge that explains a concession set (a conflict, a dependency), with its evidence if the graph has it."""

    source: str
    relation: str
    target: str
    label: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class ConcessionSet:
    """A set of concessions that lets the goal hold: the positions given up, those that fall with them, why."""

    cost: int
    concessions: tuple[Concession, ...]
    falls: tuple[str, ...]
    relations: tuple[Relation, ...]

    @property
    def give_up(self) -> tuple[str, ...]:
        """The positions given up (IRIs), costliest first."""
        return tuple(c.position for c in self.concessions)


@dataclass(frozen=True)
class DealSpace:
    """Everything :func:`dealspace` found; ``to_json()`` gives it as plain data."""

    goal: str | None
    needed: tuple[str, ...]
    assumed: tuple[str, ...]
    dropped: tuple[str, ...]
    weights: Mapping[str, int]
    mode: str
    scope: str
    concessions: tuple[ConcessionSet, ...]
    complete: bool
    infeasible: str | None
    consistent: tuple[tuple[str, ...], ...]
    never: tuple[str, ...]
    extensions: Mapping[str, tuple[tuple[str, ...], ...]]
    attacks: tuple[tuple[str, str], ...]
    ranges: tuple[Range, ...]
    hedged: tuple[tuple[str, str], ...]
    positions: tuple[str, ...]
    labels: Mapping[str, str] = field(repr=False, default_factory=dict)
    cited: Mapping[str, str] = field(repr=False, default_factory=dict)
    """Each position's ``ARTICLE/id, DATE`` (:func:`kg.articles.cite`; the date once the network is annotated)."""

    def to_json(self) -> dict[str, Any]:
        """The result as JSON-able data (lists, dicts, strings, numbers)."""
        return _plain(self)


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        out = {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
        if isinstance(value, Range):
            out["text"] = value.text
        return out
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and math.isinf(value):
        return None
    return value


def _evidence(attrs: Mapping[str, Any]) -> tuple[Evidence, ...]:
    quotes, offsets = attrs.get("quotes", []), attrs.get("offsets", [])
    return tuple(Evidence(q, *(offsets[i] if i < len(offsets) else (None, None))) for i, q in enumerate(quotes))


def _relations(g: nx.MultiDiGraph, model: Model, needed: set[str], out: set[str]) -> tuple[Relation, ...]:
    """The dependencies among the needed positions, the conflicts between needed and lost ones, and why lost ones fell."""
    found = []
    for u, v, k, d in g.edges(keys=True, data=True):
        keep = ((k == "depends-on" and (u, v) in set(model.depends) and ((u in needed and v in needed) or (u in out and v in out)))
                or (k == "conflicts-with" and ((u in needed and v in out) or (v in needed and u in out))))
        if keep:
            label = str(d.get("label") or f"{g.nodes[u].get('label', u)} {k} {g.nodes[v].get('label', v)}")
            found.append(Relation(u, k, v, label, _evidence(d)))
    return tuple(sorted(found, key=lambda r: (r.relation, r.source, r.target)))


def dealspace(g: nx.MultiDiGraph, goal: str | None = None, *, assume: Iterable[str] = (), drop: Iterable[str] = (),
              article: str | None = None, issue: str | None = None, weights: Mapping[str, int] | None = None,
              min_firmness: str | None = None, include_hedged: bool = True, mode: str = "optimal", scope: str = "goal",
              fold: bool = True, semantics: Iterable[str] = ("grounded", "preferred", "stable", "complete"),
              limit: int | None = 100) -> DealSpace:
    """What it would take to make a deal in the network ``g`` (see the module docstring for each part).

    ``goal``, ``assume`` and ``drop`` take IRIs, statement ids or labels (:func:`kg.network.find_node`).
    ``article`` and ``issue`` restrict the positions considered (the goal and what it depends on
    always stay in).
    """
    from kg.network import find_node

    goal_node = find_node(g, goal) if goal else None
    assumed = tuple(find_node(g, a) for a in assume)
    dropped = tuple(find_node(g, d) for d in drop)
    for node in (*([goal_node] if goal_node else []), *assumed, *dropped):
        if not _is_position(g, node):
            raise KgError(f"{node} is not a position")
    chosen = positions_of(g, article=article, issue=issue)
    keep = [*([goal_node] if goal_node else []), *assumed]
    model = model_of(g, positions=[*chosen, *dropped], weights=weights, include_hedged=include_hedged, min_firmness=min_firmness, keep=keep)
    labels = {n: str(g.nodes[n].get("label", n)) for n in g}

    sets: list[ConcessionSet] = []
    complete, infeasible, needed = True, None, model.closure(keep)
    if goal_node:
        found = concession_sets(model, goal_node, assume=assumed, drop=dropped, mode=mode, scope=scope, limit=limit)
        complete, infeasible = found.complete, found.infeasible
        for s in found.sets:
            concessions = tuple(
                Concession(p, labels[p], tuple(g.nodes[p].get("holders", [])),
                           tuple(labels.get(h, h) for h in g.nodes[p].get("holders", [])),
                           g.nodes[p].get("firmness"), model.cost(p), _evidence(g.nodes[p]))
                for p in sorted(s.give_up, key=lambda p: (-model.cost(p), labels[p])))
            sets.append(ConcessionSet(s.cost, concessions, tuple(sorted(s.falls)),
                                      _relations(g, model, needed, set(s.give_up) | set(s.falls) | set(dropped))))
    consistent = consistent_sets(model, assume=assumed, drop=dropped, limit=limit)
    # Dung: the positions left after the what-if drop (and what falls with it) argue; assumptions are not forced here
    gone = set(dropped) | model.dependents(dropped)
    arguments = [p for p in model.positions if p not in gone]
    attacks = [(a, b) for a, b in attacks_of(model, fold=fold) if a not in gone and b not in gone]
    found_ext = {name: tuple(tuple(sorted(e)) for e in extensions(arguments, attacks, name, limit=limit)) for name in semantics}
    return DealSpace(
        goal=goal_node, needed=tuple(sorted(needed - {goal_node})), assumed=assumed, dropped=dropped,
        weights={**DEFAULT_WEIGHTS, **{firmness_key(k): v for k, v in (weights or {}).items()}}, mode=mode, scope=scope,
        concessions=tuple(sets), complete=complete, infeasible=infeasible,
        consistent=tuple(tuple(sorted(s)) for s in consistent),
        never=tuple(sorted(set(model.positions) - set().union(*consistent))) if consistent else model.positions,
        extensions=found_ext, attacks=tuple(attacks), ranges=tuple(bargaining_ranges(g, model.positions)),
        hedged=model.hedged, positions=model.positions, labels={n: labels[n] for n in model.positions},
        cited={n: cite(g, n) for n in model.positions},
    )


# ---------------------------------------------------------------------------------------------
# Output: text table, graph-page overlay
# ---------------------------------------------------------------------------------------------


TABLE_ROWS = 10
"""How many consistent sets and extensions of each semantics the text table lists."""


def table(result: DealSpace) -> str:
    """The result as text for the terminal: concession sets with evidence, consistent sets, extensions, ranges."""
    name = (lambda n: f"{result.labels.get(n, n)} [{result.cited.get(n) or statement_id(n)}]")  # noqa: E731
    lines: list[str] = []
    if result.goal:
        lines.append(f"goal: {name(result.goal)}")
        lines.append(f"needs ({len(result.needed)}): " + (", ".join(statement_id(n) for n in result.needed) or "nothing"))
        if result.assumed or result.dropped:
            lines.append(f"what-if: assume {', '.join(map(statement_id, result.assumed)) or '-'}; "
                         f"drop {', '.join(map(statement_id, result.dropped)) or '-'}")
        if result.hedged:
            lines.append("hedged dependencies left out: " + ", ".join(f"{statement_id(a)} -> {statement_id(b)}" for a, b in result.hedged))
        what = "minimum-cost" if result.mode == "optimal" else "subset-minimal"
        if result.infeasible:
            lines.append(f"no concession set: {result.infeasible}")
        else:
            lines.append(f"{what} concession sets: {len(result.concessions)}{'' if result.complete else ' (more not listed)'}")
        for i, s in enumerate(result.concessions, 1):
            lines.append(f"  set {i}, cost {s.cost}:" + (" nothing to give up" if not s.concessions else ""))
            for c in s.concessions:
                who = ", ".join(c.holder_labels) or "no holder"
                lines.append(f"    {who} gives up {name(c.position)} ({c.firmness or 'no firmness'}, cost {c.cost})")
                lines += [f"        \"{e.quote}\" [{e.start}-{e.end}]" for e in c.evidence]
            if s.falls:
                lines.append("    falls with it: " + ", ".join(name(n) for n in s.falls))
            for r in s.relations:
                said = f": {r.label}" if r.relation == "conflicts-with" else ""
                lines.append(f"    because {statement_id(r.source)} {r.relation} {statement_id(r.target)}{said}")
                lines += [f"        \"{e.quote}\" [{e.start}-{e.end}]" for e in r.evidence]
    lines.append(f"consistent sets (maximal) over {len(result.positions)} positions: {len(result.consistent)}")
    everything = set(result.positions)
    for i, s in enumerate(result.consistent[:TABLE_ROWS], 1):
        lines.append(f"  {i}. {len(s)} hold; without: " + (", ".join(map(statement_id, sorted(everything - set(s)))) or "nothing"))
    if len(result.consistent) > TABLE_ROWS:
        lines.append(f"  ... {len(result.consistent) - TABLE_ROWS} more (--format json lists them all)")
    if result.never:
        lines.append("  in no consistent set: " + ", ".join(map(statement_id, result.never)))
    lines.append(f"Dung extensions ({len(result.attacks)} attacks):")
    for semantics, exts in result.extensions.items():
        lines.append(f"  {semantics}: {len(exts)}")
        for e in exts[:TABLE_ROWS]:
            outside = everything - set(e)
            lines.append(f"    {len(e)} in; out or undecided: " + (", ".join(map(statement_id, sorted(outside))) or "nothing"))
        if len(exts) > TABLE_ROWS:
            lines.append(f"    ... {len(exts) - TABLE_ROWS} more (--format json lists them all)")
    if result.ranges:
        lines.append("bargaining ranges:")
    for r in result.ranges:
        lines.append(f"  {statement_id(r.issue) if r.issue else 'no issue'}, {r.quantity} ({r.unit}): {r.text}")
        for s in r.stances:
            span = _number(s.low) if s.low == s.high else f"{_number(s.low)} to {_number(s.high)}"
            span = span.replace("-inf", "any").replace("inf", "any")
            lines.append(f"    {span}: {name(s.position)}")
    return "\n".join(lines)


def overlay(result: DealSpace) -> dict[str, Any]:
    """The concession sets as lists of node IRIs, for the graph page to highlight.

    >>> g = toy_graph({"g": ("A", "stated"), "x": ("B", "hinted")}, conflicts=[("g", "x")])
    >>> overlay(dealspace(g, "g"))["concession_sets"]
    [{'cost': 1, 'give_up': ['x'], 'falls': []}]
    """
    return {"goal": result.goal, "needed": list(result.needed), "assumed": list(result.assumed), "dropped": list(result.dropped),
            "concession_sets": [{"cost": s.cost, "give_up": [c.position for c in s.concessions], "falls": list(s.falls)}
                                for s in result.concessions]}


# ---------------------------------------------------------------------------------------------
# Invented graphs for tests and examples
# ---------------------------------------------------------------------------------------------


def toy_graph(positions: Mapping[str, tuple[str | None, str | None]], *, depends: Iterable[tuple] = (), conflicts: Iterable[tuple] = (),
              supports: Iterable[tuple] = (), issues: Mapping[str, str] | None = None,
              quantities: Mapping[str, Any] | None = None) -> nx.MultiDiGraph:
    """A small network in the shape of :func:`kg.network.network`, for invented examples.

    ``positions`` maps a name to (holder, firmness); a dependency is (position, condition) or
    (position, condition, edge attributes); ``quantities`` maps a name to a dict or a list of dicts.
    """
    g = nx.MultiDiGraph()
    for name, (holder, firmness) in positions.items():
        attrs: dict[str, Any] = {"kind": "position", "type": "Position", "label": name,
                                 "quotes": [f"{name} (invented)"], "offsets": [[0, 0]]}
        if holder:
            g.add_node(holder, kind="actor", type="Actor", label=holder)
            g.add_edge(holder, name, key="holds", relation="holds")
            attrs["holders"] = [holder]
        if firmness:
            attrs["firmness"] = firmness
        if quantities and name in quantities:
            q = quantities[name]
            attrs["quantities"] = list(q) if isinstance(q, list | tuple) else [q]
        g.add_node(name, **attrs)
    for relation, pairs in (("depends-on", depends), ("conflicts-with", conflicts), ("supports", supports)):
        for u, v, *extra in pairs:
            g.add_edge(u, v, key=relation, relation=relation, **(extra[0] if extra else {}))
    for name, issue in (issues or {}).items():
        g.add_node(issue, kind="issue", type="Issue", label=issue)
        g.add_edge(name, issue, key="topic", relation="topic")
    return g


# ---------------------------------------------------------------------------------------------
# Command line: kg analyze dealspace
# ---------------------------------------------------------------------------------------------


def parse_weights(text: str | None) -> dict[str, int]:
    """``--weights``: a JSON object, a JSON file, or ``name=value`` pairs separated by commas.

    >>> parse_weights("insisted=6, pushed for=3"), parse_weights('{"hinted": 2}')
    ({'insisted': 6, 'pushed for': 3}, {'hinted': 2})
    """
    if not text:
        return {}
    text = text.strip()
    if not text.startswith("{") and Path(text).is_file():
        text = Path(text).read_text(encoding="utf-8")
    try:
        found = json.loads(text) if text.startswith("{") else dict(pair.split("=", 1) for pair in text.split(","))
        return {firmness_key(k): int(v) for k, v in found.items()}
    except (ValueError, TypeError) as exc:
        raise KgError(f"cannot read weights {text!r}: give JSON ({{\"insisted\": 6}}) or insisted=6,hinted=1") from exc


def _names(values: Sequence[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser] = ()) -> argparse.ArgumentParser:
    """Add ``dealspace`` to the subparsers of ``kg analyze`` (``parents``: the options naming the corpus,
    dataset and engine); it runs :func:`cmd_dealspace`."""
    p = subparsers.add_parser("dealspace", parents=list(parents),
                              help="what would it take to make a deal: concession sets, consistent sets, extensions, ranges",
                              description="Minimal concession sets for a goal (clingo), maximal consistent sets, Dung extensions "
                                          "and bargaining ranges. Weights: " + ", ".join(f"{k} {v}" for k, v in DEFAULT_WEIGHTS.items()))
    p.add_argument("position", nargs="?", help="the goal: statement id (us-offers-security-guarantees), ARTICLE/id, IRI or label")
    p.add_argument("--goal", help="the goal (same as the positional argument)")
    p.add_argument("--assume", action="append", default=[], metavar="POSITION", help="force a position to hold (repeat or use commas)")
    p.add_argument("--drop", action="append", default=[], metavar="POSITION", help="take a position out (repeat or use commas)")
    p.add_argument("--article", help="only positions of this article (id or IRI)")
    p.add_argument("--issue", help="only positions about this issue (id, IRI or label)")
    p.add_argument("--format", choices=("table", "json"), default="table", help="output (default: %(default)s)")
    p.add_argument("--weights", help="cost by firmness: JSON, a JSON file, or insisted=6,hinted=1 (the rest keep their defaults)")
    p.add_argument("--min-firmness", help="leave out dependencies stated less firmly than this (e.g. stated)")
    p.add_argument("--no-hedged", action="store_true", help="leave out hedged dependencies (modality possible, firmness hinted)")
    p.add_argument("--subset-minimal", action="store_true", help="every subset-minimal concession set, not only the cheapest")
    p.add_argument("--scope", choices=("goal", "all"), default="goal",
                   help="resolve the conflicts with what the goal needs, or all of them (default: %(default)s)")
    p.add_argument("--limit", type=int, default=100, help="most sets listed per answer (default: %(default)s)")
    p.set_defaults(func=cmd_dealspace)
    return p


def run(g: nx.MultiDiGraph, args: argparse.Namespace) -> str:
    """Answer ``kg analyze dealspace`` on a network (already annotated with quantities); the text to print."""
    goal = args.goal or args.position
    result = dealspace(g, goal, assume=_names(args.assume), drop=_names(args.drop), article=args.article, issue=args.issue,
                       weights=parse_weights(args.weights), min_firmness=args.min_firmness, include_hedged=not args.no_hedged,
                       mode="subset-minimal" if args.subset_minimal else "optimal", scope=args.scope, limit=args.limit)
    if args.format == "json":
        return json.dumps({**result.to_json(), "overlay": overlay(result)}, indent=2, ensure_ascii=False)
    return table(result)


def cmd_dealspace(args: argparse.Namespace) -> int:
    """Load the graph of --dataset (else the corpus) on --engine, project it and print :func:`run`'s answer."""
    from kg.graph import load
    from kg.network import network

    graph = load(args.dataset, engine=args.engine, corpus=args.corpus)
    g = annotate_quantities(network(graph), graph)
    print(run(g, args))
    return 0
