"""Curated annotations: the shared entities and each article's statements, read from YAML.

The sources live in a corpus folder (see :mod:`kg.corpus`)::

    entities.yaml          actors, places, issues, roles shared by all articles
    articles/ID.txt        an article, byte-for-byte as published
    articles/ID.yaml       its metadata and curated statements (ID.draft.yaml: drafts, not read here)

Loading checks everything that can be checked without building RDF: YAML syntax, known keys,
references to actors/issues/places/statements, dates, duplicate ids, and that every evidence
quote equals the raw text at its offsets. All problems are reported at once, each with file
and line. Which keys a statement may have, and what their values refer to, comes from the
ontology (:mod:`kg.vocabulary`).

>>> corpus = load_corpus()
>>> [a.id for a in corpus.articles]
['000_0e22b9a82a6b1fdf']
>>> corpus.articles[0].statement("russia-demands-donbas")["holder"]
'russia'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kg.aliases import AliasIndex, unmentioned_holders
from kg.corpus import CorpusFolder, bundled_corpus
from kg.errors import InputError, KgError
from kg.text import NormalizedText, normalize
from kg.vocabulary import UNITS, VOCABULARY

# key -> what its values refer to ("actor", "issue", "place", "statement", "any") or a value type
STATEMENT_KEYS: dict[str, str] = {"id": "id", "kind": "kind", "evidence": "evidence",
                                  **{key: row.refers for key, row in VOCABULARY.curated_keys.items()}}
REQUIRED = {
    "position": ("id", "kind", "label", "content", "firmness", "status", "reported_by", "evidence"),
    "event": ("id", "kind", "label", "content", "participants", "reported_by", "evidence"),
    "conflict": ("id", "kind", "label", "content", "between", "status", "reported_by", "evidence"),
}
ENTITY_KEYS = {
    "actors": ("id", "kind", "names", "wikidata", "represents", "head"),
    "places": ("id", "names", "wikidata", "part_of", "country"),
    "issues": ("id", "names", "wikidata", "part_of", "broader"),
}
ROLE_KEYS = ("person", "role", "of", "as_of", "source")
RELATION_KEYS = ("to", "evidence", "firmness", "status", "modality", "cue", "reported_by", "date")
"""Keys of a relation between statements written as a mapping, ``depends_on: [{to: ID, evidence: [...], modality:
Possible, cue: may}]``: the relation's own evidence and hedge. What it leaves out, and everything of a relation written
as a plain id (``depends_on: [ID]``), comes from the statement that states it."""
ARTICLE_KEYS = ("id", "file", "sha256", "reported", "published", "language", "url", "outlet", "title", "author", "rights",
                "syndicated_from", "cites", "noise", "boilerplate")
"""Keys of an article header (``article:`` in ID.yaml); ``kg ingest`` writes most of them."""
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ARTICLE_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
WIKIDATA_PATTERN = re.compile(r"^Q[1-9][0-9]*$")
BOM = "\ufeff"


class LineDict(dict):
    """A YAML mapping that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser when installed: 10x faster
    """Safe YAML loader that keeps line numbers and leaves dates as text (checked later)."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file, turning every reading or syntax error into a KgError with file and line.

    >>> import tempfile; bad = Path(tempfile.mkdtemp()) / "a.yaml"
    >>> _ = bad.write_bytes(b"a: 1\\nb: 'open\\nc: 2\\n")
    >>> read_yaml(bad)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    kg.errors.KgError: ...a.yaml:2: malformed YAML: a quoted text that starts here is never closed (fix: close the quote ...)
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KgError([InputError(path, None, f"cannot read file: {exc.strerror}")]) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise KgError([InputError(path, data[:exc.start].count(b"\n") + 1,
                                  f"not UTF-8: byte 0x{data[exc.start]:02x} at column {column}",
                                  "save the file as UTF-8 (iconv -f LATIN1 -t UTF-8, or your editor's encoding menu)")]) from exc
    if text.startswith("\ufeff"):
        text = text[1:]  # a byte order mark in YAML is harmless (in an article it is not)
    bad = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    if bad:
        raise KgError([InputError(path, text.count("\n", 0, bad.start()) + 1,
                                  f"control character U+{ord(bad.group()):04X} in the file",
                                  "delete it; write it as an escape such as \\u000C inside a double-quoted text if you mean it")])
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        context, context_mark = getattr(exc, "context", None) or "", getattr(exc, "context_mark", None)
        if "quoted scalar" in context and context_mark is not None:  # reported at the end of the file otherwise
            raise KgError([InputError(path, context_mark.line + 1, "malformed YAML: a quoted text that starts here is never closed",
                                      "close the quote on the same line (or escape a quote inside it)")]) from exc
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        opened = _unclosed_quote(text, line or len(text.splitlines()))
        if opened:
            raise KgError([InputError(path, opened, f"malformed YAML: a quoted text that starts here is not closed on its line "
                                      f"(the parser stopped at line {line}: {problem})",
                                      "close the quote on the same line (or escape a quote inside it)")]) from exc
        raise KgError([InputError(path, line, f"malformed YAML: {problem}",
                                  "check indentation, colons and quotes on that line")]) from exc


_QUOTED_VALUE = re.compile(r"""^\s*(?:-\s+)?(?:[\w-]+:\s+)?(["'])(.*)$""")


def _unclosed_quote(text: str, before: int) -> int | None:
    """The first line before ``before`` whose value opens a quote that its line does not close (a likely cause of a YAML error)."""
    for number, line in enumerate(text.splitlines()[:before], start=1):
        match = _QUOTED_VALUE.match(line)
        if match:
            rest = match.group(2).replace("\\\\", "").replace('\\"', "") if match.group(1) == '"' else match.group(2).replace("''", "")
            if match.group(1) not in rest:
                return number
    return None


@dataclass
class Article:
    """One article: its raw text, metadata, local actors and curated statements."""

    id: str
    text_path: Path
    source: Path
    meta: LineDict
    actors: list[LineDict]
    statements: list[LineDict]
    text: NormalizedText

    def statement(self, statement_id: str) -> LineDict:
        """The statement with this id (KeyError if there is none)."""
        for item in self.statements:
            if item.get("id") == statement_id:
                return item
        raise KeyError(statement_id)


@dataclass
class Corpus:
    """Everything a build reads: the corpus folder, entities shared by all articles, and the articles."""

    folder: CorpusFolder
    actors: list[LineDict]
    places: list[LineDict]
    issues: list[LineDict]
    roles: list[LineDict]
    articles: list[Article] = field(default_factory=list)
    _aliases: dict[str, AliasIndex] = field(default_factory=dict, repr=False)
    _statements: set[str] = field(default_factory=set, repr=False)

    def qualified_statements(self) -> set[str]:
        """``ARTICLE/id`` of every statement of every article: how one article refers to a statement of another."""
        if not self._statements:
            self._statements = {f"{a.id}/{i}" for a in self.articles for i in _ids(a.statements)}
        return self._statements

    @property
    def entities_path(self) -> Path:
        """The shared entities file."""
        return self.folder.entities

    def aliases(self, article: Article | None = None) -> AliasIndex:
        """Every name of the shared actors (and of the article's own actors): case/diacritic-insensitive, with variants.

        Name clashes are kept in the index's ``problems`` (``load_corpus`` reports them as errors).
        """
        key = article.id if article else ""
        if key not in self._aliases:
            index = AliasIndex()
            for actors, path in ((self.actors, self.entities_path), *(((article.actors, article.source),) if article else ())):
                for actor in actors:
                    for name in _as_list(actor.get("names")):
                        if isinstance(name, str) and isinstance(actor.get("id"), str):
                            before = len(index.problems)
                            index.add(actor["id"], name, str(path), strict=False)
                            if len(index.problems) > before:  # point the clash at the line of the names
                                clash = index.problems[-1]
                                index.problems[-1] = InputError(path, _line(actor, "names"), clash.message, clash.fix)
            self._aliases[key] = index
        return self._aliases[key]

    def warnings(self) -> list[str]:
        """``file: line N: statement 'x': holder 'y' is never mentioned in the article (names: ...)``, for every such statement.

        Holders of kind Author (the article's own voice) are not checked.
        """
        voices = {a["id"] for a in self.actors if a.get("kind") == "Author"}  # the article's own voice is never named in it
        return [f"{article.source}: {warning}" for article in self.articles
                for warning in unmentioned_holders(self.aliases(article), article.statements, article.text.text,
                                                   voices | {a["id"] for a in article.actors if a.get("kind") == "Author"})]


def load_corpus(folder: CorpusFolder | None = None) -> Corpus:
    """Read and check all curated sources of a corpus (the bundled seed by default); raise KgError listing every problem."""
    folder = folder or bundled_corpus()
    entities_path = folder.entities
    problems: list[InputError] = []
    entities = read_yaml(entities_path) or {}
    if not isinstance(entities, dict):
        raise KgError([InputError(entities_path, 1, "expected a mapping with actors, places, issues, roles")])
    corpus = Corpus(folder, *(_entries(entities, key, entities_path, problems)
                              for key in ("actors", "places", "issues", "roles")))
    for path in sorted(p for p in folder.articles.glob("*.yaml") if not p.name.endswith(".draft.yaml")):
        article = _load_article(path, problems)
        if article is not None:
            corpus.articles.append(article)
    _check_entities(corpus, problems)
    problems += corpus.aliases().problems
    for article in corpus.articles:  # an article's own actors must not take a name of another actor
        problems += [p for p in corpus.aliases(article).problems if p not in corpus.aliases().problems]
    _check_copies(corpus.articles, problems)
    for article in corpus.articles:
        _check_article(corpus, article, problems)
    if problems:
        raise KgError(problems)
    return corpus


def _entries(data: dict, key: str, path: Path, problems: list[InputError]) -> list[LineDict]:
    items = data.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, LineDict) for i in items):
        problems.append(InputError(path, getattr(data, "key_lines", {}).get(key), f"'{key}' must be a list of mappings"))
        return []
    return items


