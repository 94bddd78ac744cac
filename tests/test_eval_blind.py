"""The INVENTED blind evaluation set (tests/fixtures/eval-blind): marked invented, sized, hashed, new, and its gold builds.

Blind: the gold was written from the text only, without running the drafter, and the set is
never used to develop it (README of the fixture). So these tests check the set itself and run
neither the drafter nor ``kg eval``, and assert no score.
"""

from __future__ import annotations

from collections import Counter

import pytest

import kg
from conftest import FIXTURES, actor_names, build_copy, gold_articles
from kg.namespaces import ID, article_graph

BLIND = FIXTURES / "eval-blind"
TEXTS = sorted((BLIND / "articles").glob("*.txt"))
OTHER_SETS = ("eval", "eval-heldout", "invented-corpus")


def test_fixtures_are_marked_invented_sized_and_hashed() -> None:
    docs = gold_articles(BLIND, 8)
    assert "without running the drafter" in (BLIND / "README.md").read_text(encoding="utf-8")
    for doc in docs:
        assert doc["article"]["reported"][:4] in ("2025", "2026")  # past dates: the build refuses future ones
        assert [b["reason"] for b in doc["article"]["boilerplate"]] == ["headline"]


def test_no_actor_name_is_shared_with_the_other_sets() -> None:
    """Blind: new names only, so that names the rules were written or tuned on give nothing away."""
    others = set().union(*(actor_names(FIXTURES / name) for name in OTHER_SETS))
    assert len(actor_names(BLIND)) == 70
    assert not actor_names(BLIND) & others


@pytest.fixture(scope="module")
def blind_graph(tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    """The blind gold, copied and built (SHACL, evidence, coverage)."""
    return build_copy(BLIND, tmp_path_factory.mktemp("blind"))


def test_gold_builds_with_its_statements(blind_graph: kg.KnowledgeGraph) -> None:
    positions = blind_graph.positions()
    assert len(positions) == 76
    assert {p.article for p in positions} == {str(ID[f"article/{path.stem}"]) for path in TEXTS}
    assert Counter(p.kind for p in positions) == {"Demand": 19, "Offer": 18, "Condition": 9, "Argument": 9,
                                                  "Proposal": 8, "Claim": 7, "Assessment": 6}
    rail = TEXTS[7].stem
    [offer] = blind_graph.positions(actor="Freya Nyholm", kind="Offer", article=rail)
    assert offer.holders == (str(ID["actor/freya-nyholm"]),)
    assert offer.addressees == (str(ID["actor/lamorra"]),)
    assert offer.content == "Vestrand's infrastructure minister, Freya Nyholm, said her government could raise its share to 40 percent"
    assert (offer.firmness, offer.modality) == ("hinted", "possible")
    [condition] = blind_graph.positions(actor="Freya Nyholm", kind="Condition", article=rail)
    assert condition.content == "if Lamorra guaranteed freight slots for Vestrand's exporters"
    [threat] = blind_graph.positions(actor="Sundara", article=TEXTS[4].stem)
    assert (threat.kind, threat.firmness, threat.status) == ("Demand", "ultimatum", "reported")
    assert threat.addressees == (str(ID["actor/concord-assembly"]),)
    rounds = blind_graph.query("SELECT ?round WHERE { GRAPH ?g { ?round a kg:NegotiationRound } }",
                               g=str(article_graph(rail)))
    assert [str(row["round"]) for row in rounds] == [str(ID[f"article/{rail}/rail-talks"])]
