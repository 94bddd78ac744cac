"""Bad curated input: a clear message with file and line, exit status 1, and nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.cli import main

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = "000_0e22b9a82a6b1fdf"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A copy of the project's sources (ontology, entities, seed article, built output)."""
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under data/ and ontology/, to prove nothing was written."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first occurrence of ``old``; return its 1-based line number."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def run_build(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    before = snapshot(root)
    status = main(["--root", str(root), "build"])
    assert snapshot(root) == before, "a failed build must write nothing"
    return status, capsys.readouterr().err


def article_yaml(root: Path) -> Path:
    return root / "data" / "articles" / f"{ARTICLE}.yaml"


def test_malformed_yaml(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = edit(article_yaml(corpus), "    holder: russia\n", "    holder: [russia\n")
    status, err = run_build(corpus, capsys)
    assert status == 1
    assert f"{ARTICLE}.yaml:" in err and "malformed YAML" in err
    reported = int(err.split(f"{ARTICLE}.yaml:")[1].split(":")[0])
    assert line <= reported <= line + 2, err


def test_unknown_actor(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = edit(article_yaml(corpus), "    holder: russia\n", "    holder: soviet-union\n")
    status, err = run_build(corpus, capsys)
    assert status == 1
    assert f"{ARTICLE}.yaml:{line}: unknown actor 'soviet-union' in 'holder'" in err
    assert "add it to data/entities.yaml" in err


def test_quote_not_in_text(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = edit(article_yaml(corpus), "quote: The Kremlin insists that the surrender of the entire Donbas\n",
                "quote: The Kremlin demands the surrender of the entire Donbas\n")
    status, err = run_build(corpus, capsys)
    assert status == 1
    assert f"{ARTICLE}.yaml:{line}: quote not in the text of {ARTICLE}.txt: 'The Kremlin demands" in err


def test_normalised_quote_gets_the_raw_words_as_fix(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(article_yaml(corpus), "quote: Ukraine is which is the pushing for a 50 year deterrence shield.",
         "quote: Ukraine is pushing for a 50 year deterrence shield.")
    status, err = run_build(corpus, capsys)
    assert status == 1
    assert "copy the raw words, noise included: 'Ukraine is which is the pushing for a 50 year deterrence shield.'" in err


def test_wrong_offsets(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = article_yaml(corpus)
    text = path.read_text(encoding="utf-8")
    anchor = "quote: The Kremlin insists that the surrender of the entire Donbas\n"
    start_line = text[: text.index(anchor)].count("\n") + 2
    edit(path, anchor + "        start: 2222\n", anchor + "        start: 2223\n")
    status, err = run_build(corpus, capsys)
    assert status == 1
    assert f"{ARTICLE}.yaml:{start_line}: wrong offsets 2223-2281: the raw text there is" in err
    assert "the quote is at start: 2222, end: 2281" in err


def test_invalid_date(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = edit(article_yaml(corpus), "  reported: 2026-01-27\n", "  reported: 2026-02-30\n")
    status, err = run_build(corpus, capsys)
    assert status == 1
    assert f"{ARTICLE}.yaml:{line}: invalid date '2026-02-30' (fix: write a real date as YYYY-MM-DD)" in err


def test_duplicate_id(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = article_yaml(corpus)
    text = path.read_text(encoding="utf-8")
    first = text[: text.index("  - id: territorial-status\n")].count("\n") + 1
    line = edit(path, "  - id: any-ceasefire\n", "  - id: territorial-status\n")
    status, err = run_build(corpus, capsys)
    assert status == 1
    assert f"{ARTICLE}.yaml:{line}: duplicate id 'territorial-status' (first at {path}:{first})" in err


def test_edited_raw_article_is_refused(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = corpus / "data" / "articles" / f"{ARTICLE}.txt"
    raw.write_bytes(raw.read_bytes().replace(b"Kremlin insists", b"Kremlin hopes!!"))
    status, err = run_build(corpus, capsys)
    assert status == 1
    assert "sha256 of 000_0e22b9a82a6b1fdf.txt is" in err and "never edit the raw article" in err


def test_every_problem_is_reported_at_once(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(article_yaml(corpus), "    holder: russia\n", "    holder: soviet-union\n")
    edit(article_yaml(corpus), "    firmness: Hinted\n", "    firmness: Whispered\n")
    status, err = run_build(corpus, capsys)
    assert status == 1
    assert "unknown actor 'soviet-union'" in err and "unknown firmness 'Whispered'" in err


def test_validate_writes_nothing_and_fails_on_bad_input(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(corpus / "data" / "entities.yaml", "    wikidata: Q159\n", "    wikidata: 159\n")
    before = snapshot(corpus)
    assert main(["--root", str(corpus), "validate"]) == 1
    assert snapshot(corpus) == before
    assert "entities.yaml:" in capsys.readouterr().err


def test_uncovered_sentence_fails_the_build(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Removing the only statement of a sentence leaves it uncovered: the build stops and says which."""
    path = article_yaml(corpus)
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: territorial-referendum\n")
    end = text.index("  - id: us-pivot-to-broker\n")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    status, err = run_build(corpus, capsys)
    assert status == 1
    assert "UNCOVERED line 19 [2353:2498] sentence: Zelenskyy has hinted that any deal involving territorial shifts" in err
    assert "build stopped: nothing was written" in err
