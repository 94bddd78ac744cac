"""Noise removal and sentence segmentation for raw news articles.

Articles are kept byte-for-byte raw.  :func:`normalize` removes machine-inserted
noise phrases and keeps an exact map back to the raw text; :func:`segments`
splits the normalised text into headings, list items, sentences and the
disclaimer, each anchored to the raw text.

All offsets are Unicode code-point offsets (Python ``str`` indices), as the
W3C Web Annotation ``TextPositionSelector`` defines them; they are not byte
offsets.  Noise spans contain only spaces and phrase text, never a newline, so
line numbers are the same in the raw and in the normalised text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate, pairwise

NOISE_PHRASES: tuple[str, ...] = ("which is the",)


@dataclass(frozen=True)
class NoiseSpan:
    """One removed insertion: ``raw[start:end]`` is the phrase plus one space.

    >>> NoiseSpan(5, 18, "which is the").end
    18
    """

    start: int
    end: int
    phrase: str


@dataclass(frozen=True)
class Segment:
    """A heading, list item, sentence or disclaimer, anchored to the raw text.

    ``raw[start:end]`` is the segment's raw text: the tightest span around its
    characters, so no surrounding whitespace, no leading ``"- "`` for list
    items and no noise phrase at either edge (noise inside stays in the span).
    ``text`` is its normalised text, ``line`` its 1-based raw line number.
    ``boundary`` says how the end was found: ``"punctuation"`` (ends in
    . ! ?), ``"line"`` (end of line; always so for headings and list items)
    or ``"inferred"`` (a missing full stop, see :func:`segments`).

    >>> Segment("heading", 0, 9, "90% Ready", 1, "line").kind
    'heading'
    """

    kind: str
    start: int
    end: int
    text: str
    line: int
    boundary: str


@dataclass(frozen=True)
class NormalizedText:
    """Raw text, its normalised form and the exact map between them.

    >>> n = normalize("Steve which is the Witkoff")
    >>> n.text, n.to_raw(6), n.to_text(19)
    ('Steve Witkoff', 19, 6)
    """

    raw: str
    text: str
    noise: tuple[NoiseSpan, ...]
    # lookup tables for O(log n) offset maps: where each span was cut from ``text``, its raw start,
    # the characters removed up to and including it, and where the raw lines start
    _cut: list[int] = field(init=False, repr=False, compare=False)
    _starts: list[int] = field(init=False, repr=False, compare=False)
    _removed: list[int] = field(init=False, repr=False, compare=False)
    _newlines: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        removed = [0, *accumulate(s.end - s.start for s in self.noise)]
        object.__setattr__(self, "_removed", removed)
        object.__setattr__(self, "_starts", [s.start for s in self.noise])
        object.__setattr__(self, "_cut", [s.start - removed[k] for k, s in enumerate(self.noise)])
        object.__setattr__(self, "_newlines", [m.start() for m in re.finditer("\n", self.raw)])

    def to_raw(self, i: int) -> int:
        """Map an offset in ``text`` to the raw offset of the same character.

        ``to_raw(len(text)) == len(raw)``.

        >>> normalize("a which is the b").to_raw(2)
        15
        """
        if i >= len(self.text):
            return len(self.raw) + i - len(self.text)
        return i + self._removed[bisect_right(self._cut, i)]

    def to_text(self, i: int) -> int:
        """Map a raw offset to ``text``; inside a noise span, to where it was removed.

        >>> normalize("a which is the b").to_text(7)
        2
        """
        k = bisect_left(self._starts, i)  # spans starting before i: all removed but the last, maybe partly
        if k == 0:
            return i
        last = self.noise[k - 1]
        return i - self._removed[k - 1] - (min(i, last.end) - last.start)

    def line(self, raw_offset: int) -> int:
        """The 1-based line of a raw offset.

        >>> normalize("a\\nb which is the c").line(4)
        2
        """
        return bisect_left(self._newlines, raw_offset) + 1

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of ``text`` to the tightest raw span holding its characters.

        >>> n = normalize("a which is the b")
        >>> n.raw_span(0, 3), n.raw[0:16]
        ((0, 16), 'a which is the b')
        """
        if end <= start:
            r = self.to_raw(start)
            return r, r
        return self.to_raw(start), self.to_raw(end - 1) + 1

    def clean(self, start: int, end: int) -> str:
        """The normalised text of the raw span ``raw[start:end]``.

        >>> normalize("a which is the b").clean(0, 10)
        'a '
        """
        return self.text[self.to_text(start) : self.to_text(end)]