def _load_article(path: Path, problems: list[InputError]) -> Article | None:
    data = read_yaml(path)
    if not isinstance(data, LineDict) or not isinstance(data.get("article"), LineDict):
        problems.append(InputError(path, 1, "expected a mapping with 'article' and 'statements'"))
        return None
    meta = data["article"]
    text_path = path.with_name(str(meta.get("file", path.with_suffix(".txt").name)))
    if meta.get("id") != path.stem:
        problems.append(InputError(path, meta.key_lines.get("id", meta.line),
                                   f"article id {meta.get('id')!r} does not match the file name",
                                   f"set 'id: {path.stem}'"))
    try:
        raw_bytes = text_path.read_bytes()
        raw = raw_bytes.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(InputError(path, meta.key_lines.get("file", meta.line),
                                   f"cannot read the article text {text_path.name}: {exc}",
                                   "keep the raw article as UTF-8 beside this file"))
        return None
    if not raw.strip():
        problems.append(InputError(path, meta.key_lines.get("file", meta.line), f"the article text {text_path.name} is empty",
                                   "put the article's text in it, or delete this article"))
        return None
    digest = hashlib.sha256(raw_bytes).hexdigest()
    if meta.get("sha256") != digest:
        problems.append(InputError(path, meta.key_lines.get("sha256", meta.line),
                                   f"sha256 of {text_path.name} is {digest}, not {meta.get('sha256')}",
                                   "never edit the raw article; if it is a new one, set the sha256 it has"))
    noise = meta.get("noise") or []
    statements = _entries(data, "statements", path, problems)
    actors = _entries(data, "actors", path, problems)
    return Article(str(meta.get("id")), text_path, path, meta, actors, statements,
                   normalize(raw, tuple(str(n) for n in noise)))


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def _line(item: LineDict, key: str) -> int:
    return item.key_lines.get(key, item.line)


