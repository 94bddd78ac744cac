"""The ``kg`` command line: make a corpus, build and validate it, query it, analyse and draw it, serve it.

Every command works on one corpus (see :mod:`kg.corpus`): ``--corpus DIR``, else ``$KG_CORPUS``,
else the nearest folder with a ``kg.toml`` above the working directory, else the bundled seed.
Exit status: 0 success, 1 invalid input, refused or failed (nothing written), 2 usage or query
syntax error, 130 interrupted (Ctrl-C).

>>> main(["locate", "000_0e22b9a82a6b1fdf", "The Kremlin insists"])
000_0e22b9a82a6b1fdf.txt line 17: start: 2222, end: 2241
0
"""

from __future__ import annotations

import argparse
import math
import os
import re
import signal
import sys
from collections import Counter
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from rdflib import Dataset
from rdflib.term import Identifier

from kg import __version__, dealspace, draft, evaluate, ingest
from kg.annotations import Corpus, load_corpus
from kg.build import build_dataset, cached_articles, save_cache
from kg.construct import GRAPH_FORMATS, graph_answers, graph_query
from kg.corpus import CorpusFolder, find_corpus, init_corpus
from kg.errors import KgError
from kg.graph import KnowledgeGraph, load
from kg.library import named_queries
from kg.progress import collector_paused, step
from kg.querycheck import QuerySyntaxError, QueryTooLarge, prepare_within, with_prefixes
from kg.results import FORMATS, format_result
from kg.serialize import serialize, write_outputs
from kg.store import DEFAULT_ENGINE, ENGINES, OxigraphStore, built_dataset, open_store
from kg.terms import parse_term
from kg.validate import check_shacl, validate
from kg.vocabulary import VOCABULARY
from kg.workers import DEFAULT_TIMEOUT, Forked, run_with_timeout

GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


def _corpus(args: argparse.Namespace) -> CorpusFolder:
    return find_corpus(args.corpus)


def _corpus_and_dataset(folder: CorpusFolder, cache: Path | None = None) -> tuple[Corpus, Dataset, set[str]]:
    """The corpus read and checked, its dataset built, and the ids of the articles read from ``cache``."""
    with step(f"reading and checking the corpus {folder.name} ({folder.root})"):
        corpus = load_corpus(folder)
    cached = cached_articles(corpus, cache)
    with step(f"building {len(corpus.articles)} article(s), {len(cached)} from the cache"):
        ds = build_dataset(corpus, cache)
    return corpus, ds, cached


