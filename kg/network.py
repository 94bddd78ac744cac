"""The network view of the knowledge graph (networkx) and the analyses researchers ask of it.

:func:`network` projects the RDF graph onto a :class:`networkx.MultiDiGraph`, built only from
SPARQL (the named queries of :data:`NETWORK_QUERIES`: the ``network-*`` ones, ``evidence`` and
``actors``), so it works on any store ``kg.load()`` or ``kg.connect()`` returns. At corpus scale it
stays in seconds: no query returns a row per combination of multi-valued attributes
(``network-attributes`` gives one row per value), answers are read as plain values
(:func:`plain_rows`: straight from Oxigraph's terms on the default engine), unsorted, and the
cyclic garbage collector is paused meanwhile (:func:`kg.progress.collector_paused`); see ``benchmarks/bench_viz.py``.

* Nodes are IRIs (strings) with ``kind`` (actor, position, issue, event), ``type`` (the kg: class:
  Demand, State, NegotiationRound...), ``label`` and, where the graph has them, ``content``,
  ``holders`` and ``addressees`` (IRIs), ``firmness``, ``status``, ``modality``, ``cue``,
  ``negated``, ``date``, ``source`` (the article IRI), ``quotes``, ``texts`` and ``offsets`` (the
  evidence: exact raw quotes, their normalised text with the noise removed, and their [start, end]
  code-point offsets), ``reported_by`` and ``places`` (labels), and for actors ``party`` (the state
  or organisation the actor represents or works for) and ``names`` (every name: labels and aliases).
  The graph attribute ``labels`` maps every node to its label, so that views which drop nodes
  (:func:`dependency_view`) can still name them.
* Edges carry ``relation`` (see :data:`RELATIONS`) and are keyed by it: a MultiDiGraph because two
  nodes can be linked by several relations (an actor holds a position and is its topic), and at
  most one edge per (source, target, relation). Directions read as sentences: actor *holds*
  position, position *addressed-to* actor, offer *depends-on* condition, actor *participates-in*
  event. A conflict is one ``conflicts-with`` edge per pair (from the smaller IRI; symmetric by
  meaning) carrying the kg:Conflict node's IRI, label and evidence.
* An edge between two statements (depends-on, part-of, specifies, supports, about, calls-for, reason,
  purpose, discussed-at, conflicts-with) also carries its own evidence and hedge, from its
  kg:QualifiedRelation node: ``qualified`` (the node's IRI), ``quotes``, ``offsets``, ``source``,
  ``firmness``, ``status``, ``modality``, ``cue``, ``date``. The analyses can leave hedged edges out
  (``min_firmness``, ``actual_only``).

>>> g = network(load())
>>> g.nodes[position_iri("signed-settlement")]["label"]
'A signed peace settlement'
>>> [c.label for c in conditions_chain(g, "us-offers-security-guarantees")]
['A signed peace settlement', 'Territorial status, the final 10%, remains the sticking point', \
'US-brokered deal may require Ukraine to withdraw from the rest of Donbas', \
'Zelenskyy hints a territorial deal may be put to a national referendum']
>>> edge = g.edges[position_iri("territorial-status"), position_iri("territorial-referendum"), "depends-on"]
>>> edge["firmness"], edge["modality"], edge["cue"]
('hinted', 'possible', 'has hinted; may be put')
>>> [c.label for c in conditions_chain(g, "us-offers-security-guarantees", min_firmness="Stated", actual_only=True)]
['A signed peace settlement', 'Territorial status, the final 10%, remains the sticking point']
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.articles import annotate
from kg.errors import KgError
from kg.graph import KnowledgeGraph, load
from kg.library import named_queries
from kg.namespaces import KG, statement_iri
from kg.progress import collector_paused
from kg.querycheck import prepare_query
from kg.store import OxigraphStore
from kg.terms import XSD_STRING, to_rdflib
from kg.vocabulary import VOCABULARY

RELATIONS: dict[str, str] = {name: row.meaning for name, row in VOCABULARY.edges.items()}
"""Every edge relation of the network, with what it means (from the ontology: kg:networkEdge, kg:edgeMeaning)."""

DEPENDENCY_RELATIONS = ("depends-on", "conflicts-with", "part-of", "specifies")
"""The relations of the dependency view: how positions depend on, collide with and make up each other."""

BLOCKING_MEASURE = ("transitive dependents (positions that depend on it directly or through other conditions: "
                    "its ancestors in the depends-on graph)")
"""What :func:`blocking_conditions` ranks by."""

RELATION_ATTRIBUTES = ("firmness", "status", "modality", "cue", "date")
"""The hedge of a relation between statements, as edge attributes (with ``quotes``, ``offsets``, ``source``)."""

SCALAR_ATTRIBUTES = ("content", "firmness", "status", "modality", "cue", "negated", "date", "source", "party")
"""Node attributes of network-attributes with one value (the smallest, should the graph give several)."""
LIST_ATTRIBUTES = ("reported_by", "places")
"""Node attributes of network-attributes with every value, sorted."""


def position_iri(statement_id: str, article: str = "000_0e22b9a82a6b1fdf") -> str:
    """The IRI of a statement of an article (the seed article by default).

    >>> position_iri("any-ceasefire")
    'https://w3id.org/kg/id/article/000_0e22b9a82a6b1fdf/any-ceasefire'
    """
    return str(statement_iri(article, statement_id))


def _python(term: Any) -> Any:
    """An rdflib term as a plain Python value: literals convert (bool, int, date as ISO text), IRIs stay text."""
    value = term.toPython() if hasattr(term, "toPython") else term
    if isinstance(value, bool | int | float):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _oxigraph_python(term: Any, cache: dict[Any, Any]) -> Any:
    """A pyoxigraph term as :func:`_python` gives it, without an rdflib term for IRIs and strings (most values)."""
    kind = type(term)
    if kind is ox.NamedNode:
        return term.value
    if kind is ox.Literal and (term.language or term.datatype.value == XSD_STRING):
        return term.value
    found = cache.get(term)
    if found is None:
        found = cache[term] = _python(to_rdflib(term))
    return found


NETWORK_QUERIES = ("network-nodes", "network-attributes", "evidence", "actors", "network-edges", "network-conflicts",
                   "network-relations")
"""The named queries :func:`network` is built from."""

FINAL_ORDER = re.compile(r"\n[ \t]*ORDER[ \t]+BY[^{}#\n]*\s*\Z", re.IGNORECASE)
"""A query's ORDER BY when it is the last clause (no LIMIT, OFFSET or VALUES after it): leaving it out changes
the order of the rows only."""


def plain_rows(graph: KnowledgeGraph, name: str) -> list[dict[str, Any]]:
    """The answer of a named query as dicts of plain Python values (IRIs and strings as text, numbers, booleans,
    dates as ISO text; unbound variables missing), as the network is built from them.

    The rows come in no particular order: the query's final ORDER BY is left out (:data:`FINAL_ORDER`;
    sorting is a third of Oxigraph's time here, and the network sorts what it builds). On the Oxigraph
    engine without a time limit the values are read from Oxigraph's own terms (no rdflib term is made);
    otherwise through :meth:`KnowledgeGraph.query`.

    >>> [(r["attribute"], r["value"]) for r in plain_rows(load(), "network-attributes") if r["node"].endswith("/steve-witkoff")]
    [('party', 'https://w3id.org/kg/id/actor/united-states')]
    """
    sparql = FINAL_ORDER.sub("\n", named_queries()[name].sparql)
    if not (isinstance(graph.store, OxigraphStore) and graph.timeout is None):
        return [{var: _python(term) for var, term in row.items()} for row in graph.query(sparql).rows]
    solutions = graph.store.store.query(prepare_query(sparql).text, use_default_graph_as_union=True)
    names, cache = [v.value for v in solutions.variables], {}
    return [{var: _oxigraph_python(term, cache) for var, term in zip(names, solution, strict=True) if term is not None}
            for solution in solutions]


def network(graph: KnowledgeGraph | None = None) -> nx.MultiDiGraph:
    """The full network of actors, positions, issues and events (see the module docstring), with the
    corpus's articles and position threads as graph attributes (:func:`kg.articles.annotate`).

    >>> g = network()
    >>> sorted({kind for _, kind in g.nodes(data="kind")})
    ['actor', 'event', 'issue', 'position']
    >>> g.nodes[position_iri("us-offers-15-year-guarantee")]["holders"]
    ['https://w3id.org/kg/id/actor/united-states']
    """
    graph = graph or load()
    with collector_paused():
        return annotate(assemble({name: plain_rows(graph, name) for name in NETWORK_QUERIES}), graph)


def assemble(answers: Mapping[str, list[dict[str, Any]]]) -> nx.MultiDiGraph:
    """The network from the answers of :data:`NETWORK_QUERIES` (each as :func:`plain_rows` gives it):
    :func:`network` in two steps, e.g. to time the queries and the assembly apart (benchmarks/bench_viz.py).

    >>> graph = load()
    >>> built = assemble({name: plain_rows(graph, name) for name in NETWORK_QUERIES})
    >>> nx.utils.nodes_equal(built.nodes(data=True), network(graph).nodes(data=True))
    True
    """
    values: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    namespace = str(KG)
    for row in answers["network-nodes"]:
        found = values[row["node"]]
        found["kind"].add(row["kind"])
        found["type"].add(row["type"].removeprefix(namespace))
        found["label"].add(row["label"])
    for row in answers["network-attributes"]:
        if row["node"] in values:
            values[row["node"]][row["attribute"]].add(row["value"])
    nodes = {node: {"kind": min(found["kind"]), "label": min(found["label"]),
                    "type": min(found["type"] - {"Actor", "Event"} or found["type"]),
                    **{name: min(found[name], key=str) for name in SCALAR_ATTRIBUTES if name in found},
                    **{name: sorted(found[name]) for name in LIST_ATTRIBUTES if name in found}}
             for node, found in values.items()}
    lists: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))

    for row in answers["evidence"]:
        lists[row["statement"]]["evidence"].add((row["start"], row["end"], row["quote"], row["source"], row["text"]))
    for row in answers["actors"]:
        lists[row["actor"]]["names"].add(row["name"])

    edges: list[tuple[str, str, str, dict[str, Any]]] = []
    for row in answers["network-edges"]:
        source, relation, target = row["source"], row["relation"], row["target"]
        if source in nodes and target in nodes:
            edges.append((source, target, relation, {}))
            if relation == "holds":
                lists[target]["holders"].add(source)
            elif relation == "addressed-to":
                lists[source]["addressees"].add(target)
    for row in answers["network-conflicts"]:
        attrs = {"conflict": row["conflict"], "label": row["label"]} if "conflict" in row else {}
        attrs.update({name: row[name] for name in ("content", "status") if name in row})
        edges.append((row["a"], row["b"], "conflicts-with", attrs))
    qualified: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in answers["network-relations"]:
        source, relation, target = row["from"], row["edge"], row["to"]
        if relation == "conflicts-with":
            source, target = sorted((source, target))
        qualified[source, target, relation] = {"qualified": row["relation"],
                                               **{name: row[name] for name in RELATION_ATTRIBUTES if name in row}}

    g = nx.MultiDiGraph(labels={node: attrs["label"] for node, attrs in sorted(nodes.items())})  # names for views that drop nodes
    for node in sorted(nodes):
        attrs, found = nodes[node], lists.get(node, {})
        attrs.update((name, sorted(members)) for name, members in sorted(found.items()) if name != "evidence")
        attrs.update(_evidence(found.get("evidence")))
        g.add_node(node, **attrs)
    for source, target, relation, attrs in sorted(edges, key=lambda e: (e[2], e[0], e[1])):
        attrs = {**qualified.get((source, target, relation), {}), **attrs}
        if "qualified" in attrs:
            attrs.update(_evidence(lists.get(attrs["qualified"], {}).get("evidence")))
        g.add_edge(source, target, key=relation, relation=relation, **attrs)
    return g


def _evidence(spans: set[tuple[int, int, str, str, str]] | None) -> dict[str, Any]:
    """Evidence spans as the ``quotes``, ``texts`` (normalised), ``offsets`` and ``source`` attributes (ordered by offset)."""
    if not spans:
        return {}
    ordered = sorted(spans)
    return {"quotes": [s[2] for s in ordered], "texts": [s[4] for s in ordered], "offsets": [[s[0], s[1]] for s in ordered],
            "source": ordered[0][3]}


def dependency_view(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Positions and conditions only: the positions linked by :data:`DEPENDENCY_RELATIONS`, with those edges.

    >>> view = dependency_view(network())
    >>> sorted({kind for _, kind in view.nodes(data="kind")}), sorted({r for *_, r in view.edges(keys=True)})
    (['position'], ['conflicts-with', 'depends-on', 'part-of', 'specifies'])
    """
    keep = [(u, v, k) for u, v, k in g.edges(keys=True)
            if k in DEPENDENCY_RELATIONS and g.nodes[u]["kind"] == g.nodes[v]["kind"] == "position"]
    return g.edge_subgraph(keep).copy()