def _ids(items: list[LineDict]) -> set[str]:
    """The ids of the entries that have a proper (text) id; entries without one are reported by :func:`_check_ids`."""
    return {i["id"] for i in items if isinstance(i.get("id"), str)}


def _check_ids(items: list[LineDict], path: Path, seen: dict[str, tuple[Path, int]],
               problems: list[InputError], what: str) -> None:
    for item in items:
        item_id = item.get("id")
        if not isinstance(item_id, str) or not ID_PATTERN.match(item_id):
            problems.append(InputError(path, _line(item, "id"), f"{what} id {item_id!r} is missing or not lower-case-with-hyphens",
                                       "give it an id such as 'russia-demands-donbas'"))
        elif item_id in seen:
            first_path, first_line = seen[item_id]
            problems.append(InputError(path, _line(item, "id"), f"duplicate id '{item_id}' (first at {first_path}:{first_line})",
                                       "give each entry its own id"))
        else:
            seen[item_id] = (path, _line(item, "id"))


def _check_date(value: Any, path: Path, line: int, problems: list[InputError]) -> None:
    """A date is text ``YYYY-MM-DD``, a real day, and not after tomorrow (today + 1 day, for time zones).

    >>> problems = []; _check_date("20260127", Path("a.yaml"), 3, problems); _check_date("9999-12-31", Path("a.yaml"), 4, problems)
    >>> [str(p).split(" (fix")[0] for p in problems]
    ["a.yaml:3: invalid date '20260127'", 'a.yaml:4: the date 9999-12-31 is in the future']
    """
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
            raise ValueError(value)
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(InputError(path, line, f"invalid date {value!r}", "write a real date as YYYY-MM-DD"))
        return
    if day > dt.date.today() + dt.timedelta(days=1):
        problems.append(InputError(path, line, f"the date {value} is in the future",
                                   "write the date the article was published or the statement was made"))


