"""The RDF build: named graphs, deterministic output, a second parser agrees, many articles share actors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import RDF, Dataset, URIRef

from conftest import FIXTURES, SEED, SEED_GRAPH
from kg.annotations import load_corpus
from kg.build import build_dataset
from kg.cli import main
from kg.corpus import CorpusFolder
from kg.namespaces import ENTITIES_GRAPH, INFERRED_GRAPH, KG, ONTOLOGY_GRAPH, article_graph, entity_iri, statement_iri
from kg.serialize import serialize


@pytest.fixture(scope="module")
def files(seed_corpus: CorpusFolder) -> dict[str, bytes]:
    return serialize(build_dataset(load_corpus(seed_corpus)))


def test_committed_build_is_up_to_date(files: dict[str, bytes], seed_corpus: CorpusFolder) -> None:
    """The corpus build/ in git is exactly what the sources build (run `kg build` after editing the corpus)."""
    for name, data in files.items():
        assert (seed_corpus.build_dir / name).read_bytes() == data, f"{seed_corpus.build_dir / name} is stale: run kg build"


@pytest.mark.slow
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
    assert {str(ONTOLOGY_GRAPH), str(ENTITIES_GRAPH), SEED_GRAPH} <= set(graphs)
    assert all(name.startswith("https://w3id.org/kg/graph/article/")
               for name in set(graphs) - {str(ONTOLOGY_GRAPH), str(ENTITIES_GRAPH), str(INFERRED_GRAPH)})
    article = ds.graph(article_graph(SEED))
    assert len(set(article.subjects(RDF.type, KG.Demand))) == 4
    # 32 spans of statements and 28 of relations between statements (qualified relations, conflicts included)
    assert len(set(article.subjects(RDF.type, KG.Evidence))) == 60
    assert len(set(article.subjects(RDF.type, KG.QualifiedRelation))) == 22  # and the 3 kg:Conflict nodes
    # what follows from the ontology sits in the inferred graph only
    demand = statement_iri(SEED, "russia-demands-donbas")
    assert (demand, RDF.type, KG.Position) in ds.graph(INFERRED_GRAPH) and (demand, RDF.type, KG.Position) not in article
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


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("rapper") is None and os.environ.get("KG_REQUIRE_BROWSER") != "1",
                    reason="Raptor's rapper is not installed (apt-get install raptor2-utils)")
@pytest.mark.parametrize("name, syntax", [("kg.trig", "trig"), ("kg.nq", "nquads"), ("kg.ttl", "turtle")])
def test_rapper_counts_the_same(name: str, syntax: str, seed_corpus: CorpusFolder) -> None:
    build = seed_corpus.build_dir
    result = subprocess.run(["rapper", "-i", syntax, "-c", str(build / name)], capture_output=True, text=True, check=True)
    count = int(result.stderr.split("returned ")[1].split(" ")[0])
    expected = len((build / "kg.nq").read_text(encoding="utf-8").splitlines()) if name != "kg.ttl" else \
        len(list(pyoxigraph.parse((build / "kg.ttl").read_bytes(), format=pyoxigraph.RdfFormat.TURTLE)))
    assert count == expected




def test_second_article_adds_a_graph_not_a_copy_of_the_actors(corpus_copy: Path, seed_corpus: CorpusFolder) -> None:
    for path in (FIXTURES / "growth").glob("001_invented-growth.*"):
        shutil.copy(path, corpus_copy / "articles")
    assert main(["--corpus", str(corpus_copy), "build"]) == 0
    ds = Dataset()
    ds.parse(corpus_copy / "build" / "kg.trig", format="trig")
    second = ds.graph(article_graph("001_invented-growth"))
    russia = entity_iri("actor", "russia")
    demand = URIRef("https://w3id.org/kg/id/article/001_invented-growth/russia-wants-talks")
    assert (demand, KG.holder, russia) in second
    assert (russia, RDF.type, KG.State) not in second
    assert [q[2] for q in ds.quads((russia, RDF.type, None, None)) if q[3] != INFERRED_GRAPH] == [KG.State]
    before = {str(g.identifier) for g in build_dataset(load_corpus(seed_corpus)).graphs() if len(g)}
    assert {str(g.identifier) for g in ds.graphs() if len(g)} == before | {str(article_graph("001_invented-growth"))}
    # the entities graph is the same as without the new article: it named no new actor
    assert len(ds.graph(ENTITIES_GRAPH)) == len(build_dataset(load_corpus(seed_corpus)).graph(ENTITIES_GRAPH))


def test_jsonld_has_one_object_per_graph_and_rdflib_reads_it(files: dict[str, bytes]) -> None:
    """JSON-LD as kg writes it (expanded, a node per line): each named graph once, in IRI order; rdflib's own
    JSON-LD parser reads the quads the N-Quads file holds."""
    graphs = [g["@id"] for g in json.loads(files["kg.jsonld"])]
    assert graphs == sorted(set(graphs)) and str(article_graph(SEED)) in graphs
    parsed = Dataset()
    parsed.parse(data=files["kg.jsonld"], format="json-ld")
    in_graphs = {str(g.identifier): len(g) for g in parsed.graphs() if len(g)}
    written = [str(q.graph_name.value) for q in pyoxigraph.parse(files["kg.nq"], format=pyoxigraph.RdfFormat.N_QUADS)]
    assert in_graphs == {g: written.count(g) for g in set(written)}