def find_node(g: nx.MultiDiGraph, name: str) -> str:
    """The node named by its IRI, its statement or entity id (the IRI's last segment), ``ARTICLE/id`` or its label (any case).

    >>> find_node(network(), "Any ceasefire (in the Kremlin's terms)")
    'https://w3id.org/kg/id/article/000_0e22b9a82a6b1fdf/any-ceasefire'
    """
    wanted = name.casefold()
    matches = sorted(n for n, label in g.nodes(data="label")
                     if name in (n, n.rsplit("/", 1)[-1], "/".join(n.rsplit("/", 2)[-2:])) or wanted == str(label).casefold())
    if len(matches) != 1:
        hint = (": " + ", ".join(matches) + " (name one by its IRI or as ARTICLE/id)" if matches
                else "; give an IRI, a statement id (e.g. us-offers-security-guarantees) or a label")
        raise KgError(f"{'no' if not matches else 'more than one'} node named {name!r} in the network{hint}")
    return matches[0]


def firmness_rank(name: str) -> int:
    """The rank of a firmness given by concept name or label, any case (1 hinted ... 5 ultimatum).

    >>> firmness_rank("Stated"), firmness_rank("hinted"), firmness_rank("pushed for")
    (2, 1, 3)
    """
    wanted = name.casefold().replace(" ", "")
    for concept in VOCABULARY.firmness.values():
        if wanted in (concept.name.casefold(), concept.label.casefold().replace(" ", "")):
            return int(concept.rank or 0)
    raise KgError(f"unknown firmness {name!r}; use one of {', '.join(VOCABULARY.firmness)}")