def _check_entities(corpus: Corpus, problems: list[InputError]) -> None:
    path = corpus.entities_path
    seen: dict[str, tuple[Path, int]] = {}
    for key in ("actors", "places", "issues"):
        items = getattr(corpus, key)
        _check_ids(items, path, seen, problems, key[:-1])
        for item in items:
            for name in item:
                if name not in ENTITY_KEYS[key]:
                    problems.append(InputError(path, _line(item, name), f"unknown key '{name}' in {key}",
                                               f"use one of {', '.join(ENTITY_KEYS[key])}"))
            if key == "actors" and item.get("kind") not in VOCABULARY.actor_kinds:
                problems.append(InputError(path, _line(item, "kind"), f"unknown actor kind {item.get('kind')!r}",
                                           f"use one of {', '.join(VOCABULARY.actor_kinds)}"))
            if not _as_list(item.get("names")) or not all(isinstance(n, str) for n in _as_list(item.get("names"))):
                problems.append(InputError(path, _line(item, "names"), f"'{item.get('id')}' needs a list of names",
                                           "names: [Preferred Name, other surface names...]"))
            if "wikidata" in item and not WIKIDATA_PATTERN.match(str(item["wikidata"])):
                problems.append(InputError(path, _line(item, "wikidata"), f"not a Wikidata id: {item['wikidata']!r}",
                                           "write it as Q followed by digits, e.g. Q212"))
    actors = _ids(corpus.actors)
    refs = {"represents": actors, "head": actors, "country": actors,
            "part_of": None, "broader": None}
    for key in ("actors", "places", "issues"):
        own = _ids(getattr(corpus, key))
        for item in getattr(corpus, key):
            for ref_key, targets in refs.items():
                allowed = targets if targets is not None else own
                if ref_key in item and (not isinstance(item[ref_key], str) or item[ref_key] not in allowed):
                    problems.append(InputError(path, _line(item, ref_key), f"unknown {ref_key} '{item[ref_key]}'",
                                               "refer to an id defined in this file"))
    article_ids = {a.id for a in corpus.articles}
    for role in corpus.roles:
        for name in role:
            if name not in ROLE_KEYS:
                problems.append(InputError(path, _line(role, name), f"unknown key '{name}' in roles", f"use {', '.join(ROLE_KEYS)}"))
        for ref_key in ("person", "of"):
            if not isinstance(role.get(ref_key), str) or role.get(ref_key) not in actors:
                problems.append(InputError(path, _line(role, ref_key), f"unknown actor '{role.get(ref_key)}'",
                                           "add it to actors first"))
        _check_date(role.get("as_of"), path, _line(role, "as_of"), problems)
        if role.get("source") not in article_ids:
            problems.append(InputError(path, _line(role, "source"), f"unknown article '{role.get('source')}'",
                                       "name the article that states the role"))


def _check_copies(articles: list[Article], problems: list[InputError]) -> None:
    """The same raw text under two ids is one article stored twice."""
    first: dict[str, Article] = {}
    for article in articles:
        digest = hashlib.sha256(article.text.raw.encode("utf-8")).hexdigest()
        if digest in first:
            other = first[digest]
            problems.append(InputError(article.source, _line(article.meta, "sha256"),
                                       f"the text of {article.id} is identical to that of {other.id} (same sha256 {digest[:16]}...)",
                                       f"keep one of them: delete articles/{article.id}.txt and .yaml, or {other.source}"))
        else:
            first[digest] = article


