"""The knowledge graph in Python: ``kg.load()`` and the helpers researchers call.

>>> g = load()
>>> [a.label for a in g.actors() if a.kind == "State"]
['Russia', 'Ukraine', 'United Arab Emirates', 'United States']
>>> [p.label for p in g.positions(actor="the Kremlin", kind="Demand", article=SEED_ARTICLE)]
['Russia insists on the surrender of the entire Donbas']
"""

from __future__ import annotations

import math
import re
import threading
import weakref
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from rdflib import Dataset, URIRef
from rdflib.term import Identifier

from kg.aliases import AliasIndex, fold
from kg.corpus import CorpusFolder, find_corpus
from kg.errors import KgError
from kg.library import named_queries
from kg.namespaces import KG, article_iri, statement_iri
from kg.querycheck import prepare_query, with_prefixes
from kg.records import Actor, Conflict, Dependency, Evidence, Position, Quantity, Records
from kg.results import QueryResult
from kg.store import DEFAULT_ENGINE, OxigraphStore, RdflibStore, open_store
from kg.terms import python_term
from kg.workers import DEFAULT_TIMEOUT, QueryWorker, fork_is_safe

SEED_ARTICLE = "000_0e22b9a82a6b1fdf"
"""The article of the bundled seed corpus, used by the examples in the docstrings."""


def _local(term: Identifier | None) -> str | None:
    """The local name of a kg: term, the string of anything else."""
    if term is None:
        return None
    text = str(term)
    return text.removeprefix(str(KG))


def _str(term: Identifier | None) -> str | None:
    return None if term is None else str(term)


_DEFAULT: Any = object()


def _seconds(timeout: float | None) -> float | None:
    """A time limit in seconds, or None for none (``None`` or ``0``); anything else is an error."""
    if timeout is not None and not (isinstance(timeout, int | float) and math.isfinite(timeout) and timeout >= 0):
        raise KgError(f"timeout={timeout!r}: give a positive number of seconds, or None (or 0) for no limit")
    return timeout or None


def _loaded(store: Any) -> Any:
    """The store a forked worker inherits (:class:`kg.workers.QueryWorker` with 'fork')."""
    return store


def _close_worker(holder: list[QueryWorker | None]) -> None:
    if holder[0] is not None:
        holder[0].close()
        holder[0] = None


