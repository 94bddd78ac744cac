"""Corpora: kg init, how kg finds the corpus, and a second corpus next to the bundled seed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import kg
from conftest import INVENTED_CORPUS
from kg.cli import main
from kg.corpus import ENVIRONMENT, bundled_corpus, bundled_root, find_corpus, init_corpus
from kg.errors import KgError


@pytest.fixture(autouse=True)
def no_corpus_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENVIRONMENT, raising=False)


def test_init_makes_an_empty_corpus_that_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "talks"), "--name", "my talks"]) == 0
    assert "made the corpus 'my talks'" in capsys.readouterr().out
    folder = find_corpus(tmp_path / "talks")
    assert folder.name == "my talks" and folder.articles.is_dir() and folder.entities.is_file()
    assert main(["--corpus", str(tmp_path / "talks"), "build"]) == 0
    assert (tmp_path / "talks" / "build" / "kg.trig").is_file()
    assert main(["init", str(tmp_path / "talks")]) == 1
    assert "is a corpus already" in capsys.readouterr().err


def test_discovery_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--corpus, then $KG_CORPUS, then the nearest kg.toml upwards, then the bundled seed."""
    outer = init_corpus(tmp_path / "outer")
    other = init_corpus(tmp_path / "other")
    inside = outer.root / "articles"
    assert find_corpus(cwd=inside).root == outer.root
    assert find_corpus(cwd=tmp_path).root == bundled_root()
    monkeypatch.setenv(ENVIRONMENT, str(other.root))
    assert find_corpus(cwd=inside).root == other.root
    assert find_corpus(outer.root, cwd=tmp_path).root == outer.root


def test_every_command_honours_the_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "invented"
    shutil.copytree(INVENTED_CORPUS, root)
    assert main(["--corpus", str(root), "build"]) == 0
    capsys.readouterr()
    monkeypatch.chdir(root / "articles")  # found from a subfolder, like git
    assert main(["query", "actors", "-f", "csv"]) == 0
    assert "Aldoria" in capsys.readouterr().out
    monkeypatch.chdir(tmp_path)
    assert main(["analyze", "chain", "aldoria-offers-guarantee", "--corpus", str(root)]) == 0
    assert "A signed border accord" in capsys.readouterr().out
    assert kg.load(corpus=root).resolve_actor("Republic of Aldoria") == "https://w3id.org/kg/id/actor/aldoria"


def test_not_a_corpus_and_bad_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--corpus", str(tmp_path), "build"]) == 1
    assert f"{tmp_path} is not a kg corpus (--corpus): it has no kg.toml" in capsys.readouterr().err
    (tmp_path / "kg.toml").write_text('name = "unclosed\n', encoding="utf-8")
    with pytest.raises(KgError, match=r"kg.toml:1: malformed TOML"):
        find_corpus(tmp_path)


def test_installed_seed_builds_into_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside site-packages the seed is read-only: its build goes to the user's cache, the shipped one is read until then."""
    fake = tmp_path / "lib" / "site-packages" / "kg" / "seed"
    shutil.copytree(bundled_root(), fake)
    monkeypatch.setattr("kg.corpus.bundled_root", lambda: fake.resolve())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    seed = bundled_corpus()
    assert seed.bundled and seed.build_dir == tmp_path / "cache" / "kg" / f"seed-{kg.__version__}" / "build"
    assert seed.dataset == fake.resolve() / "build" / "kg.trig"
    assert os.access(seed.dataset, os.R_OK)
