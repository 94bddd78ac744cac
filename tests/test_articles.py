"""Statements named with their article and date (kg.articles), in every ``kg analyze`` output, on the INVENTED
Aldoria/Brenn corpus with a syndicated copy of its second article: the same statement ids in two articles."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_threads import COPY, add_syndicated_copy

from conftest import INVENTED_CORPUS, edit
from kg.articles import ArticleInfo, articles, cite, statement_id, threads
from kg.cli import main
from kg.graph import load
from kg.network import network


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The invented corpus, plus 003 (a wire copy of 002: same ids) in which the ratification in turn depends on the offer."""
    root = tmp_path_factory.mktemp("articles") / "corpus"
    shutil.copytree(INVENTED_CORPUS, root)
    add_syndicated_copy(root)
    copy = root / "articles" / f"{COPY}.yaml"
    edit(copy, "    topic: [border]\n", "    topic: [border]\n    depends_on: [aldoria-may-accept-longer-term]\n")
    assert main(["--corpus", str(root), "build"]) == 0
    return root


def analyze(corpus: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    capsys.readouterr()
    assert main(["--corpus", str(corpus), "analyze", *args]) == 0
    return capsys.readouterr().out.splitlines()


def test_articles_and_threads_come_with_their_metadata(corpus: Path) -> None:
    graph = load(corpus=corpus)
    found = articles(graph)
    assert [(a.id, a.date, a.outlet, a.published) for a in found.values()] == [
        ("001_aldoria-offer", "2026-03-02", "", ""), ("002_brenn-lowers", "2026-03-20", "", ""),
        (COPY, "2026-03-20", "Invented Wire", "2026-03-21")]
    assert found["https://w3id.org/kg/id/article/" + COPY].title == "Brenn lowers its demand"
    brenn = next(t for t in threads(graph) if t.label == "Brenn: Demand on water guarantee")
    assert brenn.sources == 2
    assert [(statement_id(m.node), m.date, m.relation) for m in brenn.members] == [
        ("001_aldoria-offer/brenn-demands-25-years", "2026-03-02", None),
        ("002_brenn-lowers/brenn-demands-15-years", "2026-03-19", "supersedes"),
        (f"{COPY}/brenn-demands-15-years", "2026-03-19", None)]  # a copy: the same source, no relation


def test_cite_uses_the_statements_date_else_its_articles(corpus: Path) -> None:
    graph = load(corpus=corpus)
    g = network(graph)  # annotated with the articles and threads
    base = "https://w3id.org/kg/id/article/"
    assert cite(g, base + "002_brenn-lowers/brenn-demands-15-years") == "002_brenn-lowers/brenn-demands-15-years, 2026-03-19"
    assert cite(g, base + "002_brenn-lowers/accord-ratified") == "002_brenn-lowers/accord-ratified, 2026-03-20"
    assert cite(g, "https://w3id.org/kg/id/actor/brenn") == "brenn"
    assert ArticleInfo("urn:x", "x", "2026-01-01").title == ""


def test_every_analysis_names_article_and_date(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert analyze(corpus, capsys, "chain", f"{COPY}/aldoria-may-accept-longer-term") == [
        f"conditions in front of Aldoria may accept a longer term [{COPY}/aldoria-may-accept-longer-term, 2026-03-20]: 1",
        f"  1. The border accord is ratified [{COPY}/accord-ratified, 2026-03-20] (needed by {COPY}/aldoria-may-accept-longer-term)"]
    assert analyze(corpus, capsys, "chain", "002_brenn-lowers/aldoria-may-accept-longer-term")[1] == (
        "  1. The border accord is ratified [002_brenn-lowers/accord-ratified, 2026-03-20] "
        "(needed by 002_brenn-lowers/aldoria-may-accept-longer-term)")
    # the bare id is in two articles: refused, naming both
    assert main(["--corpus", str(corpus), "analyze", "chain", "accord-ratified"]) == 1
    err = capsys.readouterr().err
    assert "more than one node named 'accord-ratified'" in err and f"{COPY}/accord-ratified" in err
    assert err.rstrip().endswith("(name one by its IRI or as ARTICLE/id)")
    assert analyze(corpus, capsys, "deadlocks") == [
        "cycles of mutual conditions: 1",
        f"The border accord is ratified [{COPY}/accord-ratified, 2026-03-20] -> "
        f"Aldoria may accept a longer term [{COPY}/aldoria-may-accept-longer-term, 2026-03-20] -> "
        f"The border accord is ratified [{COPY}/accord-ratified, 2026-03-20]"]
    blocking = analyze(corpus, capsys, "blocking")
    assert "  1  The border accord is ratified [002_brenn-lowers/accord-ratified, 2026-03-20]: " \
           "blocks 002_brenn-lowers/aldoria-may-accept-longer-term" in blocking
    assert "  1  A signed border accord [001_aldoria-offer/signed-border-accord, 2026-03-02]: " \
           "blocks 001_aldoria-offer/aldoria-offers-guarantee" in blocking
    assert analyze(corpus, capsys, "collisions") == [
        "collisions between parties: 1", "10-year offer against a 25-year demand",
        "    Aldoria: Aldoria offers Brenn a 10-year water guarantee [001_aldoria-offer/aldoria-offers-guarantee, 2026-03-02]",
        "    Brenn: Brenn insists on a 25-year guarantee [001_aldoria-offer/brenn-demands-25-years, 2026-03-02]"]
    assert "Aldoria -- Brenn: Talks in Port Vell hosted by the Coastal Union [001_aldoria-offer/talks-in-port-vell, 2026-03-02]" \
        in analyze(corpus, capsys, "talks")


def test_dealspace_names_article_and_date(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = analyze(corpus, capsys, "dealspace", "001_aldoria-offer/aldoria-offers-guarantee")
    assert out[0] == "goal: Aldoria offers Brenn a 10-year water guarantee [001_aldoria-offer/aldoria-offers-guarantee, 2026-03-02]"
    assert out[1] == "needs (1): 001_aldoria-offer/signed-border-accord"
    assert ("    Brenn gives up Brenn insists on a 25-year guarantee [001_aldoria-offer/brenn-demands-25-years, 2026-03-02] "
            "(insisted, cost 4)") in out
    assert "    because 001_aldoria-offer/aldoria-offers-guarantee conflicts-with 001_aldoria-offer/brenn-demands-25-years: " \
           "10-year offer against a 25-year demand" in out
