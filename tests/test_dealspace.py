"""Tests for kg.dealspace: concession sets, consistent sets, Dung extensions and bargaining ranges (clingo).

The small graphs here are invented examples, not from any article; their answers are worked out
by hand in the comments. The seed graph tests assert only what follows from its structure, so
that corrections to the seed data (holders, hedged dependencies) do not break them.
"""

from __future__ import annotations

import itertools
import json
import random

import networkx as nx
import pytest
from argumentation.core.dung import (
    ArgumentationFramework,
    admissible,
    complete_extensions,
    grounded_extension,
    preferred_extensions,
    stable_extensions,
)

from kg.cli import main
from kg.dealspace import (
    DEFAULT_WEIGHTS,
    Model,
    annotate_quantities,
    attacks_of,
    bargaining_ranges,
    concession_sets,
    consistent_sets,
    dealspace,
    extensions,
    model_of,
    overlay,
    parse_weights,
    table,
    toy_graph,
    weight_of,
)
from kg.errors import KgError
from kg.graph import load
from kg.network import conditions_chain, find_node, network

# ---------------------------------------------------------------------------------------------
# Brute-force references for the solver's answers (small models only)
# ---------------------------------------------------------------------------------------------


def brute_consistent(model: Model) -> set[frozenset[str]]:
    """Every subset-maximal set closed under dependencies and free of conflicts, by trying all subsets.

    Positions in no relation belong to every such set; only the others are tried.
    """
    related = sorted({p for pair in (*model.depends, *model.conflicts) for p in pair})
    free = set(model.positions) - set(related)
    ok = []
    for r in range(len(related) + 1):
        for chosen in itertools.combinations(related, r):
            s = set(chosen) | free
            if all(b in s for a, b in model.depends if a in s) and not any(a in s and b in s for a, b in model.conflicts):
                ok.append(frozenset(s))
    return {s for s in ok if not any(s < t for t in ok)}


def brute_concessions(model: Model, goal: str, assume=(), drop=(), scope="goal") -> tuple[set[frozenset[str]], set[frozenset[str]]]:
    """(minimum-cost sets, subset-minimal sets) of positions to give up, by trying all subsets."""
    needed = model.closure([goal, *assume])
    related = {p for pair in (*model.depends, *model.conflicts) for p in pair}  # giving up anything else never helps
    candidates = [p for p in model.positions if p in related and p not in needed and p not in drop]
    valid = []
    for r in range(len(candidates) + 1):
        for give in itertools.combinations(candidates, r):
            out = set(give) | set(drop)
            out |= model.dependents(out)
            if out & needed:
                continue
            if scope == "goal":
                fine = all(not (a in needed and b not in out) and not (b in needed and a not in out) for a, b in model.conflicts)
            else:
                fine = all(a in out or b in out for a, b in model.conflicts)
            if fine:
                valid.append(frozenset(give))
    if not valid:
        return set(), set()
    best = min(sum(model.cost(p) for p in s) for s in valid)
    return ({s for s in valid if sum(model.cost(p) for p in s) == best},
            {s for s in valid if not any(t < s for t in valid)})


def random_model(rng: random.Random, n: int) -> Model:
    names = [f"p{i}" for i in range(n)]
    depends = tuple((a, b) for a in names for b in names if a != b and rng.random() < 0.15)
    conflicts = tuple((a, b) for a, b in itertools.combinations(names, 2) if rng.random() < 0.2)
    return Model(tuple(names), depends, conflicts, costs={p: rng.randint(1, 5) for p in names})


def gives(found) -> set[frozenset[str]]:
    return {s.give_up for s in found.sets}


# ---------------------------------------------------------------------------------------------
# Invented negotiations, answers by hand
# ---------------------------------------------------------------------------------------------