class KnowledgeGraph:
    """The built graph with its helpers; ``kg.load()`` returns one.

    ``timeout`` is the default time limit of :meth:`query` (and so of every helper) in seconds:
    :data:`kg.workers.DEFAULT_TIMEOUT` unless given; None (or 0) runs queries in this process
    without a limit.
    """

    def __init__(self, store: Any, path: Path | None = None, *, opener: Callable[[], Any] | None = None,
                 timeout: float | None = DEFAULT_TIMEOUT) -> None:
        self.store = store
        self.path = path
        self.timeout = _seconds(timeout)
        self._opener = opener
        self._worker: list[QueryWorker | None] = [None]  # in a list, so that the finalizer holds it and not self
        self._worker_lock = threading.Lock()
        self._dataset: Dataset | None = None
        weakref.finalize(self, _close_worker, self._worker)

    def query(self, sparql: str, /, *, allow_remote: bool = False, timeout: float | None = _DEFAULT,
              **bindings: Any) -> QueryResult:
        """Run a read-only SELECT or ASK query; keyword arguments bind variables to RDF terms (str IRIs become IRIs).

        The text is checked first (:func:`kg.querycheck.prepare_query`): updates are refused, and so are
        SERVICE and FROM <url> unless ``allow_remote=True``; the prefixes of :data:`kg.namespaces.PREFIXES`
        are predeclared. Bindings open the WHERE group as a VALUES block, so every part of the query sees them.

        ``timeout`` (seconds; default: the graph's, from ``kg.load(timeout=...)``, itself 30 s unless
        given): the query runs in a worker process (:class:`kg.workers.QueryWorker`), forked from this
        one so that it shares the loaded store, which is killed at the limit
        (:class:`kg.querycheck.QueryTimeout`) or on Ctrl-C, and forked again at the next query.
        ``timeout=None`` (or 0): no limit, the query runs in this process (Ctrl-C cannot stop Oxigraph there).

        >>> g = load()
        >>> r = g.query("SELECT ?label WHERE { ?a rdfs:label ?label }", a="https://w3id.org/kg/id/actor/russia")
        >>> [str(row["label"]) for row in r]
        ['Russia']
        >>> g.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout=0.5)
        Traceback (most recent call last):
        ...
        kg.querycheck.QueryTimeout: query stopped after 0.5 s (--timeout); raise --timeout or narrow the query
        >>> g.query("DELETE WHERE { ?s ?p ?o }")
        Traceback (most recent call last):
        ...
        kg.querycheck.QueryRefused: refused: this is a SPARQL update (DELETE WHERE); kg queries are read-only (fix: ...)
        """
        limit = self.timeout if timeout is _DEFAULT else _seconds(timeout)
        terms = {k: python_term(v) for k, v in bindings.items()}
        if not isinstance(self.store, RdflibStore | OxigraphStore):  # a remote store: check and bind here
            checked = prepare_query(sparql, allow_remote=allow_remote)
            if checked.form not in ("SELECT", "ASK"):
                raise KgError(f"{checked.form} queries are not supported here: use SELECT or ASK")
            return self.store.select(with_prefixes(sparql), terms)  # the store binds by BIND (kg.remote.with_bindings)
        if limit is None:
            return self.store.select(sparql, terms, allow_remote=allow_remote)
        prepare_query(sparql, allow_remote=allow_remote)  # refusals and syntax errors here, without a worker
        with self._worker_lock:
            if self._worker[0] is None:
                self._worker[0] = self._new_worker()
            return self._worker[0].select(sparql, terms, limit, allow_remote=allow_remote)

    def _new_worker(self) -> QueryWorker:
        """A worker forked from this process with the loaded store; spawned, loading its own copy, where forking is
        not safe (:func:`kg.workers.fork_is_safe`)."""
        if fork_is_safe():
            return QueryWorker(partial(_loaded, self.store), context="fork")
        if self._opener is None:
            raise KgError("this graph cannot run queries with a time limit here (fix: timeout=None)")
        return QueryWorker(self._opener)

    def close(self) -> None:
        """Stop the worker process of time-limited queries, if one was started (it also ends with the graph or Python)."""
        with self._worker_lock:
            _close_worker(self._worker)

    def dataset(self) -> Dataset:
        """The graph as an rdflib ``Dataset`` (default graph = union of the named graphs), built on first use
        when the engine is Oxigraph: for rdflib's own API (``triples``, ``serialize``...).

        >>> len(load().dataset()) > 1000
        True
        """
        if isinstance(self.store, RdflibStore):
            return self.store.dataset
        if self._dataset is None:
            if self.path is None:
                raise KgError("this graph has no dataset file to build an rdflib Dataset from")
            self._dataset = RdflibStore.from_file(self.path).dataset
        return self._dataset

    def _repr_html_(self) -> str:
        """A summary for notebooks: where the graph comes from and how many articles, actors and positions it holds.

        >>> "<td>actors</td>" in load()._repr_html_()
        True
        """
        from html import escape

        counts = self.query("""PREFIX kg: <https://w3id.org/kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?what (COUNT(DISTINCT ?x) AS ?count) WHERE {
  { ?x a kg:Article . BIND("articles" AS ?what) }
  UNION { ?x a ?type . ?type rdfs:subClassOf* kg:Actor . FILTER(STRSTARTS(STR(?type), STR(kg:))) BIND("actors" AS ?what) }
  UNION { ?x a ?type . ?type rdfs:subClassOf kg:Position . BIND("positions" AS ?what) }
} GROUP BY ?what ORDER BY ?what""")
        where = Path(*self.path.parts[-3:]) if self.path else "in memory"  # the corpus's own folders, not the whole machine path
        return f"<p><b>kg.KnowledgeGraph</b> {escape(str(where))}</p>" + counts._repr_html_()

    def named(self, name: str, **bindings: Any) -> QueryResult:
        """Run a query of the library by name, e.g. ``g.named("conflicts")``.

        >>> len(load().named("dependency-chain", node="https://w3id.org/kg/id/article/000_0e22b9a82a6b1fdf/any-ceasefire").rows)
        1
        """
        library = named_queries()
        if name not in library:
            raise KgError(f"no named query {name!r}; the library has: {', '.join(library)}")
        return self.query(library[name].sparql, **bindings)

    def actors(self) -> Records[Actor]:
        """Every actor, sorted by kind and label, with all its names.

        >>> sorted(load().actors()[-1].names)
        ['U S', 'U.S.', 'US', 'United States', 'Washington', 'White House', 'the White House']
        """
        actors: dict[str, list[Any]] = {}
        for r in self.named("actors").rows:
            actors.setdefault(str(r["actor"]), [r, []])[1].append(str(r["name"]))
        return Records(Actor(iri, str(r["label"]), _local(r["kind"]) or "", tuple(names), _str(r.get("wikidata")))
                       for iri, (r, names) in actors.items())

    def resolve_actor(self, actor: str) -> str:
        """The IRI of an actor given by IRI or by any of its names: case- and diacritic-insensitive, with
        transliteration variants (:class:`kg.aliases.AliasIndex`); a miss suggests the closest names.

        >>> load().resolve_actor("Washington"), load().resolve_actor("Zelensky")
        ('https://w3id.org/kg/id/actor/united-states', 'https://w3id.org/kg/id/actor/volodymyr-zelenskyy')
        """
        actors = self.actors()
        if any(a.iri == actor for a in actors):
            return actor
        wanted = fold(actor)
        matches = sorted({a.iri for a in actors if wanted in (fold(n) for n in (a.label, *a.names))})
        if len(matches) > 1:
            raise KgError(f"more than one actor named {actor!r}: {', '.join(matches)} (pass the IRI)")
        if matches:
            return matches[0]
        index = AliasIndex.from_entities([{"id": a.iri, "names": [a.label, *a.names]} for a in actors], strict=False)
        found = index.resolve(actor)
        if found is None:
            suggestions = index.suggest(actor)
            raise KgError(f"no actor named {actor!r}" + (f"; did you mean {', '.join(map(repr, suggestions))}?" if suggestions
                                                          else "; see kg query actors"))
        return found

    def resolve_node(self, node: str) -> str:
        """The IRI of a statement given by IRI, by ``ARTICLE/id`` or by its statement id (as in the article's YAML).

        >>> load().resolve_node("000_0e22b9a82a6b1fdf/signed-settlement")
        'https://w3id.org/kg/id/article/000_0e22b9a82a6b1fdf/signed-settlement'
        """
        if re.match(r"^https?://", node):
            return node
        if "/" in node:
            article, _, statement = node.partition("/")
            return str(statement_iri(article, statement))
        matches = sorted({str(r["statement"]) for r in self.named("statements").rows if str(r["id"]) == node})
        if len(matches) != 1:
            raise KgError(f"{'no' if not matches else 'more than one'} statement with id {node!r}"
                          + (f": {', '.join(matches)} (pass the IRI)" if matches else "; see kg query statements"))
        return matches[0]

    def positions(self, actor: str | None = None, kind: str | None = None, article: str | None = None) -> Records[Position]:
        """Positions, one record each, optionally of one holder (IRI or name), of one kind ("Demand" or its IRI),
        of one article (id); with addressees, modality, cue, date, sources, topics, quantities and article.

        >>> [(p.kind, p.firmness, p.status, p.addressees) for p in load().positions(actor="US", kind="Demand", article=SEED_ARTICLE)]
        [('Demand', 'ultimatum', 'reported', ('https://w3id.org/kg/id/actor/ukraine',))]
        >>> [(p.label, q.value, q.unit) for p in load().positions(article=SEED_ARTICLE) for q in p.quantities if q.property == "duration"]
        [('Ukraine pushes for a 50-year deterrence shield', 50, 'http://qudt.org/vocab/unit/YR'), ('US offers a 15-year guarantee', 15, 'http://qudt.org/vocab/unit/YR')]
        """
        bindings: dict[str, Any] = {}
        if actor is not None:
            bindings["holder"] = URIRef(self.resolve_actor(actor))
        if kind is not None:
            bindings["kind"] = URIRef(kind if kind.startswith("http") else str(KG[kind]))
        found: dict[str, dict[str, Any]] = {}
        for r in self.named("positions", **bindings):
            if _in_article(r["position"], article):
                p = found.setdefault(str(r["position"]), {"row": r, "holder": set(), "addressee": set()})
                if "holder" in r:
                    p["holder"].add(str(r["holder"]))
                if "addressee" in r:
                    p["addressee"].add(str(r["addressee"]))
        if actor is not None and found:  # the other holders of the same positions
            for r in self.named("positions", **{k: v for k, v in bindings.items() if k != "holder"}):
                if str(r["position"]) in found and "holder" in r:
                    found[str(r["position"])]["holder"].add(str(r["holder"]))
        details: dict[str, dict[str, list[Any]]] = {}
        for r in self.query(POSITION_DETAILS):
            attribute = str(r["attribute"])
            if str(r["position"]) in found:
                value: Any = r["value"].toPython() if attribute in ("date", "quantity") else str(r["value"])
                if attribute == "quantity":
                    value = Quantity(_local(r["property"]) or "", value, str(r["unit"]))
                details.setdefault(str(r["position"]), {}).setdefault(attribute, []).append(value)

        def one(iri: str, key: str) -> Any:
            values = sorted(set(details.get(iri, {}).get(key, [])))
            return "; ".join(values) if key == "cue" and values else values[0] if values else None

        def many(iri: str, key: str) -> tuple[Any, ...]:
            return tuple(sorted(set(details.get(iri, {}).get(key, [])), key=str))

        return Records(Position(iri, str(r["label"]), _local(r["kind"]) or "", tuple(sorted(p["holder"])),
                                tuple(sorted(p["addressee"])), str(r["content"]), str(r["firmness"]), str(r["status"]),
                                one(iri, "modality"), one(iri, "cue"), one(iri, "date"), many(iri, "source"),
                                many(iri, "topic"), many(iri, "quantity"), one(iri, "article"))
                       for iri, p in found.items() for r in [p["row"]])

    def depends_on(self, node: str, transitive: bool = True) -> Records[Dependency]:
        """What a statement (IRI or id) depends on: with ``transitive`` the whole kg:dependsOn+ closure.

        >>> [d.label for d in load().depends_on("us-offers-security-guarantees", transitive=False)]
        ['A signed peace settlement']
        """
        rows = self.named("depends-on", node=URIRef(self.resolve_node(node))).rows
        return _dependencies(rows, "condition", transitive)

    def dependents(self, node: str, transitive: bool = True) -> Records[Dependency]:
        """What depends on a statement (IRI or id), directly or (with ``transitive``) through a chain.

        >>> [d.label for d in load().dependents("russia-demands-donbas")]
        ["Any ceasefire (in the Kremlin's terms)"]
        """
        rows = self.named("dependents", condition=URIRef(self.resolve_node(node))).rows
        return _dependencies(rows, "dependent", transitive)

    def conflicts(self, article: str | None = None) -> Records[Conflict]:
        """Pairs of conflicting positions, each once (optionally those of one article).

        >>> [(c.position.rsplit("/", 1)[1], c.other.rsplit("/", 1)[1]) for c in load().conflicts(SEED_ARTICLE)][0]
        ('deal-may-require-donbas-withdrawal', 'us-not-forcing-concessions')
        """
        return Records(Conflict(str(r["position"]), str(r["positionLabel"]), str(r["other"]), str(r["otherLabel"]),
                                _str(r.get("conflict")), _str(r.get("conflictLabel")))
                       for r in self.named("conflicts").rows if _in_article(r["position"], article))

    def evidence(self, node: str) -> Records[Evidence]:
        """The evidence of a statement (IRI or id): one record per quoted passage.

        >>> e = load().evidence("us-demands-peace-agreement")[0]
        >>> e.quote[:40], e.start, e.end, e.firmness, e.status
        ('the United States has reportedly deliver', 41, 206, 'ultimatum', 'reported')
        """
        grouped: dict[tuple[Any, ...], list[Any]] = {}
        for r in self.named("evidence", statement=URIRef(self.resolve_node(node))).rows:
            key = tuple(r.get(k) for k in ("statement", "quote", "start", "end", "text", "source", "firmness", "status", "cue"))
            reporters = grouped.setdefault(key, [])
            if "reportedBy" in r:
                reporters.append((str(r["reportedBy"]), str(r["reporter"])))
        return Records(Evidence(str(statement), str(quote), int(start), int(end), str(text), str(source),
                                tuple(iri for iri, _ in reporters), tuple(label for _, label in reporters),
                                _str(firmness), _str(status), _str(cue))
                       for (statement, quote, start, end, text, source, firmness, status, cue), reporters in grouped.items())


