"""Shared fixtures and helpers of the test suite.

Two corpora are used:

* the **seed corpus** (the repository's ``data/``, bundled with the package): seed facts are
  asserted on the seed article's own named graph, so that they hold in a bigger corpus too.
  The corpus is the one kg finds (``$KG_CORPUS`` first), which is how ``tests/test_growth.py``
  reruns the seed checks on a copy of the seed corpus with one more (invented) article;
* the **invented corpus** (``tests/fixtures/invented-corpus``): two made-up articles for the
  generic behaviour (engines agree, validation, network, page, endpoint).

Slow tests (servers, browser, subprocesses, the OWL reasoner) carry ``@pytest.mark.slow``; the
fast tier is ``pytest -m "not slow"``.
"""

from __future__ import annotations

import hashlib
import shutil
import signal
from pathlib import Path

import networkx as nx
import pytest
import yaml

import kg
from kg.cli import main
from kg.corpus import CorpusFolder, find_corpus
from kg.graph import KnowledgeGraph
from kg.namespaces import article_graph, statement_iri
from kg.network import network
from kg.store import ENGINES, built_dataset

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
INVENTED_CORPUS = FIXTURES / "invented-corpus"
SEED = "000_0e22b9a82a6b1fdf"
SEED_GRAPH = str(article_graph(SEED))


def seed_iri(statement_id: str) -> str:
    """The IRI of a statement of the seed article."""
    return str(statement_iri(SEED, statement_id))


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root``, to prove that nothing was written."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def build_copy(source: Path, folder: Path) -> KnowledgeGraph:
    """Copy the corpus at ``source`` (without its build) into ``folder``/corpus, build it with ``kg build`` and load it."""
    root = folder / "corpus"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("build"))
    assert main(["--corpus", str(root), "build"]) == 0
    return kg.load(root / "build" / "kg.trig")


def gold_articles(root: Path, count: int) -> list[dict]:
    """Check an INVENTED gold corpus article by article (marked invented, 150-300 words, named and keyed by
    its SHA-256, every evidence quote at its offsets) and return the parsed ``ID.yaml`` of each, in order."""
    for path in (root / "kg.toml", root / "entities.yaml", root / "README.md"):
        assert "INVENTED" in path.read_text(encoding="utf-8")[:200], path
    texts = sorted((root / "articles").glob("*.txt"))
    assert len(texts) == count
    docs = []
    for number, path in enumerate(texts):
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        assert path.stem == f"{number:03d}_{sha[:16]}"
        raw = data.decode("utf-8")
        assert raw.startswith("INVENTED test article, not from any real publication\n")
        assert 150 <= len(raw.split()) <= 300, path.name
        curated = path.with_suffix(".yaml").read_text(encoding="utf-8")
        assert curated.startswith("# INVENTED")
        doc = yaml.safe_load(curated)
        assert doc["article"]["sha256"] == sha
        for item in doc["statements"]:
            for span in item["evidence"]:
                assert raw[span["start"]:span["end"]] == span["quote"], item["id"]
        docs.append(doc)
    return docs


def actor_names(root: Path) -> set[str]:
    """The actor names of a corpus's shared registry, lower-cased."""
    actors = yaml.safe_load((root / "entities.yaml").read_text(encoding="utf-8"))["actors"]
    return {name.lower() for actor in actors for name in actor["names"]}


def interruptible() -> None:
    """``preexec_fn`` of a child that a test stops with Ctrl-C (SIGINT): SIGINT at its default, as in a terminal.

    A test run started in the background by a shell without job control (``.ci/run &``) ignores SIGINT,
    and its children inherit that: Python then installs no KeyboardInterrupt handler at all.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first occurrence of ``old`` in a file; return its 1-based line number."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


@pytest.fixture(scope="session")
def seed_corpus() -> CorpusFolder:
    """The corpus under test: the bundled seed, or ``$KG_CORPUS`` (a grown copy of it)."""
    return find_corpus()


@pytest.fixture(scope="session")
def dataset(seed_corpus: CorpusFolder) -> Path:
    """The built dataset of the corpus under test."""
    return built_dataset(seed_corpus.dataset)


@pytest.fixture(scope="session")
def graphs(dataset: Path) -> dict[str, KnowledgeGraph]:
    """The corpus under test loaded into each engine."""
    return {engine: kg.load(dataset, engine=engine) for engine in ENGINES}


@pytest.fixture(scope="session", params=ENGINES)
def g(request: pytest.FixtureRequest, graphs: dict[str, KnowledgeGraph]) -> KnowledgeGraph:
    """The corpus under test, once per engine."""
    return graphs[request.param]


@pytest.fixture(scope="session")
def net(graphs: dict[str, KnowledgeGraph]) -> nx.MultiDiGraph:
    """The network view of the corpus under test."""
    return network(graphs["rdflib"])


@pytest.fixture
def corpus_copy(tmp_path: Path, seed_corpus: CorpusFolder) -> Path:
    """A writable copy of the corpus under test (sources and build)."""
    shutil.copytree(seed_corpus.root, tmp_path / "corpus")
    return tmp_path / "corpus"


@pytest.fixture(scope="session")
def invented(tmp_path_factory: pytest.TempPathFactory) -> CorpusFolder:
    """The invented two-article corpus, copied and built."""
    root = tmp_path_factory.mktemp("invented") / "corpus"
    shutil.copytree(INVENTED_CORPUS, root)
    assert main(["--corpus", str(root), "build"]) == 0
    return find_corpus(root)


@pytest.fixture(scope="session")
def invented_graphs(invented: CorpusFolder) -> dict[str, KnowledgeGraph]:
    """The invented corpus loaded into each engine."""
    return {engine: kg.load(invented.dataset, engine=engine) for engine in ENGINES}
