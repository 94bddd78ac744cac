"""Corpora: where kg finds the articles, curated statements and entities it builds, and where the build goes.

A corpus is a folder with a marker file ``kg.toml`` (its config: ``name = "..."``)::

    kg.toml          the marker and config
    entities.yaml    actors, places, issues and roles shared by all articles
    articles/        ID.txt (raw, byte-for-byte), ID.yaml (metadata and curated statements),
                     ID.draft.yaml (drafts: never built until reviewed)
    build/           what ``kg build`` writes: kg.trig, kg.nq, kg.jsonld, kg.ttl

Which corpus a command uses, first match wins: ``--corpus DIR`` (Python: ``find_corpus(DIR)``),
the ``KG_CORPUS`` environment variable, the nearest folder at or above the working directory
that holds ``kg.toml`` (the way git finds a repository), else the seed corpus bundled with the
package (the repository's ``data/``). ``kg init DIR`` makes a new corpus.

The bundled seed is read-only once installed: its build goes to the user's cache folder
(``$XDG_CACHE_HOME/kg/seed-VERSION/build``), and until then the build shipped with it is read.

>>> seed = bundled_corpus()
>>> seed.name, seed.entities.name, seed.dataset.name
('seed', 'entities.yaml', 'kg.trig')
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from kg.errors import InputError, KgError

MARKER = "kg.toml"
ENVIRONMENT = "KG_CORPUS"
BUILD_FILES = ("kg.trig", "kg.nq", "kg.jsonld", "kg.ttl")


@dataclass(frozen=True)
class CorpusFolder:
    """A corpus on disk: its root, name, and the paths of its parts."""

    root: Path
    name: str
    bundled: bool = False

    @property
    def entities(self) -> Path:
        """The shared entities file."""
        return self.root / "entities.yaml"

    @property
    def articles(self) -> Path:
        """The folder of raw articles and their statement files."""
        return self.root / "articles"

    @property
    def build_dir(self) -> Path:
        """Where ``kg build`` writes (the user's cache for the installed, read-only seed)."""
        if self.bundled and _installed(self.root):
            from kg import __version__

            cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
            return cache / "kg" / f"seed-{__version__}" / "build"
        return self.root / "build"

    @property
    def dataset(self) -> Path:
        """The built dataset to read: the latest build, else (for the bundled seed) the build shipped with it."""
        built = self.build_dir / "kg.trig"
        shipped = self.root / "build" / "kg.trig"
        return shipped if self.bundled and not built.exists() and shipped.exists() else built


def _installed(path: Path) -> bool:
    return any(part in ("site-packages", "dist-packages") for part in path.parts)


def read_config(root: Path) -> CorpusFolder:
    """The corpus whose marker is ``root/kg.toml``; a clear error if the file is not valid TOML."""
    marker = root / MARKER
    try:
        config = tomllib.loads(marker.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KgError([InputError(marker, None, f"cannot read the corpus config: {exc.strerror}",
                                  f"make a corpus with 'kg init {root}'")]) from exc
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"at line (\d+)", str(exc))
        line = int(where.group(1)) if where else None
        raise KgError([InputError(marker, line, f"malformed TOML: {exc}", 'write name = "my-corpus"')]) from exc
    name = config.get("name", root.name)
    if not isinstance(name, str) or not name:
        raise KgError([InputError(marker, 1, f"'name' must be text, not {name!r}", 'write name = "my-corpus"')])
    return CorpusFolder(root.resolve(), name, bundled=root.resolve() == bundled_root())


def bundled_root() -> Path:
    """The folder of the seed corpus shipped inside the package."""
    return Path(str(resources.files("kg") / "seed")).resolve()


def bundled_corpus() -> CorpusFolder:
    """The seed corpus shipped with the package (one article; the repository's ``data/``)."""
    return read_config(bundled_root())


def find_corpus(explicit: Path | str | None = None, cwd: Path | None = None) -> CorpusFolder:
    """The corpus to use: ``explicit``, else ``$KG_CORPUS``, else the nearest ``kg.toml`` upwards, else the seed.

    >>> find_corpus(bundled_root()).name
    'seed'
    """
    chosen = explicit or os.environ.get(ENVIRONMENT)
    if chosen:
        root = Path(chosen).expanduser()
        if not (root / MARKER).is_file():
            source = "--corpus" if explicit else ENVIRONMENT
            raise KgError(f"{root} is not a kg corpus ({source}): it has no {MARKER} (fix: run 'kg init {root}' or name another folder)")
        return read_config(root)
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return read_config(folder)
    return bundled_corpus()


ENTITIES_TEMPLATE = """\
# Shared entities of this corpus: every article may refer to them by id.
# actors:  - {id: united-states, kind: State, names: [United States, Washington], wikidata: Q30}
#          kinds: see 'kg query actors' or the ontology reference (kg:Actor subclasses)
# places:  - {id: abu-dhabi, names: [Abu Dhabi], wikidata: Q1519}
# issues:  - {id: security-guarantees, names: [security guarantees]}
# roles:   - {person: ..., role: envoy, of: ..., as_of: 2026-01-27, source: ARTICLE-ID}
actors: []
places: []
issues: []
roles: []
"""


def init_corpus(root: Path | str, name: str | None = None) -> CorpusFolder:
    """Make a new, empty corpus in ``root`` (created if needed); refuse if one is there already.

    >>> import tempfile
    >>> folder = init_corpus(Path(tempfile.mkdtemp()) / "talks")
    >>> folder.name, sorted(p.name for p in folder.root.iterdir())
    ('talks', ['articles', 'entities.yaml', 'kg.toml'])
    """
    root = Path(root)
    if (root / MARKER).exists():
        raise KgError(f"{root} is a corpus already ({root / MARKER} exists)")
    if root.exists() and not root.is_dir():
        raise KgError(f"{root} is a file, not a folder (fix: name a new or empty folder)")
    name = name or root.resolve().name
    (root / "articles").mkdir(parents=True, exist_ok=True)
    if not (root / "entities.yaml").exists():
        (root / "entities.yaml").write_text(ENTITIES_TEMPLATE, encoding="utf-8")
    (root / MARKER).write_text(f'# A kg corpus (see https://w3id.org/kg/): articles/, entities.yaml, build/\nname = {json.dumps(name)}\n',
                               encoding="utf-8")
    return read_config(root)
