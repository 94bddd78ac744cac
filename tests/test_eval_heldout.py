"""The INVENTED held-out evaluation set (tests/fixtures/eval-heldout): marked invented, its gold builds, kg eval scores it.

No floor on the scores: held out for its first measurement, it has since been a development set
for the drafting rules (README of the fixture); a gate on it would only reward fitting it further.
"""

from __future__ import annotations

import re

import pytest

import kg
from conftest import FIXTURES, actor_names, build_copy, gold_articles, snapshot
from kg.cli import main
from kg.namespaces import ID, article_graph

HELDOUT = FIXTURES / "eval-heldout"
TEXTS = sorted((HELDOUT / "articles").glob("*.txt"))
SCORE_LINE = re.compile(r"^(tuples|evidence spans) .*: P (\d\.\d{3})  R (\d\.\d{3})  F1 (\d\.\d{3})  "
                        r"\((\d+) matched, (\d+) drafted, (\d+) gold\)$")


def test_fixtures_are_marked_invented_and_sized() -> None:
    gold_articles(HELDOUT, 8)


def test_no_actor_of_the_tuned_set_reappears() -> None:
    """Held out: new actors, so that names the rules were tuned on give nothing away."""
    assert not actor_names(HELDOUT) & (actor_names(FIXTURES / "eval") | actor_names(FIXTURES / "invented-corpus"))


@pytest.fixture(scope="module")
def heldout_graph(tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    """The held-out gold, copied and built (SHACL, evidence, coverage)."""
    return build_copy(HELDOUT, tmp_path_factory.mktemp("heldout"))


def test_gold_builds_with_its_statements(heldout_graph: kg.KnowledgeGraph) -> None:
    positions = heldout_graph.positions()
    assert len(positions) == 91
    assert {p.article for p in positions} == {str(ID[f"article/{path.stem}"]) for path in TEXTS}
    assert sum(p.kind == "Condition" for p in positions) == 12
    hostage = TEXTS[1].stem
    [offer] = heldout_graph.positions(actor="Elena Voss", kind="Offer", article=hostage)
    assert offer.content == "She said Carvelle was ready to consider reduced sentences for some prisoners"
    assert (offer.firmness, offer.modality) == ("hinted", "possible")
    assert offer.addressees == (str(ID["actor/dawn-brigade"]),)
    [condition] = heldout_graph.positions(actor="Elena Voss", kind="Condition", article=hostage)
    assert condition.content == "but only if all seven hostages were released together"
    rounds = heldout_graph.query("SELECT ?round WHERE { GRAPH ?g { ?round a kg:NegotiationRound } }",
                                 g=str(article_graph(hostage)))
    assert [str(row["round"]) for row in rounds] == [str(ID[f"article/{hostage}/severin-talks"])]


def test_kg_eval_reports_scores_and_writes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(HELDOUT)
    assert main(["eval", str(HELDOUT), "-v"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert snapshot(HELDOUT) == before
    counts = []
    for line in lines[:2]:
        found = SCORE_LINE.match(line)
        assert found, line
        precision, recall = float(found.group(2)), float(found.group(3))
        matched, drafted, gold = (int(found.group(n)) for n in (5, 6, 7))
        assert gold == 91
        assert (precision, recall) == (round(matched / drafted, 3), round(matched / gold, 3))
        counts.append(matched)
    missed = [line for line in lines if line.startswith("missed ")]
    assert len(missed) == 91 - counts[0]
    reasons = lines[lines.index("why gold statements were missed (the draft on their words differs in):") + 1:lines.index(missed[0])]
    assert sum(int(line.split()[0]) for line in reasons) == len(missed)
