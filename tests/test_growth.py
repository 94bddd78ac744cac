"""A second article breaks no test: the fast tier, rerun on a copy of the seed corpus with one more article.

The copy gets the INVENTED article of ``tests/fixtures/growth`` (written for these tests, not from any
publication), is built, and the fast tier runs again in a subprocess with ``KG_CORPUS`` pointing at it:
every seed check is scoped to the seed article's own named graph, so all of them must still pass.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO
from kg.cli import main
from kg.corpus import ENVIRONMENT, CorpusFolder

pytestmark = pytest.mark.slow  # runs the fast tier again in a subprocess


def test_the_fast_tier_passes_on_the_seed_corpus_with_one_more_article(tmp_path: Path, seed_corpus: CorpusFolder) -> None:
    grown = tmp_path / "grown"
    shutil.copytree(seed_corpus.root, grown)
    for path in (FIXTURES / "growth").glob("001_invented-growth.*"):
        shutil.copy(path, grown / "articles")
    assert main(["--corpus", str(grown), "build"]) == 0
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-m", "not slow", "-p", "no:cacheprovider", "-x"],
                          cwd=REPO, env={**os.environ, ENVIRONMENT: str(grown)}, capture_output=True, text=True, timeout=1200)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-2000:]
    assert done.returncode == 0, done.stdout[-4000:]
    assert " passed" in summary and "failed" not in summary