def normalize(raw: str, noise_phrases: Sequence[str] = NOISE_PHRASES) -> NormalizedText:
    """Remove each whole-word, case-sensitive noise phrase with one adjacent space.

    Whole-word: no letter or digit right before or after the phrase, so a phrase may start or
    end with punctuation ("Editor's note: updating.", "(AP)"). The space after the phrase is
    taken if there is one, else the space before it (a phrase at the end of a line), else none.

    >>> normalize("which is the start and end which is the").text
    'start and end'
    >>> normalize("(AP) Talks resumed. Editor's note: updating.", ["(AP)", "Editor's note: updating."]).text
    'Talks resumed.'
    """
    found = sorted(
        (m.start(), m.end(), phrase)
        for phrase in noise_phrases
        for m in re.finditer(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", raw)
    )
    kept: list[NoiseSpan] = []
    for start, end, phrase in found:
        prev_end = kept[-1].end if kept else 0
        if start < prev_end:  # overlaps an earlier match of another phrase
            continue
        if raw[end : end + 1] == " ":
            end += 1
        elif start > prev_end and raw[start - 1] == " ":
            start -= 1
        kept.append(NoiseSpan(start, end, phrase))
    parts, pos = [], 0
    for span in kept:
        parts.append(raw[pos : span.start])
        pos = span.end
    parts.append(raw[pos:])
    return NormalizedText(raw, "".join(parts), tuple(kept))


# --- segmentation -----------------------------------------------------------


def _words(words: str) -> frozenset[str]:
    return frozenset(words.split())


HEADING_MAX_WORDS = 8
#: tokens a verb cue must appear within, from the start of the right fragment
RIGHT_CUE_WINDOW = 8

#: words that can end a token before a capitalised word without ending a clause:
#: function words and adjectives that often premodify a name ("the new Prime...")
FUNCTION_WORDS = _words(
    """the a an to of in on at by for from with and or nor but between including
    under over into onto upon about against among across through during without
    within after before since until than that as though although because while
    whether if when where so yet via per
    new former late current entire whole acting incoming outgoing fellow then"""
)
#: words opening a clause that needs its own verb before a boundary can follow
CLAUSE_OPENERS = _words(
    """that which who whom whose whether if because although though while when
    since unless"""
)
#: finite verb cues: auxiliaries, modals and a small lexicon of reporting verbs
VERB_CUES = _words(
    """is are was were has have had will would may might must shall should can
    could does do did said says say revealed reported reports suggest suggests
    suggested argued argues stated states insists insisted maintains maintained
    hinted hints prioritizes claims claimed warned warns noted announced
    confirmed denied believes"""
)
_ABBREVIATIONS = _words("mr mrs ms dr prof st jr sr gen col lt sen rep gov no vs etc")
_TERMINAL = ".!?"
_CLOSERS = "\"'”’)]"
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"“‘(\[]?[A-Z])")
_LOWER_WORD = re.compile(r"[a-z][a-z'’-]*[a-z]|[a-z]")


def _word(token: str) -> str:
    return token.strip(".,;:!?\"'“”‘’()[]").lower()


def _has_cue(tokens: list[str]) -> bool:
    return any(_word(t) in VERB_CUES for t in tokens)


def _is_abbreviation(token: str) -> bool:
    """``U.S.``, ``J.`` or a title such as ``Mr.``: a period that ends no sentence."""
    token = token.rstrip(_CLOSERS)
    return bool(re.fullmatch(r"(?:[A-Za-z]\.)+", token)) or (
        token[:-1].lower() in _ABBREVIATIONS
    )


def _punctuation_ends(text: str, start: int, end: int) -> list[int]:
    """Offsets just after . ! ? (and closing quotes) followed by space + capital."""
    ends = []
    for m in _SENTENCE_END.finditer(text, start, end):
        token_start = max(text.rfind(" ", start, m.start()) + 1, start)
        if not _is_abbreviation(text[token_start : m.end()]):
            ends.append(m.end())
    return ends