def kept(attrs: dict[str, Any], min_firmness: str | None = None, actual_only: bool = False) -> bool:
    """Whether an edge passes the hedge filters: firmness at least ``min_firmness`` (an edge without one does not),
    and with ``actual_only`` not presented as a possibility (modality possible).

    >>> kept({"firmness": "hinted", "modality": "possible"}), kept({"firmness": "hinted"}, min_firmness="Stated")
    (True, False)
    >>> kept({"firmness": "described", "modality": "possible"}, min_firmness="Stated", actual_only=True)
    False
    """
    if min_firmness is not None and ("firmness" not in attrs or firmness_rank(attrs["firmness"]) < firmness_rank(min_firmness)):
        return False
    return not (actual_only and attrs.get("modality") == VOCABULARY.modality["Possible"].label)


def _dependencies(g: nx.MultiDiGraph, min_firmness: str | None = None, actual_only: bool = False) -> nx.DiGraph:
    """The depends-on edges alone (those that pass :func:`kept`), as a DiGraph over every node of ``g``."""
    dep = nx.DiGraph()
    dep.add_nodes_from(g)
    dep.add_edges_from((u, v) for u, v, k, attrs in g.edges(keys=True, data=True)
                       if k == "depends-on" and kept(attrs, min_firmness, actual_only))
    return dep