def test_cycle_of_mutual_conditions():
    # Invented example, not from any article. A's offer g needs B's condition a; a and Russia-like
    # C's condition b wait for each other (a <-> b). C's demand c (insisted, 4) conflicts with b,
    # and c itself needs C's hint d (hinted, 1). To get g: a and b must hold, so c must go: give
    # up c (4) or give up d (1), and c falls with it. Cheapest: {d}; subset-minimal: {d}, {c}.
    g = toy_graph({"g": ("A", "stated"), "a": ("B", "stated"), "b": ("C", "stated"), "c": ("C", "insisted"), "d": ("C", "hinted")},
                  depends=[("g", "a"), ("a", "b"), ("b", "a"), ("c", "d")], conflicts=[("b", "c")])
    model = model_of(g)
    found = concession_sets(model, "g")
    assert [(sorted(s.give_up), sorted(s.falls), s.cost) for s in found.sets] == [(["d"], ["c"], 1)]
    minimal = concession_sets(model, "g", mode="subset-minimal")
    assert [(sorted(s.give_up), s.cost) for s in minimal.sets] == [(["d"], 1), (["c"], 4)]
    # the cycle holds together or not at all: {a, b, g, d} or {c, d}
    assert set(consistent_sets(model)) == {frozenset("abdg"), frozenset("cd")}
    result = dealspace(g, "g")
    assert result.needed == ("a", "b") and result.never == ()
    [only] = result.concessions
    assert [(c.position, c.holders, c.firmness, c.cost) for c in only.concessions] == [("d", ("C",), "hinted", 1)]
    assert {(r.source, r.relation, r.target) for r in only.relations} == {
        ("b", "conflicts-with", "c"), ("c", "depends-on", "d"),
        ("g", "depends-on", "a"), ("a", "depends-on", "b"), ("b", "depends-on", "a")}


def test_two_independent_conflicts_and_ties():
    # Invented example, not from any article. g needs c1 and c2. c1 conflicts with x (hinted, 1);
    # c2 conflicts with y (ultimatum, 5), and y needs z (maintained, 3). Minimum: give up x and z
    # (1 + 3 = 4; y falls). Subset-minimal: {x, z} (4) and {x, y} (6).
    g = toy_graph({"g": ("US", "stated"), "c1": ("US", "stated"), "c2": ("UA", "stated"), "x": ("RU", "hinted"),
                   "y": ("RU", "ultimatum"), "z": ("RU", "maintained"), "p": ("UA", "stated"), "q": ("RU", "described")},
                  depends=[("g", "c1"), ("g", "c2"), ("y", "z")], conflicts=[("c1", "x"), ("c2", "y"), ("p", "q")])
    model = model_of(g)
    assert [(sorted(s.give_up), sorted(s.falls), s.cost) for s in concession_sets(model, "g").sets] == [(["x", "z"], ["y"], 4)]
    minimal = concession_sets(model, "g", mode="subset-minimal")
    assert [(sorted(s.give_up), s.cost) for s in minimal.sets] == [(["x", "z"], 4), (["x", "y"], 6)]
    # p against q has nothing to do with g; with scope="all" it must be settled too: q (described, 1) goes
    assert [sorted(s.give_up) for s in concession_sets(model, "g", scope="all").sets] == [["q", "x", "z"]]
    # ties: every minimum-cost set is listed (optN). Now y costs 3 like z: {x, y} and {x, z} both cost 4.
    tied = concession_sets(model_of(g, weights={"ultimatum": 3}), "g")
    assert sorted(sorted(s.give_up) for s in tied.sets) == [["x", "y"], ["x", "z"]] and {s.cost for s in tied.sets} == {4}


def test_hedged_dependency_with_and_without_min_firmness():
    # Invented example, not from any article. g depends on a referendum r, but only "may" (the
    # edge is hedged: modality Possible, firmness hinted). r conflicts with x (insisted, 4).
    hedge = {"modality": "Possible", "firmness": "hinted"}
    g = toy_graph({"g": ("A", "stated"), "r": ("A", "hinted"), "x": ("B", "insisted")},
                  depends=[("g", "r", hedge)], conflicts=[("r", "x")])
    # counted as a dependency: r is needed, so x must go (cost 4)
    assert [(sorted(s.give_up), s.cost) for s in dealspace(g, "g").concessions] == [(["x"], 4)]
    # left out: nothing stands in g's way, the one set is empty (cost 0)
    for options in ({"include_hedged": False}, {"min_firmness": "stated"}):
        result = dealspace(g, "g", **options)
        assert result.hedged == (("g", "r"),) and result.needed == ()
        assert [(s.cost, s.concessions) for s in result.concessions] == [(0, ())], options
    # a threshold at or below the edge's firmness keeps it
    assert dealspace(g, "g", min_firmness="hinted").needed == ("r",)
    # an edge without firmness or modality is firm
    firm = toy_graph({"g": ("A", "stated"), "r": ("A", "hinted")}, depends=[("g", "r")])
    assert model_of(firm, include_hedged=False, min_firmness="ultimatum").depends == (("g", "r"),)
    with pytest.raises(KgError, match="unknown firmness 'firmish'"):
        dealspace(g, "g", min_firmness="firmish")


