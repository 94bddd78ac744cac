"""Verified outputs: characters that break a format are escaped, every file parses back, labels come back identical.

rdflib's writers put U+000B, U+000C, U+001C-U+001E, U+0085, U+2028 and U+2029 raw into literals,
and splitting its output into lines broke the files at them (a form feed in a multi-line label
became a line feed). The build below has every one of them in a label and in the article text.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDFS

from conftest import SEED, edit, seed_iri
from kg.cli import main
from kg.corpus import CorpusFolder
from kg.errors import KgError
from kg.serialize import FORMATS, UNSAFE, verify

CHARS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
LABEL = "Russia" + CHARS + " insists on the surrender of the entire Donbas"
MULTILINE = "US security guarantees\n\x0cfor Ukraine\nsecond line"
HEADINGS = ("Why Security Guarantees Matter", "The Negotiating Table in Abu Dhabi")  # 3 + 5 spaces = 8 characters


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory, seed_corpus: CorpusFolder) -> Path:
    """A copy of the corpus under test with the odd characters in two labels and in two headings of the seed text."""
    root = tmp_path_factory.mktemp("odd") / "corpus"
    shutil.copytree(seed_corpus.root, root)
    text_path = root / "articles" / f"{SEED}.txt"
    raw = text_path.read_text(encoding="utf-8")
    chars = iter(CHARS)
    for heading in HEADINGS:  # same length: the evidence offsets stay valid
        raw = raw.replace(heading, "".join(next(chars) if c == " " else c for c in heading), 1)
    text_path.write_bytes(raw.encode("utf-8"))
    yaml_path = root / "articles" / f"{SEED}.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    old = text.split("sha256: ")[1].split("\n")[0]
    edit(yaml_path, f"sha256: {old}", f"sha256: {hashlib.sha256(text_path.read_bytes()).hexdigest()}")
    edit(yaml_path, "label: Russia insists on the surrender of the entire Donbas\n", f"label: {json.dumps(LABEL)}\n")
    edit(yaml_path, "label: US security guarantees for Ukraine\n", f"label: {json.dumps(MULTILINE)}\n")
    assert main(["--corpus", str(root), "build"]) == 0
    return root / "build"


def labels_of(ds: Dataset) -> set[str]:
    return {str(o) for o in ds.objects(None, RDFS.label)}


@pytest.mark.parametrize("name, fmt", [("kg.trig", "trig"), ("kg.nq", "nquads"), ("kg.jsonld", "json-ld"), ("kg.ttl", "turtle")])
def test_rdflib_reads_the_labels_back_identical(odd: Path, name: str, fmt: str) -> None:
    ds = Dataset(default_union=True)
    ds.parse(odd / name, format=fmt)
    assert {LABEL, MULTILINE} <= labels_of(ds)
    assert (URIRef(seed_iri("russia-demands-donbas")), RDFS.label, Literal(LABEL, lang="en")) in ds


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_pyoxigraph_reads_the_labels_and_the_article_text_back(odd: Path, name: str) -> None:
    literals = {q.object.value for q in pyoxigraph.parse((odd / name).read_bytes(), format=FORMATS[name])
                if isinstance(q.object, pyoxigraph.Literal)}
    assert {LABEL, MULTILINE} <= literals
    # the headings sit in the context (oa:prefix/oa:suffix) of the evidence next to them
    assert any("Negotiating\x1eTable" in value for value in literals)
    assert any("Why\x0bSecurity" in value for value in literals)


def test_no_unsafe_character_is_written_raw(odd: Path) -> None:
    for name in ("kg.trig", "kg.nq", "kg.ttl"):
        text = (odd / name).read_text(encoding="utf-8")
        assert not UNSAFE.search(text), name
        assert "\\u2028" in text and "\\u000C" in text
    assert (odd / "kg.nq").read_text(encoding="utf-8").count("\n") == len((odd / "kg.nq").read_bytes().split(b"\n")) - 1


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("rapper") is None, reason="Raptor's rapper is not installed (apt-get install raptor2-utils)")
@pytest.mark.parametrize("name, syntax", [("kg.trig", "trig"), ("kg.nq", "nquads"), ("kg.ttl", "turtle")])
def test_raptor_parses_every_file(odd: Path, name: str, syntax: str) -> None:
    result = subprocess.run(["rapper", "-i", syntax, "-o", "ntriples", str(odd / name)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Error" not in result.stderr
    expected = sum(1 for _ in pyoxigraph.parse((odd / name).read_bytes(), format=FORMATS[name]))
    assert f"returned {expected} triples" in result.stderr
    literals = {q.object.value for q in pyoxigraph.parse(result.stdout.encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
                if isinstance(q.object, pyoxigraph.Literal)}
    assert {LABEL, MULTILINE} <= literals


def test_a_file_that_does_not_parse_back_is_refused() -> None:
    with pytest.raises(KgError) as info:
        verify({"kg.nq": b'<http://x/a> <http://x/p> "broken\n" <http://x/g> .\n'}, quads=1, triples=1)
    assert "kg.nq: the written file does not parse back" in str(info.value)
    with pytest.raises(KgError, match="parsed back 1 quads, not 2"):
        verify({"kg.nq": b'<http://x/a> <http://x/p> "a" <http://x/g> .\n'}, quads=2, triples=2)
