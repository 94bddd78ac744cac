"""Ingest a raw article into a corpus: store it byte-for-byte, write its metadata and drafts.

A corpus is a folder ``ROOT`` with ``kg.toml``, ``entities.yaml`` and ``articles/``.
:func:`ingest` writes three files into ``ROOT/articles``:

``ID.txt``
    the raw article, byte-for-byte (it must be UTF-8 text);
``ID.yaml``
    the metadata header (id, file, sha256, reported, published, url, outlet, title, author,
    rights, language, syndicated_from) and ``statements: []``;
``ID.draft.yaml``
    the statements proposed by :mod:`kg.draft` (``draft: true, reviewed: false``), which
    the loader ignores until ``kg review ID --accept`` moves the reviewed ones into ``ID.yaml``.

**ID scheme.** ``ID = NNN_HHHHHHHHHHHHHHHH``: ``NNN`` is the next three-digit sequence
number in the corpus (one more than the highest ``NNN_`` prefix of ``articles/*.txt``,
starting at ``000``) and ``HHHHHHHHHHHHHHHH`` the first 16 hex digits of the SHA-256 of the
raw bytes, as in ``000_0e22b9a82a6b1fdf``. The full SHA-256 is kept in the metadata.

**Copies.** A file whose SHA-256 equals that of a stored article is refused (KgError naming
the existing id). A *syndicated* copy (the same words once case, punctuation and whitespace
are normalised, or word 5-shingles with Jaccard similarity >= :data:`SYNDICATION_THRESHOLD`)
is stored, with ``syndicated_from: ID`` of the earliest such article in its metadata.

All three files are written to temporary files first and renamed into place only when
all of them are complete; on any error nothing is left behind.

>>> import tempfile
>>> root = Path(tempfile.mkdtemp())
>>> _ = (root / "kg.toml").write_text('name = "demo"\\n')
>>> _ = (root / "entities.yaml").write_text("actors:\\n  - {id: aldoria, kind: State, names: [Aldoria]}\\n")
>>> src = root / "in.txt"
>>> _ = src.write_text("Aldoria demands a new dam treaty.\\n")
>>> result = ingest(root, src, published="2026-03-14")
>>> result.id, (root / "articles" / f"{result.id}.txt").read_bytes() == src.read_bytes()
('000_d9814bd7396bdc69', True)
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kg.annotations import _check_date
from kg.corpus import find_corpus
from kg.errors import InputError, KgError
from kg.serialize import write_outputs

SYNDICATION_THRESHOLD = 0.8
SHINGLE = 5
_SEQ = re.compile(r"^(\d{3})_[0-9a-f]{16}$")
_ENGLISH = frozenset(
    ["the", "a", "an", "of", "to", "and", "in", "on", "for", "with", "that", "is", "was", "said", "has", "have", "will", "would"]
)

YAML_HEADER = """\
# Article {id}: metadata written by `kg ingest` (the raw text is {file} beside this file,
# kept byte-for-byte). Curated statements go under `statements:`; drafts proposed by the
# drafting assistant are in {id}.draft.yaml and enter here only through `kg review {id} --accept`.
"""
DRAFT_HEADER = """\
# DRAFT statements for article {id}, proposed by kg's rule-based drafting assistant.
# They never enter the graph as they are: check each one (kind, holder, addressee, topic,
# firmness, evidence), fix it, set `reviewed: true`, then run `kg review {id} --accept`.
# Stubs without a kind mark sentences where no statement was recognised: annotate or delete them.
"""


@dataclass
class IngestResult:
    """What :func:`ingest` stored.

    >>> IngestResult("001_ab", Path("a.txt"), Path("a.yaml"), Path("a.draft.yaml"), "ab", None, 3).drafts
    3
    """

    id: str
    text_path: Path
    meta_path: Path
    draft_path: Path
    sha256: str
    syndicated_from: str | None
    drafts: int
    warnings: list[str] = field(default_factory=list)


def _plain(text: str) -> str:
    """Words only, case-folded: the text a syndicated copy shares with its original."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = _plain(text).split()
    return {tuple(words[i:i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the word 5-shingles of two texts (1.0 for the same words).

    >>> similarity("The talks resumed on Monday, officials said.", "the talks resumed on monday officials said")
    1.0
    """
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 1.0


def _stored(articles: Path) -> list[tuple[str, bytes]]:
    return [(p.stem, p.read_bytes()) for p in sorted(articles.glob("*.txt"))]


def next_id(articles: Path, digest: str) -> str:
    """The id for raw bytes with this SHA-256: next sequence number, then 16 hex digits.

    >>> next_id(Path("/nonexistent"), "0e22b9a82a6b1fdf" + "0" * 48)
    '000_0e22b9a82a6b1fdf'
    """
    seqs = [int(m.group(1)) for p in articles.glob("*.txt") if (m := _SEQ.match(p.stem))]
    return f"{max(seqs, default=-1) + 1:03d}_{digest[:16]}"


def guess_language(text: str) -> str:
    """``en`` when common English function words make up a fair share of the words, else ``und``.

    >>> guess_language("The offer was made to the council."), guess_language("Der Vertrag ist fertig.")
    ('en', 'und')
    """
    words = _plain(text).split()
    return "en" if words and sum(w in _ENGLISH for w in words) / len(words) >= 0.1 else "und"


def _check_args(file: Path, url: str | None, published: str | None) -> list[InputError]:
    problems = []
    if url is not None and not re.match(r"^https?://\S+$", url):
        problems.append(InputError(file, None, f"not an http(s) URL: {url!r}", "give --url as https://..."))
    if published is not None:
        _check_date(published, file, None, problems)
    return problems


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=None)


def ingest(root: Path | str, file: Path | str, url: str | None = None, outlet: str | None = None,
           title: str | None = None, author: str | None = None, published: str | None = None,
           rights: str | None = None) -> IngestResult:
    """Store ``file`` in the corpus at ``root`` with its metadata and draft statements.

    ``published`` (YYYY-MM-DD) is also the ``reported`` date; without it, today's date is used.
    Raises KgError (``file: what (fix: how)``) for unreadable or non-UTF-8 input, an empty
    file, a bad URL or date, or an identical copy of a stored article.
    """
    from kg.draft import draft_article  # drafting needs the corpus entities; imported late

    root, file = Path(root), Path(file)
    if not root.is_dir():
        raise KgError([InputError(root, None, "no such corpus folder", "give the corpus root (the folder with kg.toml)")])
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise KgError([InputError(file, None, f"cannot read the article: {exc.strerror}",
                                  "give the path of a plain-text article")]) from exc
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KgError([InputError(file, None, f"not UTF-8 text (byte {exc.start})",
                                  "convert it to UTF-8 first, e.g. iconv -t UTF-8")]) from exc
    problems = _check_args(file, url, published)
    if not raw.strip():
        problems.append(InputError(file, None, "the article is empty", "give a file with the article text"))
    if "\x00" in raw:
        problems.append(InputError(file, None, "the file contains NUL characters, not plain text",
                                   "give the article as plain UTF-8 text"))
    if problems:
        raise KgError(problems)

    articles = root / "articles"
    articles.mkdir(exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()
    syndicated_from = None
    for other_id, other in _stored(articles):
        if hashlib.sha256(other).hexdigest() == digest:
            raise KgError([InputError(file, None, f"identical to the stored article {other_id} (same SHA-256)",
                                      f"nothing to do; the article is articles/{other_id}.txt")])
        if syndicated_from is None:
            other_text = other.decode("utf-8", errors="replace")
            if _plain(other_text) == _plain(raw) or similarity(other_text, raw) >= SYNDICATION_THRESHOLD:
                syndicated_from = other_id

    article_id = next_id(articles, digest)
    meta: dict[str, Any] = {
        "id": article_id, "file": f"{article_id}.txt", "sha256": digest,
        "reported": published or dt.date.today().isoformat(), "published": published,
        "language": guess_language(raw), "url": url, "outlet": outlet, "title": title,
        "author": author, "rights": rights, "noise": [],
    }
    meta = {key: value for key, value in meta.items() if value is not None}
    if syndicated_from:
        meta["syndicated_from"] = syndicated_from
    drafts, warnings = draft_article(root, raw, article_id)
    texts = {
        f"{article_id}.txt": data,
        f"{article_id}.yaml": (YAML_HEADER.format(id=article_id, file=meta["file"])
                               + _dump({"article": meta}) + "\nactors: []\n\nstatements: []\n").encode(),
        f"{article_id}.draft.yaml": (DRAFT_HEADER.format(id=article_id)
                                     + _dump({"article": {"id": article_id}, "statements": drafts})).encode(),
    }
    write_outputs({articles / name: data for name, data in texts.items()})
    return IngestResult(article_id, articles / f"{article_id}.txt", articles / f"{article_id}.yaml",
                        articles / f"{article_id}.draft.yaml", digest, syndicated_from,
                        sum(1 for d in drafts if "kind" in d), warnings)


def _cmd_ingest(args: argparse.Namespace) -> int:
    try:
        result = ingest(find_corpus(args.corpus).root, args.file, url=args.url, outlet=args.outlet, title=args.title,
                        author=args.author, published=args.published, rights=args.rights)
    except KgError as exc:
        print(exc)
        return 1
    print(f"stored {result.text_path} (sha256 {result.sha256})")
    if result.syndicated_from:
        print(f"syndicated copy of {result.syndicated_from}: recorded as syndicated_from")
    print(f"metadata: {result.meta_path}")
    print(f"drafts: {result.drafts} candidate statements in {result.draft_path} (review: kg review {result.id})")
    for warning in result.warnings:
        print(f"warning: {warning}")
    return 0


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``kg ingest FILE [--url --outlet --title --author --published --rights]``.

    >>> parser = argparse.ArgumentParser(); sub = parser.add_subparsers()
    >>> _ = register(sub); parser.parse_args(["ingest", "a.txt", "--published", "2031-01-02"]).published
    '2031-01-02'
    """
    parser = subparsers.add_parser("ingest", help="store a raw article, write its metadata and draft statements",
                                   description="Store FILE byte-for-byte in the corpus as articles/ID.txt, with "
                                   "articles/ID.yaml (metadata, no statements) and articles/ID.draft.yaml (drafts).")
    parser.add_argument("file", type=Path, help="the raw article, UTF-8 text")
    parser.add_argument("--url", help="where it was published (http/https)")
    parser.add_argument("--outlet", help="the publisher")
    parser.add_argument("--title", help="the headline")
    parser.add_argument("--author", help="the byline")
    parser.add_argument("--published", help="publication date, YYYY-MM-DD (default: today)")
    parser.add_argument("--rights", help="licence or rights statement")
    parser.set_defaults(func=_cmd_ingest, handler=_cmd_ingest)
    return parser