def test_numeric_ranges_overlap_and_gap():
    # Invented example, not from any article: durations of a guarantee (years) and a troop cap.
    g = toy_graph(
        {"offer": ("US", "stated"), "demand": ("UA", "pushed for"), "cap-offer": ("RU", "stated"), "cap-demand": ("UA", "stated"),
         "floor": ("UA", "stated"), "ceiling": ("US", "stated")},
        issues={"offer": "guarantee", "demand": "guarantee", "cap-offer": "troops", "cap-demand": "troops",
                "floor": "aid", "ceiling": "aid"},
        quantities={"offer": {"property": "duration", "unit": "YR", "value": 15},
                    "demand": {"property": "duration", "unit": "YR", "value": 50},
                    "cap-offer": {"property": "size", "unit": "K", "min": 10, "max": 20},
                    "cap-demand": {"property": "size", "unit": "K", "min": 15, "max": 30},
                    "floor": {"property": "amount", "unit": "USD", "min": 25},  # at least 25
                    "ceiling": {"property": "amount", "unit": "USD", "max": 20}})  # at most 20
    ranges = {r.issue: r for r in bargaining_ranges(g)}
    # 15 against 50: no overlap, 50 - 15 = 35
    assert (ranges["guarantee"].overlap, ranges["guarantee"].gap) == (None, 35)
    assert ranges["guarantee"].text == "no overlap: gap of 35 years"
    # [10, 20] and [15, 30] overlap on [15, 20]
    assert (ranges["troops"].overlap, ranges["troops"].gap) == ((15, 20), None)
    assert ranges["troops"].text == "zone of possible agreement: 15 to 20 K"
    # at least 25 against at most 20: gap 5
    assert (ranges["aid"].overlap, ranges["aid"].gap, ranges["aid"].text) == (None, 5, "no overlap: gap of 5 USD")
    assert json.loads(json.dumps(dealspace(g).to_json()))["ranges"][0]["stances"][0]["high"] == 20


def test_what_if_assume_and_drop():
    # Invented example, the graph of test_two_independent_conflicts_and_ties.
    g = toy_graph({"g": ("US", "stated"), "c1": ("US", "stated"), "c2": ("UA", "stated"), "x": ("RU", "hinted"),
                   "y": ("RU", "ultimatum"), "z": ("RU", "maintained")},
                  depends=[("g", "c1"), ("g", "c2"), ("y", "z")], conflicts=[("c1", "x"), ("c2", "y")])
    # drop z (free, it is the premise): y falls with it, only x is left to give up
    result = dealspace(g, "g", drop=["z"])
    assert [(sorted(c.position for c in s.concessions), s.falls, s.cost) for s in result.concessions] == [(["x"], ("y",), 1)]
    assert all("z" not in s and "y" not in s for s in result.consistent)
    assert all("z" not in e and "y" not in e for exts in result.extensions.values() for e in exts)
    # assume y holds: y (and z) are needed, but y conflicts with c2, which g needs: no deal
    blocked = dealspace(g, "g", assume=["y"])
    assert blocked.concessions == () and blocked.infeasible == "c2 and y are both needed and conflict"
    assert "no concession set: c2 and y are both needed and conflict" in table(blocked)
    # a needed position dropped: no deal either
    assert "needed but dropped" in str(dealspace(g, "g", drop=["c1"]).infeasible)
    assert all({"y", "z"} <= set(s) for s in dealspace(g, assume=["y"]).consistent)