def _check_header(corpus: Corpus, article: Article, problems: list[InputError]) -> None:
    """The article header: known keys, a real URL, dates, the article it was syndicated from, boilerplate."""
    path, meta = article.source, article.meta
    for key in meta:
        if key not in ARTICLE_KEYS:
            problems.append(InputError(path, _line(meta, key), f"unknown key '{key}' in the article header",
                                       f"use one of {', '.join(ARTICLE_KEYS)}"))
    if meta.get("url") is not None and not re.fullmatch(r"https?://\S+", str(meta["url"])):
        problems.append(InputError(path, _line(meta, "url"), f"not an http(s) URL: {meta['url']!r}", "write url: https://..."))
    if meta.get("published") is not None:
        _check_date(meta["published"], path, _line(meta, "published"), problems)
    for key in ("title", "rights", "outlet", "language"):
        if meta.get(key) is not None and not isinstance(meta[key], str):
            problems.append(InputError(path, _line(meta, key), f"'{key}' must be text"))
    if not all(isinstance(a, str) for a in _as_list(meta.get("author"))):
        problems.append(InputError(path, _line(meta, "author"), "'author' must be a name or a list of names"))
    source = meta.get("syndicated_from")
    if source is not None and source not in {a.id for a in corpus.articles if a is not article}:
        problems.append(InputError(path, _line(meta, "syndicated_from"), f"unknown article {source!r} in 'syndicated_from'",
                                   "name the id of the article this one is a copy of"))
    for entry in _as_list(meta.get("boilerplate")):
        line = entry.line if isinstance(entry, LineDict) else _line(meta, "boilerplate")
        if not isinstance(entry, LineDict) or not isinstance(entry.get("quote"), str) or not entry["quote"].strip() \
                or not isinstance(entry.get("reason"), str) or not entry["reason"].strip() or set(entry) - {"quote", "reason"}:
            problems.append(InputError(path, line, "boilerplate entries are {quote: exact words, reason: why they state nothing}",
                                       "write - {quote: \"Editor's note: ...\", reason: editor's note}"))
        elif entry["quote"] not in article.text.raw:
            problems.append(InputError(path, line, f"boilerplate quote not in the text of {article.text_path.name}: "
                                       f"{entry['quote'][:60]!r}", "copy the words exactly from the raw article"))


def _check_article(corpus: Corpus, article: Article, problems: list[InputError]) -> None:
    path, meta = article.source, article.meta
    if not ARTICLE_ID_PATTERN.match(article.id):
        problems.append(InputError(path, _line(meta, "id"), f"bad article id {article.id!r}", "use letters, digits, _ and -"))
    _check_date(meta.get("reported"), path, _line(meta, "reported"), problems)
    _check_header(corpus, article, problems)
    if article.text.raw.startswith(BOM):
        problems.append(InputError(path, _line(meta, "file"), f"{article.text_path.name} starts with a UTF-8 byte order mark "
                                   "(BOM, U+FEFF): every offset counts it as one character",
                                   "if the published article had no BOM, remove it (sed -i '1s/^\\xEF\\xBB\\xBF//' FILE) and "
                                   "set the new sha256; if it had one, add 1 to every start and end"))
    seen = {i["id"]: (corpus.entities_path, _line(i, "id")) for i in corpus.actors + corpus.places + corpus.issues
            if isinstance(i.get("id"), str)}
    _check_ids(article.actors, path, dict(seen), problems, "actor")
    for actor in article.actors:
        if actor.get("kind") not in VOCABULARY.actor_kinds:
            problems.append(InputError(path, _line(actor, "kind"), f"unknown actor kind {actor.get('kind')!r}",
                                       f"use one of {', '.join(VOCABULARY.actor_kinds)}"))
    _check_ids(article.statements, path, dict(seen), problems, "statement")
    known = {
        "actor": _ids(corpus.actors + article.actors),
        "issue": _ids(corpus.issues),
        "place": _ids(corpus.places),
        "statement": _ids(article.statements),
    }
    known["any"] = set().union(*known.values())
    for actor_id in _as_list(meta.get("cites")):
        if actor_id not in known["actor"]:
            problems.append(InputError(path, _line(meta, "cites"), f"unknown actor '{actor_id}'",
                                       "add it to entities.yaml or this article's actors"))
    for item in article.statements:
        _check_statement(article, item, known, problems, corpus.qualified_statements())


