"""Malformed curated input (issue 13, point 7): each case gets ``file:line: what (fix: how)``, exit 1, no traceback."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from conftest import SEED, edit, snapshot
from kg.cli import main


def build(root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    before = snapshot(root)
    assert main(["--corpus", str(root), "build"]) == 1
    assert snapshot(root) == before, "a failed build must write nothing"
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err) < 20_000, err[:2000]
    return err


def statements(root: Path) -> Path:
    return root / "articles" / f"{SEED}.yaml"


def set_text(root: Path, data: bytes) -> int:
    """Replace the raw article and its sha256; return the line of 'file:' in the YAML."""
    (root / "articles" / f"{SEED}.txt").write_bytes(data)
    text = statements(root).read_text(encoding="utf-8")
    old = text.split("sha256: ")[1].split("\n")[0]
    edit(statements(root), f"sha256: {old}", f"sha256: {hashlib.sha256(data).hexdigest()}")
    return text[: text.index("  file: ")].count("\n") + 1


def where(root: Path, line: int) -> str:
    return f"{statements(root)}:{line}: "


def test_holder_given_as_a_mapping(corpus_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = edit(statements(corpus_copy), "    holder: russia\n", "    holder: {id: russia}\n")
    err = build(corpus_copy, capsys)
    assert where(corpus_copy, line) + "'holder' must name actor ids, not a mapping: {'id': 'russia'}" in err
    assert "(fix: write holder: some-id" in err


def test_statement_id_given_as_a_list(corpus_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = edit(statements(corpus_copy), "  - id: russia-demands-donbas\n", "  - id: [russia-demands-donbas]\n")
    err = build(corpus_copy, capsys)
    assert where(corpus_copy, line) + "statement id ['russia-demands-donbas'] is missing or not lower-case-with-hyphens" in err
    assert "unhashable" not in err


def test_a_byte_that_is_not_utf8(corpus_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = edit(statements(corpus_copy), "    holder: russia\n", "    holder: russia\n    cue: na\xefve\n")
    path = statements(corpus_copy)
    path.write_bytes(path.read_bytes().replace("na\xefve".encode(), b"na\xefve"))
    err = build(corpus_copy, capsys)
    assert where(corpus_copy, line + 1) + "not UTF-8: byte 0xef at column 12" in err
    assert "(fix: save the file as UTF-8" in err


def test_a_control_character(corpus_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = edit(statements(corpus_copy), "    holder: russia\n", "    holder: russia\x0c\n")
    err = build(corpus_copy, capsys)
    assert where(corpus_copy, line) + "control character U+000C in the file" in err


def test_an_unclosed_quote_is_reported_where_it_opens(corpus_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = edit(statements(corpus_copy), "    label: US security guarantees for Ukraine\n",
                '    label: "US security guarantees for Ukraine\n')
    err = build(corpus_copy, capsys)
    assert where(corpus_copy, line) + "malformed YAML: a quoted text that starts here is not closed on its line" in err


def test_an_empty_quote(corpus_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = edit(statements(corpus_copy), "quote: The Kremlin insists that the surrender of the entire Donbas\n", 'quote: ""\n')
    err = build(corpus_copy, capsys)
    assert where(corpus_copy, line) + "the evidence quote is empty" in err
    assert len(err) < 2000


def test_a_date_without_hyphens(corpus_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = edit(statements(corpus_copy), "  reported: 2026-01-27\n", "  reported: 20260127\n")
    err = build(corpus_copy, capsys)
    assert where(corpus_copy, line) + "invalid date 20260127 (fix: write a real date as YYYY-MM-DD)" in err


@pytest.mark.parametrize("date", ["9999-12-31", (dt.date.today() + dt.timedelta(days=2)).isoformat()])
def test_a_date_in_the_future(corpus_copy: Path, capsys: pytest.CaptureFixture[str], date: str) -> None:
    line = edit(statements(corpus_copy), "  reported: 2026-01-27\n", f"  reported: {date}\n")
    err = build(corpus_copy, capsys)
    assert where(corpus_copy, line) + f"the date {date} is in the future" in err


def test_an_empty_article(corpus_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = set_text(corpus_copy, b"\n \n")
    err = build(corpus_copy, capsys)
    assert where(corpus_copy, line) + f"the article text {SEED}.txt is empty" in err


def test_a_byte_order_mark_gives_one_message_with_a_hint(corpus_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = (corpus_copy / "articles" / f"{SEED}.txt").read_bytes()
    line = set_text(corpus_copy, b"\xef\xbb\xbf" + raw)
    err = build(corpus_copy, capsys)
    assert err.strip().splitlines() == [where(corpus_copy, line).rstrip(" ") + f" {SEED}.txt starts with a UTF-8 byte order mark "
                                        "(BOM, U+FEFF): every offset counts it as one character (fix: if the published "
                                        "article had no BOM, remove it (sed -i '1s/^\\xEF\\xBB\\xBF//' FILE) and set the new "
                                        "sha256; if it had one, add 1 to every start and end)"]


def test_windows_line_endings_get_a_hint(corpus_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = (corpus_copy / "articles" / f"{SEED}.txt").read_bytes()
    set_text(corpus_copy, raw.replace(b"\n", b"\r\n"))
    err = build(corpus_copy, capsys)
    text = statements(corpus_copy).read_text(encoding="utf-8")
    start_line = text[: text.index("start: 2222")].count("\n") + 1  # The Kremlin insists..., on line 17 of the article
    assert where(corpus_copy, start_line) + "wrong offsets 2222-2281" in err
    assert "the quote is at start: 2238, end: 2297 (the article has Windows line endings, CRLF" in err