def test_weights_defaults_and_overrides():
    assert [DEFAULT_WEIGHTS[k] for k in ("hinted", "described", "stated", "pushed for", "argued", "maintained", "insisted", "ultimatum")] \
        == [1, 1, 2, 2, 2, 3, 4, 5]
    assert weight_of({"firmness": "pushed for", "holders": ["x"]}) == 2
    assert weight_of({"firmness": "ultimatum"}) == DEFAULT_WEIGHTS["no holder"]  # a possibility nobody holds
    assert weight_of({"holders": ["x"]}) == DEFAULT_WEIGHTS["unknown"]
    assert weight_of({"firmness": "insisted", "holders": ["x"]}, {"Insisted": 9}) == 9
    assert parse_weights("insisted=9,no holder=2") == {"insisted": 9, "no holder": 2}
    with pytest.raises(KgError, match="cannot read weights"):
        parse_weights("insisted")
    with pytest.raises(KgError, match="positive whole number"):
        Model(("a",), costs={"a": 0})


def test_overlay_and_json_are_plain_data():
    g = toy_graph({"g": ("A", "stated"), "c": ("A", "stated"), "x": ("B", "insisted")}, depends=[("g", "c")], conflicts=[("c", "x")])
    result = dealspace(g, "g")
    assert overlay(result) == {"goal": "g", "needed": ["c"], "assumed": [], "dropped": [],
                               "concession_sets": [{"cost": 4, "give_up": ["x"], "falls": []}]}
    data = json.loads(json.dumps(result.to_json()))
    assert data["concessions"][0]["concessions"][0]["evidence"] == [{"quote": "x (invented)", "start": 0, "end": 0}]
    # attacks: c <-> x, and x attacks g (it attacks g's condition c): nothing is unattacked, so the grounded extension is empty
    assert data["extensions"]["grounded"] == [[]] and data["extensions"]["preferred"] == [["x"], ["c", "g"]]
    assert data["consistent"] == [["c", "g"], ["x"]]


# ---------------------------------------------------------------------------------------------
# The solver against brute force on random models (seeded)
# ---------------------------------------------------------------------------------------------


def test_concession_sets_agree_with_brute_force_on_random_models():
    rng = random.Random(11)
    for _ in range(100):
        model = random_model(rng, rng.randint(2, 7))
        goal = rng.choice(model.positions)
        drop = [p for p in model.positions if p != goal and rng.random() < 0.1]
        for scope in ("goal", "all"):
            optimal, minimal = brute_concessions(model, goal, drop=drop, scope=scope)
            assert gives(concession_sets(model, goal, drop=drop, scope=scope, limit=None)) == optimal, (model, goal, scope)
            assert gives(concession_sets(model, goal, drop=drop, scope=scope, mode="subset-minimal", limit=None)) == minimal


def test_consistent_sets_agree_with_brute_force_on_random_models():
    rng = random.Random(12)
    for _ in range(100):
        model = random_model(rng, rng.randint(1, 8))
        assert set(consistent_sets(model, limit=None)) == brute_consistent(model), model


# ---------------------------------------------------------------------------------------------
# Dung semantics against an independent implementation (formal-argumentation)
# ---------------------------------------------------------------------------------------------

# Standard frameworks, written from the literature (arguments, attacks)
FRAMEWORKS = {
    # Dung (1995): a and b attack each other (the Nixon diamond's core): two preferred, empty grounded
    "mutual attack": ("ab", [("a", "b"), ("b", "a")]),
    # Dung (1995): reinstatement, a defends c against b
    "reinstatement": ("abc", [("a", "b"), ("b", "c")]),
    # odd cycle: no stable extension, the empty set the only preferred one
    "odd cycle": ("abc", [("a", "b"), ("b", "c"), ("c", "a")]),
    # even cycle: {a, c} and {b, d}
    "even cycle": ("abcd", [("a", "b"), ("b", "c"), ("c", "d"), ("d", "a")]),
    # a self-attacker attacking b; c unattacked
    "self-attacker": ("abc", [("a", "a"), ("a", "b")]),
    # floating reinstatement (Baroni et al.): a <-> b both attack c, c attacks d: d in every preferred, not grounded
    "floating reinstatement": ("abcd", [("a", "b"), ("b", "a"), ("a", "c"), ("b", "c"), ("c", "d")]),
    # Dung (1995) example with an odd cycle feeding an argument: a -> b -> c -> a, c -> d, e unattacked, e -> d
    "odd cycle and defender": ("abcde", [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("e", "d")]),
}