def _label(g: nx.MultiDiGraph, node: str) -> str:
    return str(g.nodes[node].get("label", node))


@dataclass(frozen=True)
class Condition:
    """A condition in front of a position: how many depends-on steps away and which positions need it."""

    node: str
    label: str
    depth: int
    needed_by: tuple[str, ...]


def conditions_chain(g: nx.MultiDiGraph, position: str, min_firmness: str | None = None,
                     actual_only: bool = False) -> list[Condition]:
    """Every condition that must hold before ``position`` can be realised, nearest first (then by label).

    Follows depends-on edges transitively; ``depth`` is the fewest steps from the position. With
    ``min_firmness`` (e.g. "Stated") or ``actual_only`` it follows only the edges that pass :func:`kept`.

    >>> [(c.node.rsplit("/", 1)[1], c.depth) for c in conditions_chain(network(), "us-offers-security-guarantees")]
    [('signed-settlement', 1), ('territorial-status', 2), ('deal-may-require-donbas-withdrawal', 2), ('territorial-referendum', 3)]
    """
    start = find_node(g, position)
    dep = _dependencies(g, min_firmness, actual_only)
    depth = nx.single_source_shortest_path_length(dep, start)
    found = [n for n in depth if n != start]
    return [Condition(n, _label(g, n), depth[n],
                      tuple(sorted(p for p in dep.predecessors(n) if depth.get(p) == depth[n] - 1)))
            for n in sorted(found, key=lambda n: (depth[n], _label(g, n), n))]


