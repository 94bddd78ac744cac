"""Corpus growth on the INVENTED Aldoria/Brenn corpus: threads across articles, timeline, syndicated copies,
article metadata, boilerplate, references to statements of other articles, names and copies."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from conftest import INVENTED_CORPUS, edit
from kg.cli import main
from kg.graph import load
from kg.namespaces import ID, KG, SCHEMA, article_iri, statement_iri
from kg.threads import THREADS_GRAPH

COPY = "003_brenn-lowers-wire"
NOTE = "Editor's note: This story is being updated."


def add_syndicated_copy(root: Path, note_as: str = "boilerplate") -> None:
    """A wire copy of article 002 (INVENTED): the same words plus an editor's note declared as boilerplate (or noise)."""
    articles = root / "articles"
    data = (articles / "002_brenn-lowers.txt").read_bytes() + f"{NOTE}\n".encode()
    (articles / f"{COPY}.txt").write_bytes(data)
    text = (articles / "002_brenn-lowers.yaml").read_text(encoding="utf-8")
    old_sha = text.split("sha256: ")[1].split("\n")[0]
    header = ("  syndicated_from: 002_brenn-lowers\n  title: Brenn lowers its demand\n  outlet: Invented Wire\n"
              "  author: [A. Writer]\n  url: https://example.org/wire/brenn\n  published: 2026-03-21\n"
              "  rights: INVENTED for kg's tests\n")
    if note_as == "boilerplate":
        header = "  noise: []\n" + header + f"  boilerplate:\n    - {{quote: \"{NOTE}\", reason: editor's note}}\n"
    else:
        header = f"  noise: [\"{NOTE}\"]\n" + header
    text = text.replace("002_brenn-lowers", COPY).replace(old_sha, hashlib.sha256(data).hexdigest()).replace("  noise: []\n", header)
    (articles / f"{COPY}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(INVENTED_CORPUS, root)
    return root


def built(root: Path) -> Dataset:
    ds = Dataset(default_union=True)
    ds.parse(root / "build" / "kg.trig", format="trig")
    return ds


def test_a_thread_links_the_demand_across_articles_and_timeline_prints_the_change(
        corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--corpus", str(corpus), "build"]) == 0
    ds = built(corpus)
    threads = ds.graph(THREADS_GRAPH)
    thread = ID["thread/brenn-demand-water-guarantee"]
    earlier = statement_iri("001_aldoria-offer", "brenn-demands-25-years")
    later = statement_iri("002_brenn-lowers", "brenn-demands-15-years")
    assert set(threads.objects(thread, KG.member)) == {earlier, later}
    assert (later, KG.supersedes, earlier) in threads
    assert threads.value(thread, KG.sourceCount) == Literal(2)
    offer = statement_iri("002_brenn-lowers", "aldoria-may-accept-longer-term")
    assert (offer, KG.updates, statement_iri("001_aldoria-offer", "aldoria-offers-guarantee")) in threads
    capsys.readouterr()
    for engine in ("rdflib", "oxigraph"):
        assert main(["--corpus", str(corpus), "timeline", "Brenn", "--engine", engine]) == 0
        out = capsys.readouterr().out
        assert out.splitlines() == [
            "Brenn: Demand on water guarantee: 2 reports, 2 independent source(s)",
            "  2026-03-02  Brenn insists on a 25-year guarantee  (25 yr)  -- 001_aldoria-offer/brenn-demands-25-years, "
            "reported by Brenn",
            "  2026-03-19  Brenn lowers its demand to a 15-year guarantee  (15 yr)  [supersedes the report before]  -- "
            "002_brenn-lowers/brenn-demands-15-years, reported by Coastal Union"]
    assert main(["--corpus", str(corpus), "timeline", "water-guarantee"]) == 0
    assert "Aldoria: Offer on water guarantee: 2 reports" in capsys.readouterr().out
    assert main(["--corpus", str(corpus), "timeline", "Atlantis"]) == 1
    assert "no issue or actor named 'Atlantis'" in capsys.readouterr().err


def test_a_syndicated_copy_joins_the_thread_without_raising_the_source_count(
        corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_syndicated_copy(corpus)
    assert main(["--corpus", str(corpus), "build"]) == 0
    out = capsys.readouterr().out
    assert f"coverage of {COPY}: 2 of 2 statement-bearing segments covered, 1 boilerplate" in out
    assert f"  boilerplate line 2 [159:202] (editor's note): {NOTE}" in out
    ds = built(corpus)
    threads = ds.graph(THREADS_GRAPH)
    thread = ID["thread/brenn-demand-water-guarantee"]
    copy = statement_iri(COPY, "brenn-demands-15-years")
    assert copy in set(threads.objects(thread, KG.member))
    assert threads.value(thread, KG.sourceCount) == Literal(2)  # still two: the copy is not a new source
    assert not list(threads.predicate_objects(copy))  # neither corroborates nor updates its original
    doc = article_iri(COPY)
    assert (doc, KG.syndicatedFrom, article_iri("002_brenn-lowers")) in ds
    assert (doc, DCTERMS.title, Literal("Brenn lowers its demand", lang="en")) in ds
    assert (doc, DCTERMS.publisher, Literal("Invented Wire")) in ds
    assert (doc, DCTERMS.creator, Literal("A. Writer")) in ds
    assert (doc, SCHEMA.url, URIRef("https://example.org/wire/brenn")) in ds
    assert (doc, DCTERMS.issued, Literal("2026-03-21", datatype=XSD.date)) in ds
    assert (doc, DCTERMS.rights, Literal("INVENTED for kg's tests")) in ds


def test_an_outlet_that_is_an_actor_becomes_the_publisher_iri(corpus: Path) -> None:
    edit(corpus / "articles" / "001_aldoria-offer.yaml", "  noise: []\n", "  noise: []\n  outlet: coastal-union\n")
    assert main(["--corpus", str(corpus), "build"]) == 0
    assert (article_iri("001_aldoria-offer"), DCTERMS.publisher, ID["actor/coastal-union"]) in built(corpus)


def test_unknown_header_key_is_an_error_listing_the_allowed_ones(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = edit(corpus / "articles" / "001_aldoria-offer.yaml", "  noise: []\n", "  noise: []\n  publisher: Invented Times\n") + 1
    assert main(["--corpus", str(corpus), "build"]) == 1
    err = capsys.readouterr().err
    assert f"001_aldoria-offer.yaml:{line}: unknown key 'publisher' in the article header (fix: use one of id, file, sha256," in err
    assert "outlet, title, author" in err


def test_statements_refer_to_statements_of_other_articles(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = corpus / "articles" / "002_brenn-lowers.yaml"
    edit(path, "    duration: {value: 15, unit: year}\n",
         "    duration: {value: 15, unit: year}\n    specifies: [001_aldoria-offer/brenn-demands-25-years]\n")
    assert main(["--corpus", str(corpus), "build"]) == 0
    assert (statement_iri("002_brenn-lowers", "brenn-demands-15-years"), KG.specifies,
            statement_iri("001_aldoria-offer", "brenn-demands-25-years")) in built(corpus)
    line = edit(path, "specifies: [001_aldoria-offer/brenn-demands-25-years]", "specifies: [001_aldoria-offer/no-such-statement]")
    assert main(["--corpus", str(corpus), "build"]) == 1
    assert (f"002_brenn-lowers.yaml:{line}: unknown statement '001_aldoria-offer/no-such-statement' in 'specifies' "
            "(fix: use the id of a statement of this article, or ARTICLE/id for one of another article)") in capsys.readouterr().err


def test_noise_phrases_may_end_in_punctuation(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_syndicated_copy(corpus, note_as="noise")
    assert main(["--corpus", str(corpus), "build"]) == 0
    assert f"coverage of {COPY}: 2 of 2 statement-bearing segments covered\n" in capsys.readouterr().out
    assert (article_iri(COPY), KG.noiseCount, Literal(1)) in built(corpus)


def test_two_actors_with_one_name_is_an_error(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = edit(corpus / "articles" / "001_aldoria-offer.yaml", "    names: [the article's author]\n",
                "    names: [the article's author, BRENN]\n")
    assert main(["--corpus", str(corpus), "build"]) == 1
    assert (f"001_aldoria-offer.yaml:{line}: the name 'BRENN' of actor 'author' is already a name of actor 'brenn'"
            in capsys.readouterr().err)


def test_the_same_text_under_a_new_id_is_an_error_naming_both(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    articles = corpus / "articles"
    shutil.copy(articles / "002_brenn-lowers.txt", articles / "004_again.txt")
    (articles / "004_again.yaml").write_text((articles / "002_brenn-lowers.yaml").read_text(encoding="utf-8")
                                             .replace("002_brenn-lowers", "004_again"), encoding="utf-8")
    assert main(["--corpus", str(corpus), "build"]) == 1
    assert "the text of 004_again is identical to that of 002_brenn-lowers (same sha256" in capsys.readouterr().err


def test_a_holder_never_mentioned_in_its_article_is_a_warning(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(corpus / "entities.yaml", "places:", "  - id: ostmark\n    kind: State\n    names: [Ostmark]\nplaces:")  # INVENTED
    line = edit(corpus / "articles" / "002_brenn-lowers.yaml", "  - id: accord-ratified\n", "  - id: accord-ratified\n")
    edit(corpus / "articles" / "002_brenn-lowers.yaml", "    holder: aldoria\n    topic: [border]\n",
         "    holder: ostmark\n    topic: [border]\n")
    assert main(["--corpus", str(corpus), "build"]) == 0  # a warning, not an error
    assert (f"warning: {corpus / 'articles' / '002_brenn-lowers.yaml'}: line {line}: statement 'accord-ratified': "
            "holder 'ostmark' is never mentioned in the article (names: Ostmark)") in capsys.readouterr().out
    assert main(["--corpus", str(corpus), "validate"]) == 0
    assert "holder 'ostmark' is never mentioned" in capsys.readouterr().out


def test_resolve_actor_takes_variants_and_suggests_on_a_miss(corpus: Path) -> None:
    assert main(["--corpus", str(corpus), "build"]) == 0
    g = load(corpus / "build" / "kg.trig")
    assert g.resolve_actor("republic of ALDORIA") == str(ID["actor/aldoria"])
    with pytest.raises(Exception, match="no actor named 'Aldorra'; did you mean 'Aldoria'"):
        g.resolve_actor("Aldorra")
