"""Benchmark of kg.dealspace: minimal concession sets with clingo on synthetic negotiation graphs.

Method: for 1,000 and 10,000 positions, a clearly synthetic network (fixed seed 11, nothing from
any article) is generated in the shape of :func:`kg.network.network`: 50 actors; every position
held by one actor (5% by none) with a firmness drawn from the default weight table; each position
depends on 0 to 2 later positions (index up to 40 ahead, so the dependencies form a DAG), plus
N/100 back edges that make cycles of mutual conditions; N/10 random conflicts, minus those whose
two ends the goal needs (otherwise no deal exists). The goal is the position among the first 50
whose dependency closure is largest (ties: the lowest index). For each size the
script times, separately: reading the network into the solver model (``model_of``); the first
proven minimum-cost concession set and all of them, up to 1,000 (``--opt-mode=optN``, core-guided
``--opt-strategy=usc``); the first subset-minimal set and up to 1,000 of them (``domRec``). Each timing includes grounding and is the
best of 3 runs (wall clock, ``time.perf_counter``). Run: ``python -m benchmarks.bench_dealspace``.
"""

from __future__ import annotations

import random
import time

import networkx as nx

from kg.dealspace import DEFAULT_WEIGHTS, concession_sets, model_of

FIRMNESS = [k for k in DEFAULT_WEIGHTS if k not in ("unknown", "no holder")]


def synthetic(n: int, seed: int = 11) -> nx.MultiDiGraph:
    """A synthetic network of ``n`` positions (see the module docstring)."""
    rng = random.Random(seed)
    g = nx.MultiDiGraph()
    actors = [f"urn:synthetic:actor/{i}" for i in range(50)]
    names = [f"urn:synthetic:position/{i}" for i in range(n)]
    for a in actors:
        g.add_node(a, kind="actor", type="State", label=a)
    for i, p in enumerate(names):
        attrs = {"kind": "position", "type": "Demand", "label": f"synthetic position {i}", "firmness": rng.choice(FIRMNESS)}
        if rng.random() > 0.05:
            attrs["holders"] = [rng.choice(actors)]
        g.add_node(p, **attrs)
    for i, p in enumerate(names):
        for _ in range(rng.choice((0, 1, 1, 2))):
            j = i + rng.randint(1, 40)
            if j < n:
                g.add_edge(p, names[j], key="depends-on", relation="depends-on")
    for _ in range(n // 100):
        i = rng.randrange(40, n)
        g.add_edge(names[i], names[i - rng.randint(1, 40)], key="depends-on", relation="depends-on")
    model = model_of(g)
    needed = model.closure([goal_of(model)])
    for _ in range(n // 10):
        a, b = rng.sample(names, 2)
        if not (a in needed and b in needed):
            g.add_edge(a, b, key="conflicts-with", relation="conflicts-with")
    return g


def goal_of(model) -> str:
    """The position among the first 50 that needs the most other positions."""
    first = [f"urn:synthetic:position/{i}" for i in range(50)]
    return max(first, key=lambda p: (len(model.closure([p])), -first.index(p)))


def best_of(runs: int, fn):
    """The fastest of ``runs`` calls: (seconds, last result)."""
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    print(f"{'positions':>9} {'deps':>6} {'confl':>6} {'needed':>6} {'model s':>8} | {'optimal: first s':>16} {'all s':>7} {'sets':>5} "
          f"{'cost':>5} | {'subset-min: first s':>19} {'all s':>7} {'sets':>5}")
    for n in (1_000, 10_000):
        g = synthetic(n)
        model_seconds, model = best_of(3, lambda g=g: model_of(g))
        goal = goal_of(model)
        needed = len(model.closure([goal]))
        optimal = min((concession_sets(model, goal, limit=1000) for _ in range(3)), key=lambda s: s.total_seconds)
        minimal = min((concession_sets(model, goal, mode="subset-minimal", limit=1000) for _ in range(3)), key=lambda s: s.total_seconds)
        cost = optimal.sets[0].cost if optimal.sets else "-"
        print(f"{n:>9} {len(model.depends):>6} {len(model.conflicts):>6} {needed:>6} {model_seconds:>8.3f} | "
              f"{optimal.first_seconds or 0:>16.3f} {optimal.total_seconds:>7.3f} {len(optimal.sets):>5} {cost:>5} | "
              f"{minimal.first_seconds or 0:>19.3f} {minimal.total_seconds:>7.3f} {len(minimal.sets):>5}"
              + ("" if optimal.complete else " (optimal sets: stopped at 1000)")
              + ("" if minimal.complete else " (subset-minimal: stopped at 1000)"))


if __name__ == "__main__":
    main()