POSITION_DETAILS = """SELECT ?position ?attribute ?value ?property ?unit WHERE {
  ?position a ?kind . ?kind rdfs:subClassOf kg:Position .
  { ?position kg:reportedBy ?value BIND("source" AS ?attribute) }
  UNION { ?position kg:topic ?value BIND("topic" AS ?attribute) }
  UNION { ?position kg:modality/rdfs:label ?value BIND("modality" AS ?attribute) }
  UNION { ?position kg:cue ?value BIND("cue" AS ?attribute) }
  UNION { ?position kg:date ?value BIND("date" AS ?attribute) }
  UNION { ?position prov:wasDerivedFrom ?value BIND("article" AS ?attribute) }
  UNION { SELECT ?position ?property ?value ?unit ?attribute WHERE {  # a subquery: joined once, not per position
            ?position ?property ?quantity . ?quantity a kg:Quantity ; qudt:numericValue ?value ; qudt:unit ?unit
            BIND("quantity" AS ?attribute) } }
}"""
"""The attributes of positions that :meth:`KnowledgeGraph.positions` adds to the ``positions`` query's rows."""


def _in_article(statement: Identifier, article: str | None) -> bool:
    return article is None or str(statement).startswith(f"{article_iri(article)}/")


def _dependencies(rows: Iterable[dict[str, Identifier]], column: str, transitive: bool) -> Records[Dependency]:
    found = (Dependency(str(r[column]), str(r["label"]), _local(r["kind"]) or "", bool(r["direct"].toPython()))
             for r in rows)
    return Records(d for d in found if transitive or d.direct)