def relation_targets(value: Any) -> list[tuple[Any, LineDict | None]]:
    """The targets of a relation key, each with its own qualification (the mapping form) or None (a plain id).

    >>> relation_targets(["a", {"to": "b", "modality": "Possible"}])
    [('a', None), ('b', {'to': 'b', 'modality': 'Possible'})]
    """
    return [(v.get("to"), v) if isinstance(v, dict) else (v, None) for v in _as_list(value)]


def _check_qualified(article: Article, key: str, relation: LineDict, known: dict[str, set[str]],
                     problems: list[InputError], elsewhere: set[str] = frozenset()) -> None:
    """A relation in the mapping form: known keys, a known target statement, valid hedges, sources and evidence."""
    path = article.source
    for name in relation:
        if name not in RELATION_KEYS:
            problems.append(InputError(path, _line(relation, name), f"unknown key '{name}' in a '{key}' relation",
                                       f"use one of {', '.join(RELATION_KEYS)}"))
    if relation.get("to") not in known["statement"] and relation.get("to") not in elsewhere:
        problems.append(InputError(path, _line(relation, "to"), f"a '{key}' relation needs 'to:' a statement (ARTICLE/id elsewhere), "
                                   f"not {relation.get('to')!r}", "write {to: statement-id, evidence: [...]}"))
    enums = {"firmness": VOCABULARY.firmness, "status": VOCABULARY.status, "modality": VOCABULARY.modality}
    for name, choices in enums.items():
        if name in relation and relation[name] not in choices:
            problems.append(InputError(path, _line(relation, name), f"unknown {name} {relation[name]!r}",
                                       f"use one of {', '.join(choices)}"))
    for actor in _as_list(relation.get("reported_by")):
        if actor not in known["actor"]:
            problems.append(InputError(path, _line(relation, "reported_by"), f"unknown actor '{actor}' in 'reported_by'",
                                       "add it to entities.yaml or this article's actors"))
    if "date" in relation:
        _check_date(relation["date"], path, _line(relation, "date"), problems)
    if "cue" in relation and not isinstance(relation["cue"], str):
        problems.append(InputError(path, _line(relation, "cue"), "'cue' must be text"))
    if "evidence" in relation:
        _check_evidence(article, relation, problems)


def statement_group(kind: str) -> str:
    """'position', 'event' or 'conflict' for a statement kind.

    >>> statement_group("Offer"), statement_group("NegotiationRound"), statement_group("Conflict")
    ('position', 'event', 'conflict')
    """
    return "event" if kind in VOCABULARY.event_kinds else "conflict" if kind == "Conflict" else "position"


