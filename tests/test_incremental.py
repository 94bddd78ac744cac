"""Incremental build: unchanged articles come from build/.cache, and the output is byte-identical to a full build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import INVENTED_CORPUS, edit
from kg.annotations import load_corpus
from kg.cli import main
from kg.corpus import find_corpus
from kg.validate import linked_articles


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("kg.*"))}


def test_incremental_build_redoes_only_the_changed_article_and_matches_a_full_build(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    shutil.copytree(INVENTED_CORPUS, root)
    assert main(["--corpus", str(root), "build"]) == 0
    cache = root / "build" / ".cache"
    first = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.nt")}
    assert sorted(name.split(".")[0] for name in first) == ["001_aldoria-offer", "002_brenn-lowers"]

    edit(root / "articles" / "002_brenn-lowers.yaml", "label: Aldoria may accept a longer term",
         "label: Aldoria may yet accept a longer term")
    assert main(["--corpus", str(root), "build"]) == 0
    second = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.nt")}
    unchanged = next(n for n in first if n.startswith("001_"))
    assert second[unchanged] == first[unchanged]  # read back, not written again
    [new], [old] = set(second) - set(first), set(first) - set(second)  # 002 has a new key, its old file is gone
    assert new.startswith("002_") and old.startswith("002_")
    assert b"Aldoria may yet accept a longer term" in (cache / next(n for n in second if n.startswith("002_"))).read_bytes()

    assert main(["--corpus", str(root), "build", "--no-cache", "--out", str(tmp_path / "full")]) == 0
    assert outputs(root / "build") == outputs(tmp_path / "full")


def test_the_cache_is_what_an_unchanged_article_is_read_from(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    shutil.copytree(INVENTED_CORPUS, root)
    assert main(["--corpus", str(root), "build"]) == 0
    [cached] = (root / "build" / ".cache").glob("001_*.nt")
    marker = '<https://w3id.org/kg/id/article/001_aldoria-offer> <http://www.w3.org/2000/01/rdf-schema#comment> "from the cache" .\n'
    cached.write_text(cached.read_text(encoding="utf-8") + marker, encoding="utf-8")
    assert main(["--corpus", str(root), "build"]) == 0
    assert b'"from the cache"' in (root / "build" / "kg.nq").read_bytes()
    assert main(["--corpus", str(root), "build", "--no-cache"]) == 0
    assert b'"from the cache"' not in (root / "build" / "kg.nq").read_bytes()


def test_a_changed_article_that_breaks_a_shape_fails_the_incremental_build(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "corpus"
    shutil.copytree(INVENTED_CORPUS, root)
    assert main(["--corpus", str(root), "build"]) == 0
    before = outputs(root / "build")
    capsys.readouterr()
    # the loader accepts a self-dependency; only the SHACL shapes refuse it
    edit(root / "articles" / "002_brenn-lowers.yaml", "depends_on: [accord-ratified]",
         "depends_on: [accord-ratified, aldoria-may-accept-longer-term]")
    assert main(["--corpus", str(root), "build"]) == 1
    err = capsys.readouterr().err
    assert "SHACL: does not conform" in err and "a position must not depend on itself" in err
    assert "002_brenn-lowers/aldoria-may-accept-longer-term" in err and "build stopped: nothing was written" in err
    assert outputs(root / "build") == before
    assert len(list((root / "build" / ".cache").glob("002_*.nt"))) == 1  # the old entry, not the broken article


def test_shacl_checks_the_changed_articles_and_those_linked_to_them(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    shutil.copytree(INVENTED_CORPUS, root)
    corpus = load_corpus(find_corpus(root))
    assert linked_articles(corpus, {"002_brenn-lowers"}) == {"002_brenn-lowers"}
    edit(root / "articles" / "002_brenn-lowers.yaml", "depends_on: [accord-ratified]",
         "depends_on: [accord-ratified, 001_aldoria-offer/aldoria-offers-guarantee]")
    corpus = load_corpus(find_corpus(root))
    assert linked_articles(corpus, {"001_aldoria-offer"}) == {"001_aldoria-offer", "002_brenn-lowers"}  # 002 refers to it
    assert linked_articles(corpus, {"002_brenn-lowers"}) == {"001_aldoria-offer", "002_brenn-lowers"}  # it refers to 001
