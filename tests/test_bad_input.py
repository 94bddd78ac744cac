"""Bad curated input: a clear message with file and line, exit status 1, and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SEED as ARTICLE
from conftest import edit, snapshot
from kg.cli import main


@pytest.fixture
def corpus(corpus_copy: Path) -> Path:
    """A copy of the corpus under test (entities, seed article, built output)."""
    return corpus_copy


def run_build(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    before = snapshot(root)
    status = main(["--corpus", str(root), "build"])
    assert snapshot(root) == before, "a failed build must write nothing"
    return status, capsys.readouterr().err


def article_yaml(root: Path) -> Path:
    return root / "articles" / f"{ARTICLE}.yaml"


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
    assert "add it to entities.yaml" in err


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
    raw = corpus / "articles" / f"{ARTICLE}.txt"
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
    edit(corpus / "entities.yaml", "    wikidata: Q159\n", "    wikidata: 159\n")
    before = snapshot(corpus)
    assert main(["--corpus", str(corpus), "validate"]) == 1
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


def test_relation_with_its_own_evidence_is_checked(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The mapping form of a relation: unknown keys, an unknown target and wrong offsets, each at its line."""
    path = article_yaml(corpus)
    target = edit(path, "      - to: territorial-status\n", "      - to: territorial-stats\n")
    hedge = edit(path, "        cue: has hinted; may be put\n", "        cue: has hinted; may be put\n        hedge: maybe\n")
    offsets = edit(path, "            start: 2353\n            end: 2465\n", "            start: 2354\n            end: 2466\n")
    status, err = run_build(corpus, capsys)
    assert status == 1
    assert (f"{ARTICLE}.yaml:{target}: a 'required_for' relation needs 'to:' a statement (ARTICLE/id elsewhere), "
            "not 'territorial-stats'") in err
    assert f"{ARTICLE}.yaml:{hedge + 1}: unknown key 'hedge' in a 'required_for' relation" in err
    assert f"{ARTICLE}.yaml:{offsets}: wrong offsets 2354-2466" in err and "the quote is at start: 2353, end: 2465" in err


def test_mapping_where_ids_are_expected(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = edit(article_yaml(corpus), "    place: [donbas]\n", "    place: [{to: donbas}]\n")
    status, err = run_build(corpus, capsys)
    assert status == 1
    assert f"{ARTICLE}.yaml:{line}: 'place' must name place ids, not a mapping" in err