def cmd_init(args: argparse.Namespace) -> int:
    """Make a new corpus folder: kg.toml, entities.yaml, articles/."""
    folder = init_corpus(args.dir, args.name)
    print(f"made the corpus {folder.name!r} in {folder.root}\n"
          f"next, inside {folder.root}: name the actors and issues in {folder.entities.name}, then\n"
          f"  kg ingest ARTICLE.txt --outlet ... --published YYYY-MM-DD   (raw text, metadata, drafted statements)\n"
          f"  kg review ID, then kg review ID --accept                      (the statements you checked)\n"
          f"  kg build                                                      (validate and write the graph)")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Compile, validate and, only if everything is valid, write all output files.

    SHACL (the longest check) runs in a forked process while this one writes the files in memory,
    counts what they hold (on Oxigraph) and runs the evidence and coverage checks; nothing reaches
    the disk before all of them passed. The garbage collector is paused throughout (the dataset is
    millions of objects that all live until the end: :func:`kg.progress.collector_paused`).
    """
    folder = _corpus(args)
    cache = None if args.no_cache else folder.build_dir / ".cache"
    with collector_paused():
        corpus, ds, cached = _corpus_and_dataset(folder, cache)
        with Forked(check_shacl, corpus, ds, cached) as shacl, \
                step("validating (SHACL, evidence, coverage) and serialising TriG, N-Quads, JSON-LD and Turtle"):
            files = serialize(ds)
            counts = summary(KnowledgeGraph(OxigraphStore.from_data(files["kg.nq"]), timeout=None))
            report = validate(corpus, ds, cached, shacl=shacl.result)
    if not report.ok:
        print("\n".join(report.lines()), file=sys.stderr)
        print("build stopped: nothing was written", file=sys.stderr)
        return 1
    out = args.out or folder.build_dir
    written = write_outputs({out / name: data for name, data in files.items()})
    if cache is not None:
        save_cache(corpus, files["kg.nq"], cache)
    print(f"corpus: {folder.name} ({len(corpus.articles)} article(s), {folder.root})")
    print("\n".join(report.lines() + counts))
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Check the curated sources and the graph they build, without writing anything."""
    with collector_paused():
        corpus, ds, cached = _corpus_and_dataset(_corpus(args))
        with step("validating (SHACL, evidence, coverage)"):
            report = validate(corpus, ds, cached)
    print("\n".join(report.lines()), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def cmd_locate(args: argparse.Namespace) -> int:
    """Print the raw offsets of a quote, for writing evidence by hand."""
    corpus = load_corpus(_corpus(args))
    article = next((a for a in corpus.articles if a.id == args.article), None)
    if article is None:
        raise KgError(f"no article {args.article!r}; articles: {', '.join(a.id for a in corpus.articles)}")
    raw = article.text.raw
    found = [m.start() for m in re.finditer(re.escape(args.quote), raw)]
    if not found:
        raise KgError(f"quote not found in {article.text_path.name}; copy it exactly, noise included")
    for start in found:
        print(f"{article.text_path.name} line {raw.count(chr(10), 0, start) + 1}: start: {start}, end: {start + len(args.quote)}")
    return 0


def cmd_timeline(args: argparse.Namespace) -> int:
    """Print how positions moved across articles: each thread's reports with dates, durations, relations and sources."""
    from kg.threads import timeline

    print("\n".join(timeline(_graph_of(args), args.about)))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the built dataset as a guarded, read-only SPARQL endpoint with the YASGUI page, until Ctrl-C."""
    from kg.serve import serve

    serve(_dataset(args), host=args.host, port=args.port, timeout=args.timeout, max_bytes=args.max_bytes,
          workers=args.workers, allow_remote=args.allow_remote, cors=args.cors, allowed_hosts=tuple(args.allowed_host))
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    """Upload each named graph of the built dataset to a Graph Store Protocol endpoint; report what was sent."""
    import os

    from kg.remote import PushError, push

    for option, variable in (("password", "KG_PASSWORD"), ("token", "KG_TOKEN")):
        if getattr(args, option):
            print(f"kg push: warning: --{option} on the command line shows in ps and in the shell history "
                  f"(better: export {variable})", file=sys.stderr)
    password = args.password or os.environ.get("KG_PASSWORD")
    token = args.token or os.environ.get("KG_TOKEN")
    if password and args.user is None:
        raise KgError("a password needs --user (or use --token for bearer authentication)")
    try:
        report = push(args.endpoint, _dataset(args), replace=not args.merge, timeout=args.timeout or None,
                      user=args.user, password=password, token=token)
    except PushError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print("\n".join(report.lines()))
    return 0


class UsageError(Exception):
    """A mistake in the command line itself (exit status 2)."""


def seconds(text: str) -> float:
    """A --timeout value: a number of seconds >= 0, where 0 means no limit (argparse type; else exit 2)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds >= 0 (0: no limit)")
    return value


def port_number(text: str) -> int:
    """A --port value: 0 (any free port) to 65535 (argparse type; else exit 2)."""
    if not re.fullmatch(r"[0-9]{1,5}", text) or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number from 0 to 65535 (0: any free port)")
    return int(text)


def _query_text(args: argparse.Namespace) -> tuple[str, list[str]]:
    """The SPARQL of ``kg query``'s argument (a library name, a .rq file or inline text) and its declared params."""
    library = named_queries()
    if args.query in library:
        return library[args.query].sparql, library[args.query].param_names
    path = Path(args.query)
    if args.query.endswith(".rq") or (len(args.query) < 4096 and "\n" not in args.query and path.is_file()):
        if not path.is_file():
            raise UsageError(f"no query file {args.query}")
        return path.read_text(encoding="utf-8"), []
    if re.fullmatch(r"[\w.-]+", args.query):
        raise UsageError(f"no named query {args.query!r}; kg query --list shows the library")
    return args.query, []


def _query_params(args: argparse.Namespace, sparql: str, declared: list[str]) -> dict[str, Identifier]:
    """--param name=value pairs as RDF terms, each checked against the variables of the query."""
    variables = set(re.findall(r"[?$](\w+)", re.sub(r"(?m)^\s*#.*$", "", sparql)))
    bindings = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--param {item!r}: write NAME=VALUE, e.g. --param holder=kgid:actor/russia")
        if name not in variables:
            raise UsageError(f"--param {name}: the query has no ?{name}"
                             + (f" (its parameters: {', '.join(declared)})" if declared else ""))
        bindings[name] = parse_term(value)
    return bindings


def cmd_query(args: argparse.Namespace) -> int:
    """Run a read-only query of the library, a .rq file or inline SPARQL, in a worker with a time limit."""
    if args.list:
        library = named_queries().values()
        width = max(len(q.name) for q in library)
        print("\n".join(f"{q.name.ljust(width)}  {(q.cq + ' ') if q.cq else ''}{q.description}" for q in library))
        return 0
    try:
        if not args.query:
            raise UsageError("give a query: a name from kg query --list, a .rq file or SPARQL text")
        if not args.timeout >= 0 or args.timeout == float("inf"):
            raise UsageError(f"--timeout {args.timeout}: give a number of seconds (0: no limit)")
        sparql, declared = _query_text(args)
        bindings = _query_params(args, sparql, declared)
        checked = prepare_within(sparql, args.timeout, allow_remote=args.allow_remote)  # inside the time limit
        form = checked.form
        fmt = args.format or ("turtle" if form in GRAPH_FORMS else "table" if sys.stdout.isatty() else "csv")
        if (form in GRAPH_FORMS) != (fmt in GRAPH_FORMATS):
            raise UsageError(f"--format {fmt} does not fit a {form} query (graphs: {', '.join(GRAPH_FORMATS)}; "
                             f"rows: {', '.join(FORMATS)})")
    except (UsageError, QuerySyntaxError, QueryTooLarge) as exc:
        print(f"kg query: {exc}", file=sys.stderr)
        return 2
    if form in GRAPH_FORMS:
        return _graph_query(args, sparql, bindings, fmt)
    if args.endpoint:
        from kg.remote import RemoteStore

        result = RemoteStore(args.endpoint, timeout=args.timeout or None).select(with_prefixes(sparql), bindings)
    else:
        opener = partial(open_store, _dataset(args), args.engine, args.store_path)
        result = (run_with_timeout(opener, sparql, bindings, args.timeout, allow_remote=args.allow_remote) if args.timeout > 0
                  else opener().select(sparql, bindings, allow_remote=args.allow_remote))
    text = format_result(result, fmt)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _graph_query(args: argparse.Namespace, sparql: str, bindings: dict[str, Identifier], fmt: str) -> int:
    """CONSTRUCT or DESCRIBE for kg query: the graph as Turtle, N-Triples or JSON-LD, with the same time limit."""
    if args.endpoint:
        from kg.remote import RemoteStore

        text = graph_query(RemoteStore(args.endpoint, timeout=args.timeout or None), sparql, bindings, fmt)
    else:
        opener = partial(graph_answers, partial(open_store, _dataset(args), args.engine), fmt)
        text = run_with_timeout(opener, sparql, bindings, args.timeout) if args.timeout > 0 else opener().select(sparql, bindings)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _dataset(args: argparse.Namespace) -> Path:
    """The dataset named by --dataset, else the build of the corpus."""
    return built_dataset(args.dataset or _corpus(args).dataset)


def _graph_of(args: argparse.Namespace) -> KnowledgeGraph:
    """The knowledge graph of --dataset (or the corpus) on --engine."""
    path = _dataset(args)
    with step(f"loading {path} ({path.stat().st_size / 1e6:.1f} MB) into {args.engine}"):
        return load(path, engine=args.engine)  # kg.load: the store and how to open it again for a spawned worker


def cmd_analyze(args: argparse.Namespace) -> int:
    """Answer a question about the network: chain, deadlocks, blocking, collisions or talks.

    Every statement is named with its label, ``ARTICLE/id`` and date (:func:`kg.articles.name`).
    """
    from kg import network as net
    from kg.articles import name as cited
    from kg.articles import statement_id

    graph = _graph_of(args)
    g = net.network(graph)
    name = partial(cited, g)

    def parties(nodes: tuple[str, ...]) -> str:
        return ", ".join(g.nodes[n]["label"] for n in nodes) or "no holder"

    lines: list[str] = []
    if args.analysis == "chain":
        start = net.find_node(g, args.position)
        chain = net.conditions_chain(g, start, args.min_firmness, args.actual_only)
        lines.append(f"conditions in front of {name(start)}: {len(chain)}")
        lines += [f"{'  ' * c.depth}{c.depth}. {name(c.node)} (needed by {', '.join(map(statement_id, c.needed_by))})"
                  for c in chain]
    elif args.analysis == "deadlocks":
        cycles = net.deadlocks(g, args.min_firmness, args.actual_only)
        lines.append(f"cycles of mutual conditions: {len(cycles) or 'none'}")
        lines += [" -> ".join(name(n) for n in (*cycle, cycle[0])) for cycle in cycles]
    elif args.analysis == "blocking":
        ranked = net.blocking_conditions(g, args.min_firmness, args.actual_only)[: args.top]
        lines.append(f"conditions ranked by {net.BLOCKING_MEASURE}:")
        lines += [f"{b.count:3d}  {name(b.node)}: blocks {', '.join(map(statement_id, b.blocked))}" for b in ranked]
    elif args.analysis == "collisions":
        found = net.collisions(g, between_parties=not args.all)
        lines.append(f"{'conflicts' if args.all else 'collisions between parties'}: {len(found)}")
        for c in found:
            lines += [f"{c.label}", f"    {parties(c.parties_a)}: {name(c.a)}", f"    {parties(c.parties_b)}: {name(c.b)}"]
    else:
        pairs = net.shared_talks(g)
        lines.append(f"actors connected through shared talks: {len(pairs)} pairs")
        lines += [f"{g.nodes[t.a]['label']} -- {g.nodes[t.b]['label']}: {'; '.join(name(e) for e in t.events)}" for t in pairs]
    print("\n".join(lines))
    return 0


def cmd_viz(args: argparse.Namespace) -> int:
    """Write the interactive graph page (one self-contained HTML file)."""
    from kg.network import dependency_view, network
    from kg.viz import write_page

    graph = _graph_of(args)
    g = network(graph)
    g = dependency_view(g) if args.view == "dependency" else g
    overlay = None
    if args.dealspace:
        from kg.dealspace import annotate_quantities, dealspace
        from kg.dealspace import overlay as dealspace_overlay

        overlay = dealspace_overlay(dealspace(annotate_quantities(g, graph), args.dealspace))
    path = write_page(g, args.out, args.title, dealspace=overlay)
    print(f"wrote {path} ({path.stat().st_size:,} bytes; {g.number_of_nodes()} nodes, {g.number_of_edges()} edges): "
          f"open it in a browser, no network needed")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export the network (GraphML, GEXF), the dataset (RDF formats) or a picture of the dependency view."""
    from kg.export import export

    [path] = write_outputs({args.out: export(args.format, _graph_of(args), args.view)})
    print(f"wrote {path} ({path.stat().st_size:,} bytes, {args.format})")
    return 0


def summary(graph: KnowledgeGraph) -> list[str]:
    """A few lines on what the graph holds: triples, actors, positions by kind, dependencies, conflicts."""
    count = graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"]
    actors = graph.actors()
    positions = graph.positions()
    edges = graph.query("""PREFIX kg: <https://w3id.org/kg/ontology#>
        SELECT (COUNT(*) AS ?deps) WHERE { ?a kg:dependsOn ?b }""").rows[0]["deps"]
    conflicts = graph.query("""PREFIX kg: <https://w3id.org/kg/ontology#>
        SELECT (COUNT(*) AS ?n) WHERE { ?c a kg:Conflict }""").rows[0]["n"]
    kinds = Counter(a.kind for a in actors)
    by_kind = Counter(p.kind for p in {p.iri: p for p in positions}.values())
    return [f"triples: {count}",
            f"actors: {len(actors)} (" + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) + ")",
            f"positions: {sum(by_kind.values())} (" + ", ".join(f"{k} {n}" for k, n in sorted(by_kind.items())) + ")",
            f"dependencies: {edges}", f"conflicts: {conflicts}"]


def parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    corpus_help = "the corpus folder (default: $KG_CORPUS, else the nearest kg.toml upwards, else the bundled seed)"
    top = argparse.ArgumentParser(prog="kg", description="Knowledge graphs of actors and positions in negotiations.")
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    top.add_argument("--corpus", type=Path, metavar="DIR", help=corpus_help)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", type=Path, metavar="DIR", default=argparse.SUPPRESS, help=corpus_help)
    sub = top.add_subparsers(dest="command", required=True, parser_class=partial(argparse.ArgumentParser, parents=[common]))
    init = sub.add_parser("init", help="make a new corpus: kg.toml, entities.yaml, articles/")
    init.add_argument("dir", type=Path, help="the folder to make it in (created if needed)")
    init.add_argument("--name", help="the corpus name (default: the folder name)")
    init.set_defaults(func=cmd_init)
    build = sub.add_parser("build", help="validate the curated data and write the corpus build/ (TriG, N-Quads, JSON-LD, Turtle)")
    build.add_argument("--out", type=Path, help="output folder (default: the corpus build/ folder)")
    build.add_argument("--no-cache", action="store_true",
                       help="build every article again (default: reuse build/.cache for articles whose inputs did not change)")
    build.set_defaults(func=cmd_build)
    sub.add_parser("validate", help="SHACL, evidence and coverage checks; writes nothing").set_defaults(func=cmd_validate)
    for module in (ingest, draft, evaluate):
        module.register(sub)
    locate = sub.add_parser("locate", help="print the raw offsets of a quote in an article")
    locate.add_argument("article", help="article id, e.g. 000_0e22b9a82a6b1fdf")
    locate.add_argument("quote", help="the exact words, noise included")
    locate.set_defaults(func=cmd_locate)
    timeline = sub.add_parser("timeline", help="how positions moved across articles, with dates and sources")
    timeline.add_argument("about", nargs="?", help="an issue (id or name) or an actor (any of its names); default: every thread")
    timeline.add_argument("--dataset", type=Path, help="TriG or N-Quads file (default: the corpus build)")
    timeline.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE, help="query engine (default: %(default)s)")
    timeline.set_defaults(func=cmd_timeline)
    # --- query commands (kg query) ---
    query = sub.add_parser("query", help="run a named query, a .rq file or inline SPARQL (read-only)",
                           description="Run a read-only SPARQL query. Exit status: 0 ok, 1 refused, timed out or failed, "
                                       "2 syntax or usage error.")
    query.add_argument("query", nargs="?", help="a name from --list, a .rq file, or SPARQL text")
    query.add_argument("--list", action="store_true", help="list the named queries with one-line descriptions")
    query.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE",
                       help="bind ?NAME to an RDF term: <iri>, kg:Demand, https://..., \"15\"^^xsd:integer, else a plain literal")
    query.add_argument("--format", "-f", choices=(*FORMATS, *GRAPH_FORMATS),
                       help="output format (default: table on a terminal, else csv; turtle for CONSTRUCT and DESCRIBE)")
    query.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE, help="query engine (default: %(default)s)")
    query.add_argument("--dataset", type=Path, help="TriG or N-Quads file to query (default: the corpus build)")
    query.add_argument("--store-path", type=Path, metavar="DIR",
                       help="keep an Oxigraph store on disk in DIR: loaded once, reopened read-only, reloaded when the dataset changes")
    query.add_argument("--timeout", type=seconds, default=DEFAULT_TIMEOUT,
                       help="stop the check and the query after this many seconds (default: %(default)s; 0: no limit, no worker)")
    query.add_argument("--allow-remote", action="store_true", help="allow SERVICE and FROM <url> (off: they fetch from the network)")
    query.add_argument("--endpoint", metavar="URL", help="ask this SPARQL endpoint instead, e.g. http://127.0.0.1:7878/query")
    query.set_defaults(func=cmd_query)
    # --- end query commands ---
    # --- network commands (kg analyze, kg viz, kg export) ---
    source = argparse.ArgumentParser(add_help=False, parents=[common])
    source.add_argument("--dataset", type=Path, help="TriG or N-Quads file (default: the corpus build)")
    source.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE, help="query engine (default: %(default)s)")
    analyze = sub.add_parser("analyze", help="questions about the network: chains of conditions, deadlocks, blockers, collisions, talks")
    analyses = analyze.add_subparsers(dest="analysis", required=True,
                                      parser_class=partial(argparse.ArgumentParser, parents=[common]))
    hedges = argparse.ArgumentParser(add_help=False)
    hedges.add_argument("--min-firmness", choices=list(VOCABULARY.firmness), metavar="FIRMNESS",
                        help="follow only depends-on edges at least this firm "
                        "(Hinted < Described, Stated < Argued, Maintained, PushedFor < Insisted < Ultimatum)")
    hedges.add_argument("--actual-only", action="store_true", help="leave out depends-on edges presented as possible ('may')")
    chain = analyses.add_parser("chain", parents=[source, hedges], help="every condition in front of a position, nearest first")
    chain.add_argument("position", help="statement id (us-offers-security-guarantees), ARTICLE/id, IRI or label")
    analyses.add_parser("deadlocks", parents=[source, hedges], help="cycles of mutual conditions")
    blocking = analyses.add_parser("blocking", parents=[source, hedges], help="conditions ranked by how many positions they block")
    blocking.add_argument("--top", type=int, default=10, help="how many to list (default: %(default)s)")
    colliding = analyses.add_parser("collisions", parents=[source], help="conflicting positions held by different parties")
    colliding.add_argument("--all", action="store_true", help="also conflicts inside one party")
    analyses.add_parser("talks", parents=[source], help="actors connected through shared talks")
    dealspace.register(analyses, parents=[source])
    analyze.set_defaults(func=cmd_analyze)
    viz = sub.add_parser("viz", parents=[source], help="write the interactive graph page (one HTML file, works offline)")
    viz.add_argument("--out", type=Path, default=Path("kg-graph.html"), help="HTML file to write (default: %(default)s)")
    viz.add_argument("--view", choices=("full", "dependency"), default="full", help="all nodes, or positions and conditions only")
    viz.add_argument("--title", default="kg: actors and positions", help="page title (default: %(default)s)")
    viz.add_argument("--dealspace", metavar="GOAL", help="add the concession sets for this goal (kg analyze dealspace), "
                                                        "highlighted one at a time")
    viz.set_defaults(func=cmd_viz)
    export = sub.add_parser("export", parents=[source], help="GraphML/GEXF for Gephi, RDF formats, PNG/SVG of the dependency view")
    export.add_argument("--format", required=True, choices=("graphml", "gexf", "trig", "nquads", "jsonld", "turtle", "png", "svg"))
    export.add_argument("--out", type=Path, required=True, help="file to write")
    export.add_argument("--view", choices=("full", "dependency"), help="graphml/gexf: full network (default) or dependency view")
    export.set_defaults(func=cmd_export)
    # --- end network commands ---
    # --- server commands (kg serve, kg push) ---
    serve = sub.add_parser("serve", help="a read-only SPARQL endpoint (/query) and YASGUI page on Oxigraph, with time limits")
    serve.add_argument("--dataset", type=Path, help="TriG or N-Quads file (default: the corpus build)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s, this machine only)")
    serve.add_argument("--port", type=port_number, help="port (default: 7878 if free, else any free port; 0: any free port)")
    serve.add_argument("--timeout", type=seconds, default=30.0,
                       help="seconds a query may run before it is killed (default: %(default)s; 0: no limit)")
    serve.add_argument("--max-bytes", type=int, default=20_000_000, help="largest answer sent, in bytes (default: %(default)s)")
    serve.add_argument("--workers", type=int, default=2, help="queries answered at the same time (default: %(default)s)")
    serve.add_argument("--allow-remote", action="store_true", help="let queries use SERVICE and FROM <url> (off: refused)")
    serve.add_argument("--cors", action="store_true", help="let web pages of other origins query this endpoint (CORS)")
    serve.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                       help="accept requests whose Host header is NAME (besides the address listened on, and "
                            "localhost on loopback); against DNS rebinding every other name is refused")
    serve.set_defaults(func=cmd_serve)
    push = sub.add_parser("push", help="upload the dataset to a SPARQL Graph Store endpoint, one named graph per article")
    push.add_argument("--endpoint", required=True,
                      help="Graph Store Protocol URL, e.g. http://localhost:7878/store (Oxigraph), http://localhost:3030/DS/data (Fuseki)")
    push.add_argument("--dataset", type=Path, help="TriG or N-Quads file (default: the corpus build)")
    mode = push.add_mutually_exclusive_group()
    mode.add_argument("--replace", action="store_true", help="replace each graph on the server (PUT; the default)")
    mode.add_argument("--merge", action="store_true", help="add to each graph on the server (POST)")
    push.add_argument("--user", help="user name for HTTP Digest or Basic authentication (the server's challenge decides)")
    push.add_argument("--password", help="password (better: set KG_PASSWORD)")
    push.add_argument("--token", help="bearer token (better: set KG_TOKEN)")
    push.add_argument("--timeout", type=seconds, default=120.0,
                      help="seconds to wait for each graph's upload (default: %(default)s; 0: no limit)")
    push.set_defaults(func=cmd_push)
    # --- end server commands ---
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    A closed pipe (``kg query --list | head -1``) ends quietly; Ctrl-C ends with one line and status 130.
    """
    args = parser().parse_args(argv)
    if not hasattr(args, "corpus"):
        args.corpus = None
    try:
        return args.func(args)
    except KgError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kg: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (| head): point stdout at /dev/null so that Python's exit flush stays quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE


if __name__ == "__main__":
    sys.exit(main())