def reference(arguments, attacks) -> dict[str, set[frozenset[str]]]:
    af = ArgumentationFramework(frozenset(arguments), frozenset(attacks))
    subsets = [frozenset(c) for r in range(len(af.arguments) + 1) for c in itertools.combinations(sorted(af.arguments), r)]
    return {"grounded": {grounded_extension(af)}, "preferred": set(preferred_extensions(af)), "stable": set(stable_extensions(af)),
            "complete": set(complete_extensions(af)),
            "admissible": {s for s in subsets if admissible(s, af.arguments, af.defeats)}}


def ours(arguments, attacks) -> dict[str, set[frozenset[str]]]:
    names = ("grounded", "preferred", "stable", "complete", "admissible")
    return {name: set(extensions(arguments, attacks, name, limit=None)) for name in names}


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_dung_semantics_agree_with_the_reference_on_standard_frameworks(name):
    arguments, attacks = FRAMEWORKS[name]
    assert ours(arguments, attacks) == reference(arguments, attacks)


def test_dung_answers_by_hand():
    f = FRAMEWORKS
    assert extensions(*f["floating reinstatement"], "preferred") == [frozenset("ad"), frozenset("bd")]
    assert extensions(*f["floating reinstatement"], "grounded") == [frozenset()]
    assert extensions(*f["even cycle"], "stable") == [frozenset("ac"), frozenset("bd")]
    assert extensions(*f["self-attacker"], "grounded") == [frozenset("c")]
    assert extensions(*f["odd cycle and defender"], "stable") == []
    with pytest.raises(KgError, match="unknown semantics"):
        extensions("a", [], "ideal")


@pytest.mark.slow
def test_dung_semantics_agree_with_the_reference_on_random_frameworks():
    rng = random.Random(1995)
    for _ in range(100):
        arguments = [f"a{i}" for i in range(rng.randint(1, 7))]
        density = rng.choice([0.1, 0.2, 0.35])
        attacks = [(x, y) for x in arguments for y in arguments if rng.random() < density]
        assert ours(arguments, attacks) == reference(arguments, attacks), (arguments, attacks)


def test_attacks_fold_supports_and_dependencies():
    # Invented example: r supports d; d conflicts with t; s depends on t.
    model = Model(("d", "r", "s", "t"), depends=(("s", "t"),), conflicts=(("d", "t"),), supports=(("r", "d"),))
    assert attacks_of(model, fold=False) == [("d", "t"), ("t", "d")]
    # r attacks t (supported attack); d and r attack s (an attack on its condition t)
    assert attacks_of(model) == [("d", "s"), ("d", "t"), ("r", "s"), ("r", "t"), ("t", "d")]


# ---------------------------------------------------------------------------------------------
# The seed graph
# ---------------------------------------------------------------------------------------------

GOAL = "us-offers-security-guarantees"


@pytest.fixture(scope="module")
def seed() -> nx.MultiDiGraph:
    graph = load()
    return annotate_quantities(network(graph), graph)