def _check_statement(article: Article, item: LineDict, known: dict[str, set[str]],
                     problems: list[InputError], elsewhere: set[str] = frozenset()) -> None:
    path = article.source
    kind = item.get("kind")
    if kind not in VOCABULARY.statement_kinds:
        problems.append(InputError(path, _line(item, "kind"), f"unknown statement kind {kind!r}",
                                   f"use one of {', '.join(VOCABULARY.statement_kinds)}"))
        return
    for key in REQUIRED[statement_group(kind)]:
        if key not in item:
            problems.append(InputError(path, item.line, f"statement '{item.get('id')}' has no '{key}'", f"add '{key}:'"))
    enums = {"firmness": VOCABULARY.firmness, "status": VOCABULARY.status, "modality": VOCABULARY.modality,
             "code": VOCABULARY.codes}
    for key, value in item.items():
        line = _line(item, key)
        expected = STATEMENT_KEYS.get(key)
        if expected is None:
            problems.append(InputError(path, line, f"unknown key '{key}'", f"use one of {', '.join(STATEMENT_KEYS)}"))
        elif expected in known:
            for ref, relation in relation_targets(value):
                if relation is not None:
                    if expected in ("statement", "any"):
                        _check_qualified(article, key, relation, known, problems, elsewhere)
                    else:
                        problems.append(InputError(path, relation.line, f"'{key}' must name {expected} ids, not a mapping: "
                                                   f"{dict(relation)!r}"[:200], f"write {key}: some-id (or a list: [id-1, id-2])"))
                elif not isinstance(ref, str):
                    what = "a list" if isinstance(ref, list) else type(ref).__name__
                    problems.append(InputError(path, line, f"'{key}' must name {expected} ids, not {what}: {ref!r}"[:200],
                                               f"write {key}: some-id (or a list: [id-1, id-2])"))
                elif ref not in known[expected] and not (expected in ("statement", "any") and ref in elsewhere):
                    hint = "add it to entities.yaml or this article's actors" if expected == "actor" else \
                        "use the id of a statement of this article, or ARTICLE/id for one of another article" \
                        if expected == "statement" else f"use the id of a known {expected}"
                    problems.append(InputError(path, line, f"unknown {expected} '{ref}' in '{key}'", hint))
        elif expected in enums:
            for choice in _as_list(value):
                if not isinstance(choice, str) or choice not in enums[expected]:
                    problems.append(InputError(path, line, f"unknown {key} {choice!r}", f"use one of {', '.join(enums[expected])}"))
        elif expected == "date":
            _check_date(value, path, line, problems)
        elif expected == "year" and not (isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999):
            problems.append(InputError(path, line, f"'{key}' must be a year of four digits, not {value!r}", f"write {key}: 2026"))
        elif expected == "role" and not all(isinstance(v, str) and ID_PATTERN.match(v) for v in _as_list(value)):
            problems.append(InputError(path, line, f"'{key}' must be a role id in lower case with hyphens",
                                       f"write {key}: outright-supporter"))
        elif expected == "bool" and not isinstance(value, bool):
            problems.append(InputError(path, line, f"'{key}' must be true or false"))
        elif expected == "text" and not isinstance(value, str):
            problems.append(InputError(path, line, f"'{key}' must be text"))
        elif expected == "quantity" and not (isinstance(value, dict) and isinstance(value.get("value"), int | float)
                                             and not isinstance(value.get("value"), bool) and value.get("unit") in UNITS):
            problems.append(InputError(path, line, f"'{key}' must be a number with a unit",
                                       f"write {{value: 15, unit: year}}; units: {', '.join(UNITS)}"))
        elif expected == "evidence":
            _check_evidence(article, item, problems)
    if kind == "Conflict" and len(_as_list(item.get("between"))) != 2:
        problems.append(InputError(path, _line(item, "between"), "a conflict is between exactly two positions"))


def _check_evidence(article: Article, item: LineDict, problems: list[InputError]) -> None:
    path, raw = article.source, article.text.raw
    if raw.startswith(BOM):
        return  # one message for the article (see _check_article), not one per quote
    spans = item.get("evidence")
    if not isinstance(spans, list) or not spans:
        problems.append(InputError(path, _line(item, "evidence"), "evidence must be a list of {quote, start, end}"))
        return
    for span in spans:
        line = span.line if isinstance(span, LineDict) else _line(item, "evidence")
        if not isinstance(span, LineDict) or not isinstance(span.get("quote"), str) \
                or not all(isinstance(span.get(k), int) and not isinstance(span.get(k), bool) for k in ("start", "end")):
            problems.append(InputError(path, line, "evidence needs quote (text), start and end (integers)"))
            continue
        quote, start, end = span["quote"], span["start"], span["end"]
        if not quote.strip():
            problems.append(InputError(path, _line(span, "quote"), "the evidence quote is empty",
                                       "copy the words of the statement from the article (kg locate helps)"))
            continue
        if raw[start:end] == quote and 0 <= start < end:
            continue
        found = [m.start() for m in re.finditer(re.escape(quote), raw)][:5]
        if not found:
            cleaned = article.text.text.find(quote)
            fix = ("the quote matches the normalised text; copy the raw words, noise included: "
                   f"{raw[article.text.to_raw(cleaned):article.text.to_raw(cleaned + len(quote))]!r}"
                   if cleaned >= 0 else "copy the words exactly from the raw article (kg locate helps)")
            problems.append(InputError(path, line, f"quote not in the text of {article.text_path.name}: {quote[:60]!r}", fix))
        else:
            where = ", ".join(f"start: {s}, end: {s + len(quote)}" for s in found)
            crs = [raw.count("\r", 0, s) for s in found]
            hint = (" (the article has Windows line endings, CRLF, and the offsets are off by the number of CRs before "
                    "the quote: the line endings changed after annotation; restore the original bytes)"
                    if any(c and start == s - c for s, c in zip(found, crs, strict=True)) else "")
            problems.append(InputError(path, _line(span, "start"), f"wrong offsets {start}-{end}: the raw text there is "
                                       f"{raw[start:end][:60]!r}", f"the quote is at {where}{hint}"))
