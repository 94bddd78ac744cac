"""Time every named query: raw pyoxigraph vs kg on Oxigraph vs kg on rdflib, on the seed graph and a ~1M-quad SYNTHETIC graph.

Run from the repository root:  python -m benchmarks.bench_queries [--statements 37000] [--repeats 3] [--timeout 120]

Method: one worker process (kg.workers.QueryWorker, 'spawn') per engine. The Oxigraph worker
times, in the same process and run, (a) raw pyoxigraph: ``Store().bulk_load`` of the file, and per
query ``[tuple(s) for s in store.query(text, use_default_graph_as_union=True)]`` (every value
materialised as a pyoxigraph term), and (b) kg: ``kg.store.open_store(path, "oxigraph")`` and per
query ``store.select(text)`` (the check, the predeclared prefixes, pyoxigraph rows kept and converted to
rdflib terms when the rows are first read, SELECT * ordering); "every value read" is one more kg
run that also builds every row as rdflib terms (``.rows``). Raw and kg runs of a query alternate, ``--repeats`` times each,
and the median is reported, so that a busy machine slows both alike. The rdflib worker loads the file with
``open_store(path, "rdflib")`` and runs each query once on the synthetic graph (median of
``--repeats`` on the seed). Timings are taken inside the workers with time.perf_counter, so moving
rows between processes is not counted. The check of a text runs once per worker (it is cached), in the
first of the alternating runs. A query past --timeout is killed with its worker
("timeout"; the worker restarts and reloads). Ratios: kg/raw for Oxigraph (target <= 1.2, load
<= 1.1) and rdflib/raw. The synthetic graph is written with a fixed seed into a temporary folder
(benchmarks/synthetic.py), never into the repository.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Literal
from rdflib.term import Identifier

from benchmarks.synthetic import generate
from kg.library import named_queries
from kg.querycheck import QueryTimeout
from kg.results import QueryResult
from kg.store import built_dataset, open_store
from kg.workers import QueryWorker


def _seconds(run: Any) -> tuple[int, float]:
    started = time.perf_counter()
    rows = run()
    return rows, time.perf_counter() - started


class TimedStore:
    """A worker-side store whose select answers with (rows, raw seconds, kg seconds) only."""

    def __init__(self, path: Path, engine: str, repeats: int) -> None:
        self.engine, self.repeats = engine, repeats
        if engine == "oxigraph":
            raw = ox.Store()
            self.raw_load = _seconds(lambda: raw.bulk_load(path=str(path), format=_format(path)) or 0)[1]
            del raw
            gc.collect()
        self.load = _seconds(lambda: setattr(self, "store", open_store(path, engine)) or 0)[1]

    def select(self, sparql: str, bindings: Mapping[str, Identifier] | None = None, **_: Any) -> QueryResult:
        if sparql == "LOAD TIMES":
            return QueryResult(["raw", "kg"], [{"raw": Literal(getattr(self, "raw_load", 0.0)), "kg": Literal(self.load)}])
        raw_times, kg_times, rows = [], [], 0
        for _ in range(self.repeats):
            if self.engine == "oxigraph":
                raw_times.append(_seconds(lambda: self._raw(sparql))[1])
            rows, seconds = _seconds(lambda: len(self.store.select(sparql, bindings)))
            kg_times.append(seconds)
        read = _seconds(lambda: len(self.store.select(sparql, bindings).rows))[1]
        raw = statistics.median(raw_times) if raw_times else 0.0
        return QueryResult(["rows", "raw", "kg", "read"], [{"rows": Literal(rows), "raw": Literal(raw),
                                                            "kg": Literal(statistics.median(kg_times)), "read": Literal(read)}])


    def _raw(self, sparql: str) -> int:
        result = self.store.store.query(sparql, use_default_graph_as_union=True)
        return len([tuple(solution) for solution in result])


def _format(path: Path) -> ox.RdfFormat:
    return ox.RdfFormat.N_QUADS if path.suffix == ".nq" else ox.RdfFormat.TRIG


def measure(path: Path, engine: str, repeats: int, timeout: float
            ) -> tuple[dict[str, float], dict[str, tuple[int, float, float, float] | None]]:
    """Load times and, per named query, (rows, raw seconds, kg seconds, kg seconds with every value read) or None."""
    worker = QueryWorker(partial(TimedStore, path, engine, repeats))
    worker.start()
    times: dict[str, tuple[int, float, float, float] | None] = {}
    try:
        load = {k: float(v) for k, v in worker.select("LOAD TIMES", None, 60).rows[0].items()}
        for name, query in named_queries().items():
            try:
                row = worker.select(query.sparql, None, timeout).rows[0]
                times[name] = (int(row["rows"]), float(row["raw"]), float(row["kg"]), float(row["read"]))
            except QueryTimeout:
                times[name] = None
    finally:
        worker.close()
    return load, times


def _cell(seconds: float, done: object, timeout: float) -> str:
    return f"{seconds * 1000:.1f}" if done else f"timeout (>{timeout:g} s)"


def report(title: str, path: Path, repeats: int, rdflib_repeats: int, timeout: float) -> None:
    oxi_load, oxi = measure(path, "oxigraph", repeats, timeout)
    rdf_load, rdf = measure(path, "rdflib", rdflib_repeats, timeout)
    print(f"\n## {title}\n")
    print(f"load (s): raw pyoxigraph {oxi_load['raw']:.2f}, kg (Oxigraph) {oxi_load['kg']:.2f} "
          f"({oxi_load['kg'] / oxi_load['raw']:.2f}x raw), kg (rdflib) {rdf_load['kg']:.2f} "
          f"({rdf_load['kg'] / oxi_load['raw']:.1f}x raw)\n")
    print("| query | rows | raw pyoxigraph (ms) | kg Oxigraph (ms) | kg/raw | kg Oxigraph, every value read as rdflib (ms) "
          "| kg rdflib (ms) | rdflib/raw |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    totals = [0.0, 0.0, 0.0]
    worst = 0.0
    for name in named_queries():
        o, r = oxi[name], rdf[name]
        raw, kg, read = (o[1], o[2], o[3]) if o else (timeout, timeout, timeout)
        rd = r[2] if r else timeout
        ratio = kg / raw if raw else float("nan")
        worst = max(worst, ratio)
        totals = [totals[0] + raw, totals[1] + kg, totals[2] + rd]
        print(f"| {name} | {o[0] if o else (r[0] if r else -1)} | {_cell(raw, o, timeout)} | {_cell(kg, o, timeout)} "
              f"| {ratio:.2f} | {_cell(read, o, timeout)} | {_cell(rd, r, timeout)} | {rd / raw:.1f}x |")
    print(f"| **all** (timeouts counted at the limit) | | {totals[0] * 1000:.0f} | {totals[1] * 1000:.0f} "
          f"| {totals[1] / totals[0]:.2f} | | {totals[2] * 1000:.0f} | {totals[2] / totals[0]:.1f}x |")
    print(f"\nworst kg/raw ratio: {worst:.2f} (target <= 1.2); load kg/raw: {oxi_load['kg'] / oxi_load['raw']:.2f} (target <= 1.1)")


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    cli.add_argument("--statements", type=int, default=37_000, help="synthetic statements (37000: about 1M quads)")
    cli.add_argument("--repeats", type=int, default=3, help="runs of each query on Oxigraph, raw and kg alternating")
    cli.add_argument("--timeout", type=float, default=120.0, help="per-query limit in seconds on the synthetic graph")
    args = cli.parse_args()
    report(f"Seed graph ({built_dataset().name}), median of 5", built_dataset(), 5, 5, 60)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "synthetic.nq"
        quads = generate(path, statements=args.statements)
        report(f"SYNTHETIC graph: {quads:,} quads, {args.statements:,} generated statements, median of {args.repeats} "
               "(rdflib: one run)", path, args.repeats, 1, args.timeout)


if __name__ == "__main__":
    main()