def _inferred_ends(text: str, start: int, end: int) -> list[int]:
    """Offsets of missing sentence boundaries in ``text[start:end]`` (one sentence).

    A *candidate* is a lowercase token ending in a letter, not in
    :data:`FUNCTION_WORDS`, directly followed by a capitalised token
    ("...US security guarantees Sources familiar with...").  It is accepted when

    * the left fragment (from the previous boundary to the candidate) has a
      :data:`VERB_CUES` word after its last :data:`CLAUSE_OPENERS` word, i.e.
      it is a complete clause ("...insists that the surrender of the entire
      Donbas is..." is not: the "that" clause has no verb yet), and
    * the right fragment (from the capitalised token to the next candidate)
      has a verb cue within its first :data:`RIGHT_CUE_WINDOW` tokens.

    Capitalised tokens never start a candidate, so names ("Jared Kushner
    Ukrainian officials", "to Kyiv Ukraine must") are never split.
    Returns the offsets where the left sentence ends (after the candidate).
    """
    toks = [
        (m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text[start:end])
    ]
    words = [t for _, _, t in toks]
    cands = [
        k
        for k in range(len(toks) - 1)
        if _LOWER_WORD.fullmatch(words[k])
        and words[k] not in FUNCTION_WORDS
        and words[k + 1][0].isupper()
    ]
    ends, first = [], 0
    for n, k in enumerate(cands):
        left = words[first : k + 1]
        openers = [j for j, w in enumerate(left) if _word(w) in CLAUSE_OPENERS]
        if openers:
            left = left[openers[-1] + 1 :]
        stop = cands[n + 1] + 1 if n + 1 < len(cands) else len(words)
        right = words[k + 1 : min(stop, k + 1 + RIGHT_CUE_WINDOW)]
        if _has_cue(left) and _has_cue(right):
            ends.append(start + toks[k][1])
            first = k + 1
    return ends


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_heading(line: str) -> bool:
    return (
        not line.startswith("- ")
        and line.rstrip(_CLOSERS)[-1:] not in _TERMINAL + ":;,"
        and len(line.split()) <= HEADING_MAX_WORDS
    )


def segments(norm: NormalizedText) -> list[Segment]:
    """Split normalised text into segments anchored to the raw text.

    Each non-empty line is a heading (no terminal punctuation, at most
    :data:`HEADING_MAX_WORDS` words), a list item (``"- "`` prefix) or a
    paragraph.  Paragraphs are split at . ! ? followed by a space and a
    capital (not after abbreviations such as ``U.S.``) and at inferred missing
    boundaries (:func:`_inferred_ends`).  The line after a ``Disclaimer``
    heading is split the same way, but its segments have kind
    ``"disclaimer"``.

    >>> [(s.kind, s.text) for s in segments(normalize("Title\\nIt is done It was."))]
    [('heading', 'Title'), ('sentence', 'It is done'), ('sentence', 'It was.')]
    """
    text, out = norm.text, []
    after_disclaimer = False

    def add(kind: str, start: int, end: int, boundary: str) -> None:
        rs, re_ = norm.raw_span(start, end)
        out.append(Segment(kind, rs, re_, text[start:end], norm.line(rs), boundary))

    for m in re.finditer(r"[^\n]+", text):
        start, end = _strip(text, *m.span())
        if start == end:
            continue
        line = text[start:end]
        if after_disclaimer:
            kind = "disclaimer"
        elif line.startswith("- "):
            add("list_item", *_strip(text, start + 2, end), "line")
            continue
        elif _is_heading(line):
            add("heading", start, end, "line")
            after_disclaimer = line.rstrip(":").lower() == "disclaimer"
            continue
        else:
            kind = "sentence"
        after_disclaimer = False
        cuts = [(e, "punctuation") for e in _punctuation_ends(text, start, end)]
        bounds = [start, *(e for e, _ in cuts), end]
        for s, e in pairwise(bounds):
            cuts += [(c, "inferred") for c in _inferred_ends(text, *_strip(text, s, e))]
        cuts.sort()
        s = start
        for e, boundary in cuts:
            add(kind, *_strip(text, s, e), boundary)
            s = e
        s, e = _strip(text, s, end)
        ends_in_stop = text[s:e].rstrip(_CLOSERS)[-1:] in tuple(_TERMINAL)
        add(kind, s, e, "punctuation" if ends_in_stop else "line")
    return out
