"""kg ingest on INVENTED articles (written for these tests, not from any real publication)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml

from kg.draft import accept, review
from kg.errors import KgError
from kg.ingest import ingest

EVAL = Path(__file__).parent / "fixtures" / "eval"
# INVENTED article text, written for this test.
ARTICLE = ("INVENTED test article, not from any real publication\n"
           "Aldoria insists on dam inspections\n"
           "Aldoria demands that Veskaria open the Kessel Dam to inspectors. Veskaria offered to share "
           "the dry-season flow for 10 years.\n")


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
                    author="A. Writer", published="2031-03-14", rights="CC0")
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    assert result.id == f"000_{digest[:16]}"
    assert (corpus / "articles" / f"{result.id}.txt").read_bytes() == src.read_bytes()
    meta = yaml.safe_load(result.meta_path.read_text())
    assert meta["article"]["sha256"] == digest
    assert meta["article"]["outlet"] == "Invented Gazette"
    assert meta["article"]["reported"] == "2031-03-14"
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
    with pytest.raises(KgError, match="invalid publication date"):
        ingest(corpus, _write(tmp_path, ARTICLE), published="14/03/2031")
    with pytest.raises(KgError, match="the article is empty"):
        ingest(corpus, _write(tmp_path, "  \n", "empty.txt"))
    assert list((corpus / "articles").iterdir()) == []


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
    # the reviewer marks the demand as checked
    data = yaml.safe_load(result.draft_path.read_text())
    for item in data["statements"]:
        if item["id"] == demand["id"]:
            item["reviewed"] = True
    result.draft_path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert accept(corpus, result.id) == [demand["id"]]
    curated = yaml.safe_load(result.meta_path.read_text())["statements"]
    assert [s["id"] for s in curated] == [demand["id"]]
    assert "draft" not in curated[0] and "reviewed" not in curated[0]
    left = yaml.safe_load(result.draft_path.read_text())["statements"]
    assert demand["id"] not in [s["id"] for s in left] and any(s.get("kind") == "Offer" for s in left)
