"""The ``kg`` command line: build, validate and inspect the knowledge graph.

Exit status: 0 success, 1 invalid input or failed validation (nothing written), 2 usage error.

>>> main(["locate", "000_0e22b9a82a6b1fdf", "The Kremlin insists"])
000_0e22b9a82a6b1fdf.txt line 17: start: 2222, end: 2241
0
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from kg.annotations import PROJECT_ROOT, Corpus, load_corpus
from kg.build import ONTOLOGY_GRAPH, build_dataset, ontology_reference, serialize, write_outputs
from kg.errors import KgError
from kg.queries import KnowledgeGraph
from kg.store import RdflibStore
from kg.validate import ValidationReport, validate


def _corpus_and_report(root: Path) -> tuple[Corpus, RdflibStore, ValidationReport]:
    corpus = load_corpus(root)
    ds = build_dataset(corpus)
    return corpus, RdflibStore(ds), validate(corpus, ds)


def cmd_build(args: argparse.Namespace) -> int:
    """Compile, validate and, only if everything is valid, write all output files."""
    corpus, store, report = _corpus_and_report(args.root)
    if not report.ok:
        print("\n".join(report.lines()), file=sys.stderr)
        print("build stopped: nothing was written", file=sys.stderr)
        return 1
    out = args.out or args.root / "data" / "build"
    files = {out / name: data for name, data in serialize(store.dataset).items()}
    files[args.root / "ontology" / "README.md"] = ontology_reference(store.dataset.graph(ONTOLOGY_GRAPH)).encode("utf-8")
    written = write_outputs(files)
    print("\n".join(report.lines()))
    print("\n".join(summary(KnowledgeGraph(store))))
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Check the curated sources and the graph they build, without writing anything."""
    _, _, report = _corpus_and_report(args.root)
    print("\n".join(report.lines()), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def cmd_locate(args: argparse.Namespace) -> int:
    """Print the raw offsets of a quote, for writing evidence by hand."""
    corpus = load_corpus(args.root)
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
    top = argparse.ArgumentParser(prog="kg", description="Knowledge graphs of actors and positions in negotiations.")
    top.add_argument("--root", type=Path, default=PROJECT_ROOT, help="corpus folder with ontology/ and data/ (default: %(default)s)")
    sub = top.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="validate the curated data and write data/build/ (TriG, N-Quads, JSON-LD, Turtle)")
    build.add_argument("--out", type=Path, help="output folder (default: ROOT/data/build)")
    build.set_defaults(func=cmd_build)
    sub.add_parser("validate", help="SHACL, evidence and coverage checks; writes nothing").set_defaults(func=cmd_validate)
    locate = sub.add_parser("locate", help="print the raw offsets of a quote in an article")
    locate.add_argument("article", help="article id, e.g. 000_0e22b9a82a6b1fdf")
    locate.add_argument("quote", help="the exact words, noise included")
    locate.set_defaults(func=cmd_locate)
    # --- query commands (kg query) ---
    # --- end query commands ---
    # --- network commands (kg analyze, kg viz, kg export) ---
    # --- end network commands ---
    # --- server commands (kg serve, kg push) ---
    # --- end server commands ---
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except KgError as exc:
        print(str(exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
