"""The drafting assistant against the INVENTED evaluation set (tests/fixtures/eval)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import build_copy
from kg.evaluate import dice, evaluate, evaluate_corpus, tuple_match
from kg.namespaces import article_graph

EVAL = Path(__file__).parent / "fixtures" / "eval"


def test_fixtures_are_marked_invented_and_sized() -> None:
    texts = sorted((EVAL / "articles").glob("*.txt"))
    assert len(texts) >= 10
    for path in texts:
        raw = path.read_text(encoding="utf-8")
        assert raw.startswith("INVENTED")
        assert 150 <= len(raw.split()) <= 350
        curated = path.with_suffix(".yaml")
        assert curated.read_text().startswith("# INVENTED")
        for item in yaml.safe_load(curated.read_text())["statements"]:
            for span in item["evidence"]:
                assert raw[span["start"]:span["end"]] == span["quote"]


def test_gold_builds_as_a_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Past report dates, headlines and outlook sentences declared boilerplate, the talks as NegotiationRounds."""
    graph = build_copy(EVAL, tmp_path)
    out = capsys.readouterr().out
    assert "UNCOVERED" not in out
    assert "boilerplate line 8 [997:1039] (outlook: states no position): A final decision is expected by September." in out
    positions = graph.positions()
    assert len(positions) == 92
    assert sum(p.kind == "Condition" for p in positions) == 13
    [offer] = graph.positions(actor="Tomas Erdem", kind="Offer", article="002_38fe710db26ce47a")
    assert offer.content.startswith("Front spokesman Tomas Erdem said the group would observe a 30-day truce")
    rounds = graph.query("SELECT ?round WHERE { GRAPH ?g { ?round a kg:NegotiationRound } } ORDER BY ?round",
                         g=str(article_graph("002_38fe710db26ce47a")))
    assert [str(row["round"]).rsplit("/", 1)[1] for row in rounds] == ["kadir-talks", "talks-resume-thursday"]


def test_eval_meets_targets() -> None:
    scores = evaluate_corpus(EVAL)
    assert scores.tuples.gold >= 90
    assert scores.tuples.precision >= 0.8
    assert scores.tuples.recall >= 0.7
    assert scores.spans.recall >= 0.9


def test_matching_rules() -> None:
    gold = {"kind": "Offer", "holder": "a", "addressee": ["b", "c"], "topic": ["t"], "evidence": [{"start": 0, "end": 10}]}
    assert tuple_match({"kind": "Offer", "holder": "a", "addressee": "c", "topic": ["t", "u"]}, gold)
    assert not tuple_match({"kind": "Demand", "holder": "a", "addressee": "c", "topic": ["t"]}, gold)
    assert not tuple_match({"kind": "Offer", "holder": "a", "topic": ["t"]}, gold)  # addressee missing
    assert dice([(0, 10)], [(0, 4)]) < 0.6
    scores = evaluate({"x": [dict(gold), {"kind": "Claim", "holder": "z", "evidence": [{"start": 50, "end": 60}]}]},
                      {"x": [gold]})
    assert (scores.tuples.precision, scores.tuples.recall) == (0.5, 1.0)
    assert scores.spurious[0][1]["holder"] == "z"


def test_scores_by_kind_and_why_missed() -> None:
    def item(kind: str, holder: str, start: int, addressee: str | None = "b") -> dict:
        return {"kind": kind, "holder": holder, "addressee": addressee, "topic": ["t"],
                "evidence": [{"start": start, "end": start + 10}]}
    gold = {"x": [item("Offer", "a", 0), item("Condition", "a", 20), item("Claim", "c", 40)]}
    drafts = {"x": [item("Offer", "a", 0), item("Claim", "a", 20, addressee=None)]}
    scores = evaluate(drafts, gold)
    offer, condition, claim = (scores.by_kind[k] for k in ("Offer", "Condition", "Claim"))
    assert (offer.matched, offer.drafted, offer.gold) == (1, 1, 1)
    assert (condition.recall, claim.precision, claim.gold) == (0.0, 0.0, 1)
    assert scores.reasons == {"kind + addressee": 1, "no draft on its words": 1}
    assert scores.reason_lines() == ["    1  kind + addressee", "    1  no draft on its words"]
    assert scores.kind_lines()[0].startswith("  Claim: P 0.000  R 0.000")