def deadlocks(g: nx.MultiDiGraph, min_firmness: str | None = None, actual_only: bool = False) -> list[list[str]]:
    """Cycles of mutual conditions (A depends on B ... depends on A), each from its smallest IRI; the
    hedge filters as in :func:`conditions_chain`.

    The seed graph has none:

    >>> deadlocks(network())
    []
    """
    cycles = []
    for cycle in nx.simple_cycles(_dependencies(g, min_firmness, actual_only)):
        first = cycle.index(min(cycle))
        cycles.append(cycle[first:] + cycle[:first])
    return sorted(cycles)


@dataclass(frozen=True)
class Blocker:
    """A condition and the positions it blocks (see :data:`BLOCKING_MEASURE`)."""

    node: str
    label: str
    blocked: tuple[str, ...]

    @property
    def count(self) -> int:
        """How many positions it blocks: the measure ranked by."""
        return len(self.blocked)


def blocking_conditions(g: nx.MultiDiGraph, min_firmness: str | None = None, actual_only: bool = False) -> list[Blocker]:
    """Conditions ranked by how many positions they block, transitively (most first, then by label); the
    hedge filters as in :func:`conditions_chain`.

    >>> [(b.node.rsplit("/", 1)[1], b.count) for b in blocking_conditions(network())][:3]
    [('territorial-referendum', 3), ('territorial-status', 2), ('deal-may-require-donbas-withdrawal', 2)]
    """
    dep = _dependencies(g, min_firmness, actual_only)
    blockers = [Blocker(n, _label(g, n), tuple(sorted(nx.ancestors(dep, n)))) for n in dep if dep.in_degree(n)]
    return sorted(blockers, key=lambda b: (-b.count, b.label, b.node))


def party(g: nx.MultiDiGraph, actor: str) -> str:
    """The party an actor acts for: the state or organisation it represents or works for, else itself.

    >>> party(network(), "https://w3id.org/kg/id/actor/volodymyr-zelenskyy")
    'https://w3id.org/kg/id/actor/ukraine'
    """
    return str(g.nodes[actor].get("party", actor))


@dataclass(frozen=True)
class Collision:
    """Two conflicting positions held by different parties, with the conflict node that states it."""

    a: str
    b: str
    parties_a: tuple[str, ...]
    parties_b: tuple[str, ...]
    conflict: str | None
    label: str


def collisions(g: nx.MultiDiGraph, between_parties: bool = True) -> list[Collision]:
    """Conflicting positions; by default only those whose holders act for different parties.

    A conflict inside one party, or with a position the article names nobody to hold (the White House's
    claim against a reported US-brokered deal), is left out unless ``between_parties=False``.

    >>> [(c.label, c.parties_a, c.parties_b) for c in collisions(network())][0]
    ("15-year US offer against Ukraine's 50-year demand", ('https://w3id.org/kg/id/actor/ukraine',), \
('https://w3id.org/kg/id/actor/united-states',))
    """
    found = []
    for a, b, attrs in g.edges(keys=False, data=True):
        if attrs["relation"] != "conflicts-with":
            continue
        pa, pb = (tuple(sorted({party(g, h) for h in g.nodes[n].get("holders", [])})) for n in (a, b))
        if between_parties and (not pa or not pb or set(pa) & set(pb)):
            continue
        found.append(Collision(a, b, pa, pb, attrs.get("conflict"), str(attrs.get("label", f"{_label(g, a)} / {_label(g, b)}"))))
    return sorted(found, key=lambda c: (c.label, c.a, c.b))


@dataclass(frozen=True)
class SharedTalks:
    """Two actors who took part in the same events (negotiation rounds)."""

    a: str
    b: str
    events: tuple[str, ...]


def shared_talks(g: nx.MultiDiGraph) -> list[SharedTalks]:
    """Pairs of actors connected by taking part in the same events, ordered by the actors' labels.

    >>> g = network()
    >>> [(g.nodes[t.a]["label"], g.nodes[t.b]["label"]) for t in shared_talks(g)][:2]
    [('Jared Kushner', 'Russian representatives'), ('Jared Kushner', 'Steve Witkoff')]
    """
    events: dict[str, list[str]] = defaultdict(list)
    for actor, event, relation in g.edges(keys=True):
        if relation == "participates-in":
            events[event].append(actor)
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for event, actors in events.items():
        for a, b in itertools.combinations(sorted(set(actors), key=lambda n: (_label(g, n), n)), 2):
            pairs[a, b].add(event)
    return sorted((SharedTalks(a, b, tuple(sorted(e))) for (a, b), e in pairs.items()),
                  key=lambda t: (_label(g, t.a), _label(g, t.b)))
