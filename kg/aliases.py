"""Actor names and their aliases: resolve a surface name or find every mention in a text.

Matching works on word tokens and is case- and diacritic-insensitive ("Ukraine's" holds a
mention of "Ukraine"; "Zelénskyy" is "Zelenskyy"); in running text (:meth:`AliasIndex.mentions`)
a capitalised name does not match an all-lower-case word ("Observers" is not "unarmed
observers"). Short all-capital names (``US``, ``UAE``,
``NATO``) match only in capitals, so the pronoun "us" is never the United States.

When no name matches exactly, a *variant key* is tried: each word is reduced by a small,
documented rule set for transliterations (:data:`VARIANT_RULES`), applied in order:

1. word-final ``iy``, ``yy``, ``ij``, ``yi``, ``ii`` become ``y`` (Zelenskiy, Zelenskyy,
   Zelenskij -> zelensky);
2. ``ie`` and ``ye`` become ``e`` (Dmitriev, Dmitryev -> dmitrev; Yevgeny -> evgeny);
3. ``kh`` -> ``h``, ``w`` -> ``v``, ``ck`` -> ``k``, ``tz`` -> ``ts``, ``ou`` -> ``u``.

A variant key that belongs to two different actors resolves to neither. Two actors with the
same name (after case and diacritic folding) are an error.

>>> index = AliasIndex.from_entities([{"id": "volodymyr-zelenskyy", "names": ["Volodymyr Zelenskyy", "Zelenskyy"]},
...                                   {"id": "ukraine", "names": ["Ukraine", "Kyiv"]}])
>>> index.resolve("Zelensky"), index.resolve("ZELENSKIY"), index.resolve("Ukraine's")
('volodymyr-zelenskyy', 'volodymyr-zelenskyy', 'ukraine')
>>> [(m.actor, m.text) for m in index.mentions("Kyiv said Zelenskiy would travel.")]
[('ukraine', 'Kyiv'), ('volodymyr-zelenskyy', 'Zelenskiy')]
>>> index.suggest("Ukrane")
['Ukraine']
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.errors import InputError, KgError

VARIANT_RULES: tuple[tuple[str, str], ...] = (
    (r"(?:iy|yy|ij|yi|ii)$", "y"),
    (r"[iy]e", "e"),
    (r"kh", "h"),
    (r"w", "v"),
    (r"ck", "k"),
    (r"tz", "ts"),
    (r"ou", "u"),
)
_TOKEN = re.compile(r"\w+")
_POSSESSIVE = frozenset({"s"})


@lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """One character without diacritics, case-folded, still one character.

    >>> fold_char("É"), fold_char("ß"), fold_char("’")
    ('e', 'ß', "'")
    """
    base = unicodedata.normalize("NFKD", ch)
    base = "".join(c for c in base if not unicodedata.combining(c)) or ch
    base = base[0]
    low = base.lower()
    if base in "’‘`´":
        return "'"
    return low if len(low) == 1 else base


def fold(text: str) -> str:
    """Case- and diacritic-folded text of the same length (offsets stay valid).

    >>> fold("Zelénskyy’s")
    "zelenskyy's"
    """
    return "".join(fold_char(c) for c in text)


@lru_cache(maxsize=65536)
def variant(word: str) -> str:
    """The transliteration variant key of one folded word (see :data:`VARIANT_RULES`).

    >>> variant("zelenskiy"), variant("zelensky"), variant("dmitriev")
    ('zelensky', 'zelensky', 'dmitrev')
    """
    for pattern, repl in VARIANT_RULES:
        word = re.sub(pattern, repl, word)
    return word


def _is_acronym(name: str) -> bool:
    letters = re.sub(r"[\W_]", "", name)
    return 0 < len(letters) <= 5 and letters.isupper()


def _tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


@dataclass(frozen=True)
class Mention:
    """One mention of an actor in a text: ``text[start:end]``, and how it matched.

    >>> Mention(0, 4, "ukraine", "Kyiv", "Kyiv", "exact").actor
    'ukraine'
    """

    start: int
    end: int
    actor: str
    text: str
    name: str
    how: str  # "exact" or "variant"


@dataclass(frozen=True)
class _Name:
    actor: str
    name: str
    source: str
    acronym: bool


class AliasIndex:
    """All names of all actors, for resolving names and finding mentions.

    >>> index = AliasIndex()
    >>> index.add("russia", "the Kremlin", "entities.yaml")
    >>> index.resolve("THE KREMLIN"), index.resolve("Moscow")
    ('russia', None)
    """

    def __init__(self) -> None:
        self._exact: dict[tuple[str, ...], _Name] = {}
        self._variant: dict[tuple[str, ...], set[str]] = {}
        self._variant_name: dict[tuple[str, ...], _Name] = {}
        self.max_tokens = 1
        self.problems: list[InputError] = []

    @classmethod
    def from_entities(cls, actors: Iterable[Mapping], local: Iterable[Mapping] = (),
                      source: str | Path = "entities.yaml", local_source: str | Path = "article",
                      strict: bool = True) -> AliasIndex:
        """An index of shared actors plus article-local actors (each a mapping with id and names).

        With ``strict`` a name claimed by two actors raises KgError listing every clash;
        otherwise the clashes are kept in ``problems``.

        >>> AliasIndex.from_entities([{"id": "a", "names": ["Alpha"]}], [{"id": "b", "names": ["ALPHA"]}])
        Traceback (most recent call last):
        kg.errors.KgError: article: the name 'ALPHA' of actor 'b' is already a name of actor 'a' (from entities.yaml) (fix: ...
        """
        index = cls()
        for items, where in ((actors, source), (local, local_source)):
            for item in items:
                names = item.get("names") or []
                for name in names if isinstance(names, list) else [names]:
                    if isinstance(name, str) and item.get("id"):
                        index.add(str(item["id"]), name, str(where), strict=False)
        if strict and index.problems:
            raise KgError(index.problems)
        return index

    def _keys(self, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        toks = [t for _, _, t in _tokens(fold(name))]
        if len(toks) > 1 and toks[-1] in _POSSESSIVE and re.search(r"['’]s\s*$", name):
            toks = toks[:-1]
        return tuple(toks), tuple(variant(t) for t in toks)

    def add(self, actor: str, name: str, source: str = "", strict: bool = True) -> None:
        """Add one name of an actor; a name that already belongs to another actor is an error."""
        exact, var = self._keys(name)
        if not exact:
            return
        entry = _Name(actor, name, source, _is_acronym(name))
        known = self._exact.get(exact)
        if known is not None and known.actor != actor:
            problem = InputError(source or "names", None,
                                 f"the name {name!r} of actor '{actor}' is already a name of actor '{known.actor}'"
                                 + (f" (from {known.source})" if known.source else ""),
                                 "give each name to one actor only; use a fuller name for one of them")
            if strict:
                raise KgError([problem])
            self.problems.append(problem)
            return
        self._exact.setdefault(exact, entry)
        self._variant.setdefault(var, set()).add(actor)
        self._variant_name.setdefault(var, entry)
        self.max_tokens = max(self.max_tokens, len(exact))

    @property
    def names(self) -> list[str]:
        """Every known name, in the order added."""
        return [n.name for n in self._exact.values()]

    def actor_names(self, actor: str) -> list[str]:
        """The names of one actor."""
        return [n.name for n in self._exact.values() if n.actor == actor]

    def resolve(self, name: str) -> str | None:
        """The actor id a surface name refers to, or None (see :meth:`suggest`)."""
        exact, var = self._keys(name)
        if exact in self._exact:
            return self._exact[exact].actor
        actors = self._variant.get(var, set())
        return next(iter(actors)) if len(actors) == 1 else None

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Known names closest to an unknown one (difflib), best first.

        >>> AliasIndex.from_entities([{"id": "nato", "names": ["NATO"]}]).suggest("NAT0")
        ['NATO']
        """
        folded = {fold(k): k for k in self.names}
        return [folded[m] for m in difflib.get_close_matches(fold(name), list(folded), n=n, cutoff=0.5)]

    def mentions(self, text: str) -> list[Mention]:
        """Every actor mention in ``text``, longest name first, left to right, no overlaps."""
        raw_toks = _tokens(text)
        toks = [fold(t) for _, _, t in raw_toks]
        variants = [variant(t) for t in toks]  # once per token, not once per candidate name
        out: list[Mention] = []
        i = 0
        while i < len(toks):
            found = None
            for size in range(min(self.max_tokens, len(toks) - i), 0, -1):
                key = tuple(toks[i:i + size])
                entry = self._exact.get(key)
                how = "exact"
                if entry is None:
                    var = tuple(variants[i:i + size])
                    actors = self._variant.get(var, set())
                    entry = self._variant_name.get(var) if len(actors) == 1 else None
                    how = "variant"
                if entry is None:
                    continue
                surface = text[raw_toks[i][0]:raw_toks[i + size - 1][1]]
                if entry.acronym and not re.sub(r"[\W_]", "", surface).isupper():
                    continue
                if entry.name[:1].isupper() and surface.islower():
                    continue  # a lower-case word in running text is no proper name ("unarmed observers")
                if how == "variant" and min(len(t) for t in key) < 4:
                    continue  # variants only for words long enough to be names
                found = Mention(raw_toks[i][0], raw_toks[i + size - 1][1], entry.actor, surface, entry.name, how)
                i += size
                break
            if found is None:
                i += 1
            else:
                out.append(found)
        return out

    def mentioned(self, text: str) -> set[str]:
        """The ids of the actors mentioned in ``text``."""
        return {m.actor for m in self.mentions(text)}


def unmentioned_holders(index: AliasIndex, statements: Iterable[Mapping], text: str,
                        exempt: Collection[str] = ()) -> list[str]:
    """Warnings for statements whose holder is never mentioned in the article text (``exempt``: ids never checked).

    A statement with a ``line`` attribute (a curated YAML entry) gets ``line N:`` in front of its warning.

    >>> idx = AliasIndex.from_entities([{"id": "russia", "names": ["Russia"]}, {"id": "ukraine", "names": ["Ukraine"]}])
    >>> unmentioned_holders(idx, [{"id": "s1", "holder": "russia"}], "Ukraine said no.")
    ["statement 's1': holder 'russia' is never mentioned in the article (names: Russia)"]
    """
    seen = index.mentioned(text)
    out = []
    for item in statements:
        holders = item.get("holder")
        for holder in holders if isinstance(holders, list) else [holders] if holders else []:
            names = index.actor_names(str(holder))
            if names and holder not in seen and holder not in exempt:
                where = f"line {item.line}: " if getattr(item, "line", None) else ""
                out.append(f"{where}statement '{item.get('id')}': holder '{holder}' is never mentioned in the article "
                           f"(names: {', '.join(names)})")
    return out