@pytest.mark.slow
def test_seed_concession_sets_for_the_us_guarantees(seed):
    goal = find_node(seed, GOAL)
    result = dealspace(seed, GOAL)
    # what the goal needs: the conditions chain of kg.network (less any hedged edge, none by default)
    assert set(result.needed) == {c.node for c in conditions_chain(seed, GOAL)}
    # the expectation, from structure: brute force over the seed's own model
    model = model_of(seed)
    optimal, _ = brute_concessions(model, goal)
    assert {frozenset(c.position for c in s.concessions) for s in result.concessions} == optimal
    donbas, territory = find_node(seed, "russia-demands-donbas"), find_node(seed, "territorial-status")
    for s in result.concessions:
        gone = {c.position for c in s.concessions} | set(s.falls)
        # Russia's Donbas demand conflicts with the territorial status the goal needs: it must go
        assert donbas in gone
        assert any(r.relation == "conflicts-with" and {r.source, r.target} == {donbas, territory} and r.evidence for r in s.relations)
        # every conflict between a needed position and another one is resolved
        for a, b in model.conflicts:
            for x, y in ((a, b), (b, a)):
                if x in {goal, *result.needed}:
                    assert y in gone
        assert s.cost == sum(weight_of(seed.nodes[c.position]) for c in s.concessions)
        # who concedes: each position's holders and its quotes, as the graph has them
        for c in s.concessions:
            assert c.holders == tuple(seed.nodes[c.position].get("holders", []))
            assert [e.quote for e in c.evidence] == seed.nodes[c.position]["quotes"]


def test_seed_without_hedged_dependencies(seed):
    result = dealspace(seed, GOAL, include_hedged=False)
    # the Donbas conflict is on the territorial status, not on the (hedged) referendum: it stays
    assert find_node(seed, "territorial-status") in result.needed
    assert all(find_node(seed, "russia-demands-donbas") in {c.position for c in s.concessions} for s in result.concessions)


def test_seed_consistent_sets_extensions_and_ranges(seed):
    result = dealspace(seed, GOAL)
    model = model_of(seed)
    assert {frozenset(s) for s in result.consistent} == brute_consistent(model)
    # Dung on the seed agrees with the reference too, on the positions in some attack (the reference
    # enumerates subsets); the others are neither attacked nor attacking, so in every extension
    attacks = attacks_of(model)
    fighting = sorted({p for pair in attacks for p in pair})
    quiet = set(model.positions) - set(fighting)
    expected = {k: v for k, v in reference(fighting, attacks).items() if k != "admissible"}
    assert {k: {frozenset(e) - quiet for e in v} for k, v in result.extensions.items()} == expected
    assert all(quiet <= set(e) for v in result.extensions.values() for e in v)
    # 15 years offered, 50 demanded, on the security guarantees: gap of 35 years
    [duration] = [r for r in result.ranges if r.quantity == "duration"]
    assert {s.position.rsplit("/", 1)[1]: s.low for s in duration.stances} == {
        "us-offers-15-year-guarantee": 15, "ukraine-demands-50-year-shield": 50}
    assert duration.text == "no overlap: gap of 35 years"
    text = table(result)
    assert text.startswith("goal: US security guarantees for Ukraine [000_0e22b9a82a6b1fdf/us-offers-security-guarantees, 2026-01-27]")
    assert "Russia gives up Russia insists on the surrender of the entire Donbas [000_0e22b9a82a6b1fdf/russia-demands-donbas" in text


def test_seed_filters_by_issue_and_article(seed):
    on_territory = dealspace(seed, issue="territory")
    assert {p.rsplit("/", 1)[1] for p in on_territory.positions} >= {"russia-demands-donbas", "territorial-status"}
    assert find_node(seed, GOAL) not in on_territory.positions
    # the goal keeps what it needs even outside the issue
    with_goal = dealspace(seed, GOAL, issue="security-guarantees")
    assert set(with_goal.needed) <= set(with_goal.positions)
    assert dealspace(seed, article="no-such-article").positions == ()


@pytest.mark.slow
def test_cli_wiring(capsys):
    assert main(["analyze", "dealspace", GOAL, "--format", "json", "--weights", "insisted=6"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["goal"].endswith(GOAL) and data["weights"]["insisted"] == 6
    assert any(p.endswith("russia-demands-donbas") for s in data["overlay"]["concession_sets"] for p in s["give_up"])
    assert main(["analyze", "dealspace", "--goal", GOAL, "--drop", "russia-demands-donbas", "--subset-minimal"]) == 0
    out = capsys.readouterr().out
    assert "what-if: assume -; drop 000_0e22b9a82a6b1fdf/russia-demands-donbas" in out and "subset-minimal concession sets" in out
