"""kg ingest on INVENTED articles (written for these tests, not from any real publication)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDFS, XSD

from kg.cli import main
from kg.draft import accept, review
from kg.errors import KgError
from kg.ingest import ingest
from kg.namespaces import GRAPH, ID, KG, SCHEMA, article_iri, statement_iri

EVAL = Path(__file__).parent / "fixtures" / "eval"
# INVENTED article text, written for this test.
ARTICLE = ("INVENTED test article, not from any real publication\n"
           "Aldoria insists on dam inspections\n"
           "Aldoria demands that Veskaria open the Kessel Dam to inspectors. Veskaria offered to share "
           "the dry-season flow for 10 years.\n")
# INVENTED article text, written for the end-to-end test.
REPORT = ("INVENTED test article, not from any real publication\n"
          "Aldoria presses Veskaria on dam inspections\n"
          "Aldoria demands that Veskaria open the Kessel Dam to inspectors before any new agreement. Veskaria "
          "offered to share the dry-season flow for 10 years, officials said. Veskaria may accept inspections "
          "if Aldoria signs the water treaty first.\n")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    shutil.copy(EVAL / "kg.toml", root / "kg.toml")
    shutil.copy(EVAL / "entities.yaml", root / "entities.yaml")
    (root / "articles").mkdir()
    return root


def _write(tmp_path: Path, text: str, name: str = "in.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_ingest_stores_raw_bytes_and_metadata(corpus: Path, tmp_path: Path) -> None:
    src = _write(tmp_path, ARTICLE)
    result = ingest(corpus, src, url="https://example.invalid/a", outlet="Invented Gazette", title="Dam talks",
                    author="A. Writer", published="2026-03-14", rights="CC0")
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    assert result.id == f"000_{digest[:16]}"
    assert (corpus / "articles" / f"{result.id}.txt").read_bytes() == src.read_bytes()
    meta = yaml.safe_load(result.meta_path.read_text())
    assert meta["article"]["sha256"] == digest
    assert meta["article"]["outlet"] == "Invented Gazette"
    assert meta["article"]["reported"] == "2026-03-14"
    assert meta["article"]["language"] == "en"
    assert meta["statements"] == []
    second = ingest(corpus, _write(tmp_path, "Veskaria proposed a new round of talks in April.\n", "b.txt"))
    assert second.id.startswith("001_")


def test_identical_copy_refused(corpus: Path, tmp_path: Path) -> None:
    first = ingest(corpus, _write(tmp_path, ARTICLE))
    with pytest.raises(KgError, match=f"identical to the stored article {first.id}"):
        ingest(corpus, _write(tmp_path, ARTICLE, "copy.txt"))
    assert len(list((corpus / "articles").glob("*.txt"))) == 1


def test_syndicated_copy_recognised(corpus: Path, tmp_path: Path) -> None:
    first = ingest(corpus, _write(tmp_path, ARTICLE))
    syndicated = ARTICLE.upper().replace(". ", " .  ")
    result = ingest(corpus, _write(tmp_path, syndicated, "syn.txt"))
    assert result.syndicated_from == first.id
    assert yaml.safe_load(result.meta_path.read_text())["article"]["syndicated_from"] == first.id
    near = ARTICLE.replace("10 years", "ten years")  # near-identical by word shingles
    assert ingest(corpus, _write(tmp_path, near, "near.txt")).syndicated_from == first.id


def test_bad_input_writes_nothing(corpus: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(KgError, match=r"bad.txt: not UTF-8 text .*\(fix: convert it to UTF-8"):
        ingest(corpus, bad)
    with pytest.raises(KgError, match="invalid date .14/03/2031."):
        ingest(corpus, _write(tmp_path, ARTICLE), published="14/03/2031")
    with pytest.raises(KgError, match="the date 2999-01-01 is in the future"):  # kg build would refuse it later
        ingest(corpus, _write(tmp_path, ARTICLE), published="2999-01-01")
    with pytest.raises(KgError, match="the article is empty"):
        ingest(corpus, _write(tmp_path, "  \n", "empty.txt"))
    assert list((corpus / "articles").iterdir()) == []


def mark_reviewed(draft_path: Path, statement_id: str, **keys: str) -> None:
    """What a reviewer does in the draft file: check one draft, fill in keys, set reviewed: true."""
    data = yaml.safe_load(draft_path.read_text())
    for item in data["statements"]:
        if item["id"] == statement_id:
            item.update(keys, reviewed=True)
    draft_path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_drafts_stay_out_until_reviewed_and_accepted(corpus: Path, tmp_path: Path) -> None:
    result = ingest(corpus, _write(tmp_path, ARTICLE))
    drafts = yaml.safe_load(result.draft_path.read_text())["statements"]
    demand = next(d for d in drafts if d.get("kind") == "Demand")
    assert (demand["holder"], demand["addressee"], demand["draft"], demand["reviewed"]) == ("aldoria", "veskaria", True, False)
    assert demand["evidence"][0]["quote"] == "Aldoria demands that Veskaria open the Kessel Dam to inspectors."
    offer = next(d for d in drafts if d.get("kind") == "Offer")
    assert offer["duration"] == {"value": 10, "unit": "year"} and offer["topic"] == ["water-flow"]
    assert accept(corpus, result.id) == []  # nothing reviewed yet
    assert yaml.safe_load(result.meta_path.read_text())["statements"] == []
    report = review(corpus, result.id)
    assert report.reviewed == 0 and any(line.startswith(demand["id"]) for line in report.todo)
    # the reviewer marks the demand as checked, but forgets what every curated statement needs
    mark_reviewed(result.draft_path, demand["id"])
    with pytest.raises(KgError, match=rf"draft.yaml:\d+: reviewed draft '{demand['id']}' has no label, content, reported_by"):
        accept(corpus, result.id)
    assert yaml.safe_load(result.meta_path.read_text())["statements"] == []  # nothing moved
    mark_reviewed(result.draft_path, demand["id"], label="Aldoria demands dam inspections",
                  content="Veskaria opens the Kessel Dam to inspectors", reported_by="aldoria")
    assert accept(corpus, result.id) == [demand["id"]]
    curated = yaml.safe_load(result.meta_path.read_text())["statements"]
    assert [s["id"] for s in curated] == [demand["id"]]
    assert "draft" not in curated[0] and "reviewed" not in curated[0]
    left = yaml.safe_load(result.draft_path.read_text())["statements"]
    assert demand["id"] not in [s["id"] for s in left] and any(s.get("kind") == "Offer" for s in left)


@pytest.mark.slow
def test_an_article_from_ingest_to_the_graph(corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """End to end through the commands a researcher types: ingest, build (refused: nothing reviewed),
    review, accept, build; the article's metadata and only the reviewed statements reach the graph."""
    args = ["--corpus", str(corpus)]
    assert main([*args, "ingest", str(_write(tmp_path, REPORT)), "--url", "https://example.invalid/dam",
                 "--outlet", "Invented Gazette", "--title", "Dam talks", "--author", "A. Writer",
                 "--published", "2026-03-14", "--rights", "INVENTED for kg's tests"]) == 0
    article_id = next((corpus / "articles").glob("*.draft.yaml")).name.split(".")[0]
    draft_path = corpus / "articles" / f"{article_id}.draft.yaml"
    drafts = yaml.safe_load(draft_path.read_text())["statements"]
    capsys.readouterr()
    assert main([*args, "build"]) == 1  # drafts are not statements: the article's sentences are uncovered
    assert "UNCOVERED line 3" in capsys.readouterr().err and not (corpus / "build" / "kg.trig").exists()

    demand = next(d for d in drafts if d.get("kind") == "Demand")
    offer = next(d for d in drafts if d.get("kind") == "Offer")
    mark_reviewed(draft_path, demand["id"], label="Aldoria demands dam inspections",
                  content="Veskaria opens the Kessel Dam to inspectors", reported_by="aldoria")
    mark_reviewed(draft_path, offer["id"], label="Veskaria offers ten years of dry-season flow",
                  content="Veskaria shares the dry-season flow for 10 years", reported_by="veskaria")
    condition = next(d for d in drafts if d.get("kind") == "Condition")
    assert condition["evidence"][0]["quote"] == "if Aldoria signs the water treaty first."
    mark_reviewed(draft_path, condition["id"], label="Aldoria signs the water treaty first",
                  content="Aldoria signs the water treaty", reported_by="veskaria")
    assert main([*args, "review", article_id, "--accept"]) == 0
    assert main([*args, "build"]) == 0

    ds = Dataset(default_union=True)
    ds.parse(corpus / "build" / "kg.trig", format="trig")
    article = article_iri(article_id)
    graph = ds.graph(URIRef(f"{GRAPH}article/{article_id}"))
    assert graph.value(article, DCTERMS.title) == Literal("Dam talks", lang="en")
    assert str(graph.value(article, DCTERMS.creator)) == "A. Writer"
    assert str(graph.value(article, SCHEMA.url)) == "https://example.invalid/dam"
    assert graph.value(article, DCTERMS.issued) == Literal("2026-03-14", datatype=XSD.date)
    assert str(graph.value(article, DCTERMS.rights)) == "INVENTED for kg's tests"
    publisher = graph.value(article, DCTERMS.publisher)
    assert "Invented Gazette" in {str(publisher), *map(str, ds.objects(publisher, RDFS.label))}
    statements = {str(s).rsplit("/", 1)[-1] for s in graph.subjects(PROV.wasDerivedFrom, article)
                  if str(s).startswith(str(article) + "/")}
    assert {demand["id"], offer["id"], condition["id"]} <= statements
    others = {d["id"] for d in drafts} - {demand["id"], offer["id"], condition["id"]}
    assert others and not others & statements  # the drafts nobody reviewed stay out of the graph
    assert graph.value(statement_iri(article_id, offer["id"]), KG.holder) == ID["actor/veskaria"]