def load(dataset: Path | str | None = None, engine: str = DEFAULT_ENGINE, corpus: CorpusFolder | Path | str | None = None,
         *, store_path: Path | str | None = None, timeout: float | None = DEFAULT_TIMEOUT) -> KnowledgeGraph:
    """Load a built dataset into an engine: "oxigraph" (the default) or "rdflib" (pure Python, same answers).

    The dataset is ``dataset`` if given, else the build of ``corpus``, else that of the corpus
    found from the working directory (see :mod:`kg.corpus`; the bundled seed when there is none).
    ``store_path``: keep an Oxigraph store on disk in that folder, loaded once and reopened
    read-only next time (reloaded when the dataset file changed). ``timeout``: the default time
    limit of every query and helper in seconds (see :meth:`KnowledgeGraph.query`; 30 s unless
    given; None or 0: no limit, queries run in this process).

    >>> load().resolve_actor("Kyiv")
    'https://w3id.org/kg/id/actor/ukraine'
    """
    if dataset is None:
        folder = corpus if isinstance(corpus, CorpusFolder) else find_corpus(corpus)
        dataset = folder.dataset
    opener = partial(open_store, Path(dataset), engine, store_path)
    return KnowledgeGraph(opener(), Path(dataset), opener=opener, timeout=timeout)
