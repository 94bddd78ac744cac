"""The RDF build: named graphs, deterministic output, a second parser agrees, many articles share actors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import RDF, Dataset, URIRef

from kg.annotations import load_corpus
from kg.build import ENTITIES_GRAPH, KG, ONTOLOGY_GRAPH, article_graph, build_dataset, entity_iri, serialize
from kg.cli import main

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "data" / "build"
SEED = "000_0e22b9a82a6b1fdf"


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return serialize(build_dataset(load_corpus()))


def test_committed_build_is_up_to_date(files: dict[str, bytes]) -> None:
    """data/build/ in git is exactly what the sources build (run `kg build` after editing data/)."""
    for name, data in files.items():
        assert (BUILD / name).read_bytes() == data, f"data/build/{name} is stale: run kg build"


def test_build_is_byte_identical_across_processes(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "kg.cli", "build", "--out", str(out)], check=True, env=env,
                       capture_output=True, cwd=tmp_path)
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0] == outputs[1]
    assert sorted(outputs[0]) == ["kg.jsonld", "kg.nq", "kg.trig", "kg.ttl"]


def test_graphs_and_counts(files: dict[str, bytes]) -> None:
    ds = Dataset()
    ds.parse(data=files["kg.trig"], format="trig")
    graphs = {str(g.identifier): len(g) for g in ds.graphs() if len(g)}
    assert set(graphs) == {str(ONTOLOGY_GRAPH), str(ENTITIES_GRAPH), str(article_graph(SEED))}
    article = ds.graph(article_graph(SEED))
    assert len(set(article.subjects(RDF.type, KG.Demand))) == 4
    assert len(set(article.subjects(RDF.type, KG.Evidence))) == 28
    # actors are typed once, in the shared entities graph, never copied into the article graph
    russia = entity_iri("actor", "russia")
    assert (russia, RDF.type, KG.State) in ds.graph(ENTITIES_GRAPH)
    assert (russia, RDF.type, KG.State) not in article


@pytest.mark.parametrize("name, fmt", [("kg.trig", pyoxigraph.RdfFormat.TRIG), ("kg.nq", pyoxigraph.RdfFormat.N_QUADS),
                                       ("kg.jsonld", pyoxigraph.RdfFormat.JSON_LD)])
def test_pyoxigraph_parses_the_same_quads(files: dict[str, bytes], name: str, fmt: pyoxigraph.RdfFormat) -> None:
    ds = Dataset()
    ds.parse(data=files["kg.nq"], format="nquads")
    rdflib_count = len(list(ds.quads((None, None, None, None))))
    quads = list(pyoxigraph.parse(files[name], format=fmt))
    assert len(quads) == rdflib_count
    graphs = {q.graph_name.value for q in quads}
    assert str(article_graph(SEED)) in graphs


def test_every_format_holds_the_same_quads(files: dict[str, bytes]) -> None:
    """Not only the same count: the same quads, literals with line breaks included (blank nodes aside)."""
    def ground(data: bytes, fmt: pyoxigraph.RdfFormat) -> set[str]:
        return {str(q) for q in pyoxigraph.parse(data, format=fmt)
                if not any(isinstance(t, pyoxigraph.BlankNode) for t in (q.subject, q.object))}
    expected = ground(files["kg.nq"], pyoxigraph.RdfFormat.N_QUADS)
    assert any("\\n" in q for q in expected)  # oa:prefix/oa:suffix span line breaks
    assert ground(files["kg.trig"], pyoxigraph.RdfFormat.TRIG) == expected
    assert ground(files["kg.jsonld"], pyoxigraph.RdfFormat.JSON_LD) == expected


def test_pyoxigraph_parses_turtle_union(files: dict[str, bytes]) -> None:
    union = len(list(pyoxigraph.parse(files["kg.ttl"], format=pyoxigraph.RdfFormat.TURTLE)))
    ds = Dataset()
    ds.parse(data=files["kg.nq"], format="nquads")
    assert union == len({(s, p, o) for s, p, o, _ in ds.quads((None, None, None, None))})


@pytest.mark.skipif(shutil.which("rapper") is None and os.environ.get("KG_REQUIRE_BROWSER") != "1",
                    reason="Raptor's rapper is not installed (apt-get install raptor2-utils)")
@pytest.mark.parametrize("name, syntax", [("kg.trig", "trig"), ("kg.nq", "nquads"), ("kg.ttl", "turtle")])
def test_rapper_counts_the_same(name: str, syntax: str) -> None:
    result = subprocess.run(["rapper", "-i", syntax, "-c", str(BUILD / name)], capture_output=True, text=True, check=True)
    count = int(result.stderr.split("returned ")[1].split(" ")[0])
    expected = len((BUILD / "kg.nq").read_text(encoding="utf-8").splitlines()) if name != "kg.ttl" else \
        len(list(pyoxigraph.parse((BUILD / "kg.ttl").read_bytes(), format=pyoxigraph.RdfFormat.TURTLE)))
    assert count == expected


INVENTED_ARTICLE = (  # invented test text, not from any article
    "Moscow rejected the proposal on Friday. The Kremlin insists that talks continue in Abu Dhabi.\n"
)
INVENTED_YAML = """\
article:
  id: 001_invented
  file: 001_invented.txt
  sha256: {sha}
  reported: 2026-02-02
  noise: []
statements:
  - id: russia-wants-talks
    kind: Demand
    label: Russia wants the talks to continue
    content: talks continue in Abu Dhabi
    holder: russia
    firmness: Insisted
    status: OnRecord
    reported_by: [russia]
    place: [abu-dhabi]
    evidence:
      - quote: The Kremlin insists that talks continue in Abu Dhabi.
        start: 40
        end: 93
  - id: russia-rejects
    kind: Claim
    label: Russia rejected the proposal
    content: Moscow rejected the proposal
    holder: russia
    firmness: Stated
    status: OnRecord
    reported_by: [russia]
    evidence:
      - quote: Moscow rejected the proposal on Friday.
        start: 0
        end: 39
"""


def test_second_article_adds_a_graph_not_a_copy_of_the_actors(tmp_path: Path) -> None:
    import hashlib

    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    articles = tmp_path / "data" / "articles"
    (articles / "001_invented.txt").write_text(INVENTED_ARTICLE, encoding="utf-8")
    sha = hashlib.sha256(INVENTED_ARTICLE.encode()).hexdigest()
    (articles / "001_invented.yaml").write_text(INVENTED_YAML.format(sha=sha), encoding="utf-8")
    assert main(["--root", str(tmp_path), "build"]) == 0
    ds = Dataset()
    ds.parse(tmp_path / "data" / "build" / "kg.trig", format="trig")
    second = ds.graph(article_graph("001_invented"))
    russia = entity_iri("actor", "russia")
    demand = URIRef("https://w3id.org/kg/id/article/001_invented/russia-wants-talks")
    assert (demand, KG.holder, russia) in second
    assert (russia, RDF.type, KG.State) not in second
    assert len(list(ds.quads((russia, RDF.type, None, None)))) == 1
    assert len({str(g.identifier) for g in ds.graphs() if len(g)}) == 4
    # the entities graph is the same as with one article: the new article named no new actor
    assert len(ds.graph(ENTITIES_GRAPH)) == len(build_dataset(load_corpus()).graph(ENTITIES_GRAPH))
