"""The drafting assistant: rule-based, deterministic candidate statements for a new article.

:func:`draft_statements` reads the normalised segments of an article (:mod:`kg.text`) and
proposes statements from cue words (:data:`CUES`), actor mentions (:class:`kg.aliases.AliasIndex`)
and issue names. Every draft is a stub in the curated format plus ``draft: true`` and
``reviewed: false``; it never enters the graph until a reviewer sets ``reviewed: true`` and runs
:func:`accept`. Every statement-bearing segment without a candidate gets a stub with only its
quote, so the reviewer sees the whole article.

How a candidate is built, in order:

1. **Cues.** Each sentence or list item is scanned for the cue patterns of :data:`CUES`; each cue
   match opens a clause ending at the next cue or at a clause break (``; , but , though , and``;
   ", saying ..." and ", calling it ..." open their own clause). The cue gives the kind and the
   firmness ("insists" -> Demand, Insisted; "may consider" -> Offer, Hinted, Possible).
2. **Reported speech** ("X said ...", "X insisted that ..."): what is said decides the kind.
   A threat with "unless" is a Demand (Ultimatum); a condition ("depends on") a Condition. When
   the subject of what is said is the speaker's own side (a pronoun, "the government", "the
   group", or a name of that side), "would/will ..." is an Offer ("could/might/may": Hinted,
   Possible) and "would not/never ..." a refusal (a negated Claim). Anything else said is a
   reason (Argument), a Condition when it is a requirement ("must be ratified", "essential
   for"), a Claim when negated or called final; a commentator group's (analysts, diplomats) an
   Assessment. "warned that ... would end the talks" is an ultimatum. A talks event ("talks
   stalled", "moved closer") and an agentless outlook ("a decision is expected") state no
   position: no draft.
3. **Conditions.** "if", "only if", "once", "as soon as", "provided that", "on condition that",
   "in exchange for" after an Offer (or a reported commitment) open a separate Condition with the
   same holder.
4. **Holder.** The last actor mentioned before the cue in the clause; "offer from X" makes X the
   holder; a clause that opens with a pronoun or "The group" takes the previous statement's
   holder, and a clause without a subject the holder of the clause before it. A person's side is
   the party named or adjectivally referred to before them ("Aldorian minister"), or the party an
   actor ``represents`` (entities.yaml).
5. **Addressee.** The first actor after the cue that is neither the holder's side nor a source
   ("from X", "by X"); otherwise, for demands, offers, conditions and refusals, the other of the
   article's two most-mentioned parties; a third party's proposal or appeal is addressed to both; an
   Argument (a reason given) has none.
6. **Topic.** Issue names (from the corpus entities) in the clause, outside actor names ("Families
   of the hostages" names no topic); none found: the topic of the previous statement (of the same
   side; for a refusal, of what is refused).
7. **Quantities.** Percentages -> ``share`` (the last one in the clause), years -> ``duration``,
   money -> ``amounts`` (a draft-only key, dropped on accept).

>>> from kg.aliases import AliasIndex
>>> idx = AliasIndex.from_entities([{"id": "aldoria", "kind": "State", "names": ["Aldoria"]},
...                                 {"id": "veskaria", "kind": "State", "names": ["Veskaria"]}])
>>> issues = [{"id": "water", "names": ["water"]}]
>>> [d] = draft_statements("Aldoria demands that Veskaria release more water.", idx, issues)
>>> d["kind"], d["holder"], d["addressee"], d["topic"], d["firmness"], d["evidence"][0]["quote"]
('Demand', 'aldoria', 'veskaria', ['water'], 'PushedFor', 'Aldoria demands that Veskaria release more water.')
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kg.aliases import AliasIndex, Mention, fold, unmentioned_holders
from kg.annotations import REQUIRED, statement_group
from kg.corpus import find_corpus
from kg.errors import InputError, KgError
from kg.serialize import write_outputs
from kg.text import normalize, segments
from kg.vocabulary import VOCABULARY

STATEMENT_BEARING = ("sentence", "list_item")
DRAFT_ONLY_KEYS = ("draft", "reviewed", "amounts", "warnings", "suggestions")
COMMENTATOR_KINDS = ("Group", "AnonymousSource")
PARTY_KINDS = ("State", "Government", "Organisation", "InternationalOrganisation", "Group")


@dataclass(frozen=True)
class Cue:
    """A cue pattern: the kind and firmness it signals (modality Possible for hedged offers).

    >>> Cue(r"demands?", "Demand", "PushedFor").kind
    'Demand'
    """

    pattern: str
    kind: str
    firmness: str
    modality: str | None = None
    role: str = "main"  # "main", "report" (a reporting verb), "split" (opens a Condition after an Offer)


_W = r"(?<![\w-])"
#: the words of a refusal, in the refusal cue and in :data:`REFUSAL`
REFUSING = "rejected|resisted|refused|rejects|refuses|ruled out|rules out|dismissed|dismisses"
#: cue patterns, most specific first; matched case-insensitively on normalised text
CUES: tuple[Cue, ...] = (
    Cue(r"threatened to|threatens to|ultimatum to", "Demand", "Ultimatum"),
    Cue(r"insists? that \w+(?: \w+){0,3} first|insisted that \w+(?: \w+){0,3} first", "Condition", "Insisted"),
    Cue(r"insists?|insisted|non-negotiable|unacceptable", "Demand", "Insisted"),
    Cue(r"demands that|demands the|demand that|demanded|is demanding|are demanding", "Demand", "PushedFor"),
    Cue(r"(?:is|are|was|were) pushing for|pushed for|pushes for|pressing for|pressed|presses", "Demand", "PushedFor"),
    Cue(r"calls? (?:for|on)|called (?:for|on)|calling (?:for|on)|urged|urges|wants|asked|requested|requests"
        r"|appeal(?:ed|s|ing)? to|(?:is|are|was|were) seeking"
        r"|seeks|sought|pressing", "Demand", "PushedFor"),
    Cue(r"may (?:also )?consider|might (?:also )?consider|could (?:also )?consider|would (?:also )?consider"
        r"|could accept|might accept|may accept|might agree|may agree|could agree", "Offer", "Hinted", "Possible"),
    Cue(r"hinted|signalled|signaled", "Offer", "Hinted", "Possible", role="report"),
    Cue(r"(?:is|are|was|were) open to", "Offer", "Hinted", "Possible"),
    Cue(r"(?:has |have |had )?offered|offers?(?= to)|is offering|are offering|promised|pledged"
        r"|(?:was|is|were|are) (?:reportedly )?(?:prepared|ready|willing) to", "Offer", "Stated"),
    Cue(r"an offer from", "Offer", "Described"),
    Cue(r"proposed|proposes|tabled|put forward|suggested|suggests", "Proposal", "Stated"),
    Cue(r"depends on|depend on|conditional on|would lapse unless", "Condition", "Stated"),
    Cue(r"on condition that|only if|as soon as|in exchange for|provided that|providing that|if|once(?! again| more)(?= [a-z]+ [a-z]+)",
        "Condition", "Stated", role="split"),
    Cue(r"argued|argues|argue", "Argument", "Argued"),
    Cue(REFUSING + "|denied|denies", "Claim", "Stated"),
    Cue(r"(?<=but )(?:would|will) (?:not|never)", "Claim", "Stated"),
    Cue(r"warned|warns|expects?|expected|called|calling|accused|accuses|critici[sz]ed|condemned", "Assessment", "Stated"),
    Cue(r"said|says|stressed|stated|maintains|maintained|claimed|claims|announced|added|told|saying", "Claim", "Stated",
        role="report"),
)
_CUE_RX = [(cue, re.compile(_W + "(?:" + cue.pattern + r")(?![\w-])", re.IGNORECASE)) for cue in CUES]
#: inside a reporting clause ("X said ..."): reasons make an Argument
REASON = re.compile(r"\b(?:could not|cannot|can not|no longer|(?:was|is) needed|needed to|because)\b", re.I)
#: what is said: "[that] SUBJECT would|could [not] ..." (the subject decides between a commitment and a reason)
REPORTED_MODAL = re.compile(r"^\s*(?:[\w ]{0,40}?\bthat )?(?P<subject>[\w'’-]+(?: [\w'’-]+){0,3}?) "
                            r"(?P<modal>would|will|could|might|may|can)(?P<neg> not| never)?\b", re.I)
#: a subject that is the speaker's own side: a pronoun or "the/its/her government", "the group"...
SELF = re.compile(r"^(?:it|they|we|he|she|(?:the|its|his|her|their|our) (?:\w+ )?(?:group|government|federation|company"
                  r"|country|side|union|council|delegation|state|administration|alliance|front|movement))$", re.I)
HEDGED = ("could", "might", "may", "can")
NEGATION = re.compile(r"\b(?:not|never|nothing|no one|nobody|n't)\b", re.I)
REFUSAL = re.compile(rf"\b(?:{REFUSING}|not|never)\b", re.I)
"""In a cue: a refusal (a denial, "denied", is not one)."""
#: a requirement placed on a thing ("any change must be ratified") is a Condition
REQUIREMENT = re.compile(r"\bmust be \w+ed\b|\b(?:essential|a precondition|a prerequisite) for\b", re.I)
#: a threat before "unless" makes a Demand with firmness Ultimatum
#: a warning that the talks will end is an ultimatum (a Demand)
TALKS_THREAT = re.compile(r"\b(?:end|break off|walk out of|leave|abandon|pull out of|quit) (?:the )?(?:talks|negotiations)\b", re.I)
#: a talks event reported ("talks stalled", "X and Y moved closer"), or an outlook without holder ("is expected"): no position
EVENT = re.compile(r"\b(?:talks|negotiations)\b[^.]*?\b(?:resumed|stalled|began|opened|ended|entered|collapsed|broke down)\b"
                   r"|\bmoved closer\b", re.I)
OUTLOOK = re.compile(r"\b(?:is|are|was|were) (?:widely )?expected\b", re.I)
THREAT = re.compile(r"\b(?:strike|boycott|walk out|halt|cut off|suspend|sanction|leave the talks)\b", re.I)
CLAUSE_BREAK = re.compile(r"; |,? but |, though |, although |, while |, and (?=[a-z]+ [a-z]+ (?:is|are|was|were) )")
REPORT_END = re.compile(r"\b(?:said|says|added|hinted|warned|argued|insisted|stressed)$")
PARTICIPLE = re.compile(r", (?!according|saying|calling)[a-z]+ing\b")
TRAILING = re.compile(r",(?:\s+\w+){1,3}\s+$")
DATELINE = re.compile(r"^[A-Z][A-Z .'-]+, \d{1,2} [A-Z][a-z]+ \d{4} [-–—] ")
ANAPHOR = re.compile(r"^(?:[\"“”']?\s*)?(?:he|she|it|they|the group|the company|the fund)\b", re.I)
HOLDER_ANAPHOR = re.compile(r"[\"“”]\s*(?:he|she|they) (?=\w+\.?$)", re.I)
REPORTED = re.compile(r"\b(?:reportedly|reports? suggests?|according to (?:a|the) (?:draft|report|document))\b", re.I)
ANONYMOUS = re.compile(r"\b(?:familiar with|on condition of anonymity|sources)\b", re.I)

NUMBER_WORDS = {w: i for i, w in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"])}
_NUM = r"(\d+(?:\.\d+)?|" + "|".join(NUMBER_WORDS) + ")"
PERCENT = re.compile(_NUM + r"\s*(?:percent|per cent|%)", re.I)
YEARS = re.compile(_NUM + r"[- ](?:years?)\b", re.I)
MONEY = re.compile(r"\$\s?(\d+(?:\.\d+)?)\s*(million|billion|bn|m)?\b", re.I)


def _number(text: str) -> int | float:
    if text.lower() in NUMBER_WORDS:
        return NUMBER_WORDS[text.lower()]
    value = float(text)
    return int(value) if value.is_integer() else value


def quantities(text: str) -> dict[str, Any]:
    """Shares (percent), durations (years) and money amounts in a clause.

    >>> quantities("cut tariffs from 25 percent to 10 percent within three years for $2 billion")
    {'share': {'value': 10, 'unit': 'percent'}, 'duration': {'value': 3, 'unit': 'year'}, \
'amounts': [{'value': 2000000000, 'unit': 'USD', 'text': '$2 billion'}]}
    """
    out: dict[str, Any] = {}
    if shares := PERCENT.findall(text):
        out["share"] = {"value": _number(shares[-1]), "unit": "percent"}
    if years := YEARS.findall(text):
        out["duration"] = {"value": _number(years[0]), "unit": "year"}
    amounts = []
    for m in MONEY.finditer(text):
        scale = {"million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9}.get((m.group(2) or "").lower(), 1)
        value = float(m.group(1)) * scale
        amounts.append({"value": int(value) if value.is_integer() else value, "unit": "USD", "text": m.group(0).strip()})
    if amounts:
        out["amounts"] = amounts
    return out


class IssueIndex:
    """Issue names, matched case-insensitively on whole words, longest first.

    >>> IssueIndex([{"id": "ceasefire", "names": ["ceasefire", "truce"]}]).find("a 30-day Truce")
    [('ceasefire', 9, 14)]
    """

    def __init__(self, issues: Sequence[Mapping]) -> None:
        names = sorted(((fold(str(n)), str(i["id"])) for i in issues for n in (i.get("names") or [])),
                       key=lambda p: -len(p[0]))
        self._rx = [(re.compile(r"(?<!\w)" + re.escape(n) + r"(?!\w)"), issue) for n, issue in names]

    def find(self, text: str) -> list[tuple[str, int, int]]:
        folded, taken, out = fold(text), [False] * len(text), []
        for rx, issue in self._rx:
            for m in rx.finditer(folded):
                if not any(taken[m.start():m.end()]):
                    taken[m.start():m.end()] = [True] * (m.end() - m.start())
                    out.append((issue, m.start(), m.end()))
        return sorted(out, key=lambda t: t[1])


@dataclass
class _Clause:
    cue: Cue
    start: int  # clause start (segment-relative, normalised text)
    cue_start: int
    cue_end: int
    end: int = 0
    kind: str = ""
    firmness: str = ""
    modality: str | None = None
    holder: str | None = None
    notes: list[str] = field(default_factory=list)


def _find_cues(text: str) -> list[tuple[Cue, int, int]]:
    taken = [False] * len(text)
    found = []
    for cue, rx in _CUE_RX:
        for m in rx.finditer(text):
            if m.end() > m.start() and not any(taken[m.start():m.end()]):
                taken[m.start():m.end()] = [True] * (m.end() - m.start())
                found.append((cue, m.start(), m.end()))
    return sorted(found, key=lambda t: t[1])


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " ,;-–—":
        start += 1
    while end > start and text[end - 1] in " ,;-–—":
        end -= 1
    return start, end


def _demonym_side(text: str, before: int, parties: Sequence[str], index: AliasIndex) -> str | None:
    """The party named or adjectivally referred to ("Aldorian") in the words just before ``before``."""
    window = text[max(0, before - 60):before]
    for word in reversed(re.findall(r"\w+", window)):
        for party in parties:
            for name in index.actor_names(party):
                stem = fold(name.split()[0])
                if fold(word) in {stem, stem + "n", stem + "an", stem + "ian", stem + "s"} and len(stem) > 3:
                    return party
    return None


class _Drafter:
    def __init__(self, raw: str, index: AliasIndex, issues: Sequence[Mapping], kinds: Mapping[str, str],
                 noise: Sequence[str] = (), represents: Mapping[str, str] | None = None) -> None:
        self.norm = normalize(raw, tuple(noise)) if noise else normalize(raw)
        self.index, self.issues, self.kinds = index, IssueIndex(issues), kinds
        counts = Counter(m.actor for m in index.mentions(self.norm.text))
        self.parties = [a for a, _ in counts.most_common() if kinds.get(a) in PARTY_KINDS][:2]
        self.sides: dict[str, str] = dict(represents or {})
        self.stakeholders: set[str] = set()  # holders of a demand, offer, proposal or condition so far
        self.previous: dict[str, Any] | None = None
        self.ids: Counter[str] = Counter()

    def side(self, actor: str | None) -> str | None:
        return actor if actor in self.parties else self.sides.get(actor or "")

    def run(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for start, end in self.spans():
            base = self.norm.to_text(start)
            text = self.norm.text[base:self.norm.to_text(end)]
            drafts = self.segment(text, base)
            if not drafts:
                drafts = [self._stub(text, base, 0, len(text))]
            out.extend(drafts)
        return out

    def spans(self) -> list[tuple[int, int]]:
        """Raw spans of the statement-bearing segments, rejoining reported speech that
        :func:`kg.text.segments` splits at an inferred boundary ("Lowe said | Greyhaven could accept")."""
        out: list[tuple[int, int]] = []
        glue = False
        for seg in segments(self.norm):
            if seg.kind not in STATEMENT_BEARING:
                glue = False
                continue
            if glue and out:
                out[-1] = (out[-1][0], seg.end)
            else:
                out.append((seg.start, seg.end))
            glue = seg.boundary == "inferred" and bool(REPORT_END.search(seg.text))
        return out

    def _evidence(self, text: str, base: int, start: int, end: int) -> dict[str, Any]:
        start, end = _trim(text, start, end)
        rs, re_ = self.norm.raw_span(base + start, base + end)
        return {"quote": self.norm.raw[rs:re_], "start": rs, "end": re_}

    def _stub(self, text: str, base: int, start: int, end: int) -> dict[str, Any]:
        return {"id": self._id("segment", text), "draft": True, "reviewed": False,
                "evidence": [self._evidence(text, base, start, end)]}

    def _id(self, kind: str, text: str) -> str:
        words = [w for w in re.findall(r"[a-z0-9]+", fold(text)) if len(w) > 2][:4]
        stem = "-".join([kind.lower(), *words])[:60].rstrip("-")
        self.ids[stem] += 1
        return stem if self.ids[stem] == 1 else f"{stem}-{self.ids[stem]}"

    def segment(self, text: str, base: int) -> list[dict[str, Any]]:
        mentions = self.index.mentions(text)
        head = DATELINE.match(text)
        origin = head.end() if head else 0
        cues = [c for c in _find_cues(text) if c[1] >= origin]
        breaks = [m.start() for m in CLAUSE_BREAK.finditer(text)]
        participles = [m.start() for m in PARTICIPLE.finditer(text)]
        clauses: list[_Clause] = []
        for cue, cs, ce in cues:
            last = clauses[-1] if clauses else None
            # ", saying ...", ", calling it ...": a reason or judgement of its own, unless it carries a report
            opens = text[max(0, cs - 2):cs] == ", " and text[cs:ce].endswith("ing") \
                and last is not None and last.cue.role != "report"
            gap_breaks = [b for b in breaks if (last.cue_end if last else origin) <= b < cs]
            gap_mentions = [m for m in mentions if (last.cue_end if last else origin) <= m.start and m.end <= cs]
            if last is not None and not opens:
                comma = text.rfind(",", 0, cs)
                if cue.role == "report" and TRAILING.search(text[:cs]) and not [m for m in gap_mentions if m.start > comma]:
                    continue  # ", officials said": attribution of the clause before
                if cue.role == "split":
                    if last.cue.role == "report" and last.kind == "Claim":
                        self._refine_report(last, text[last.cue_end:cs], conditional=True)
                    if last.kind != "Offer":
                        continue  # "if" inside a demand, warning or proposal is part of it
                elif not gap_breaks and (not gap_mentions or last.cue.role == "report") \
                        and " and " not in text[last.cue_end:cs]:
                    self._refine(last, cue)
                    continue
            if last is not None and any(last.cue_end <= p < cs and not [m for m in gap_mentions if m.start > p]
                                        for p in participles):
                continue  # ", opening what officials expect ...": a participle clause, no new position
            if cue.role == "split" or opens:
                start = cs
            elif gap_breaks:
                start = gap_breaks[-1] + 1
            elif last is not None:
                comma = text.rfind(", ", last.cue_end, gap_mentions[-1].start) if gap_mentions else -1
                start = comma + 1 if comma >= 0 else gap_mentions[0].start if gap_mentions else cs
            else:
                start = origin
            clauses.append(_Clause(cue, start, cs, ce, kind=cue.kind, firmness=cue.firmness, modality=cue.modality))
        for i, clause in enumerate(clauses):
            nxt = clauses[i + 1].start if i + 1 < len(clauses) else len(text)
            later = [b for b in breaks if clause.cue_end <= b < nxt]
            clause.end = later[0] if later else nxt
            if clause.cue.role == "report" and clause.kind == "Claim":
                self._refine_report(clause, text[clause.cue_end:clause.end])
        out = []
        for i, clause in enumerate(clauses):
            draft = self._draft(clause, clauses[i - 1] if i else None, text, base, mentions)
            if draft is not None:
                out.append(draft)
                self.previous = draft
        return out

    @staticmethod
    def _refine(clause: _Clause, cue: Cue) -> None:
        """A later cue in the same clause: "said ... might consider", "called the demand non-negotiable"."""
        if cue.role == "report":
            return
        if clause.cue.role == "report" or clause.kind in ("Claim", "Assessment"):
            clause.kind, clause.modality = cue.kind, cue.modality or clause.modality
            if clause.cue.firmness != "Hinted":
                clause.firmness = cue.firmness
        if cue.firmness in ("Insisted", "Ultimatum"):
            clause.firmness = cue.firmness
        if cue.kind == "Offer" and cue.modality == "Possible":
            clause.firmness = "Hinted"

    @staticmethod
    def _refine_report(clause: _Clause, body: str, conditional: bool = False) -> None:
        """The kind of a reporting clause ("X said ...") from what is said; ``conditional``: a condition follows."""
        said = REPORTED_MODAL.match(body)
        if re.search(r"\bunless\b", body, re.I):
            clause.kind, clause.firmness = ("Demand", "Ultimatum") if THREAT.search(body) else ("Condition", "Stated")
        elif conditional and said and not said.group("neg"):
            clause.kind = "Offer"  # "X said Y would ... if Z": a conditional commitment
            if said.group("modal").lower() in HEDGED:
                clause.firmness, clause.modality = "Hinted", "Possible"
        elif REASON.search(body):
            clause.kind = "Argument"
        elif re.search(r"\b(?:final|non-negotiable)\b", body, re.I):
            clause.firmness = "Insisted"

    def _reported(self, clause: _Clause, text: str, holder: str | None) -> bool:
        """What a speaker says or insists on: their own side's "would/could ..." is an Offer (hedged by could,
        might, may), their side's "would not" a refusal (a Claim); anything else said is a reason (Argument),
        a Condition when it is a requirement, a Claim when negated or final. True for a refusal."""
        insisted = clause.kind == "Demand" and clause.cue.firmness == "Insisted" and clause.cue.role == "main"
        if not (clause.kind == "Claim" and clause.cue.role == "report") and not insisted:
            return False
        body = text[clause.cue_end:clause.end]
        quoted = re.match(r'^\W*[\"“](.+?)[,.]?[\"”]', text[clause.start:clause.cue_start])
        if quoted and not insisted and len(body.split()) < 3:
            body = quoted.group(1)  # '"...," she said': what is said is the quote
        said = REPORTED_MODAL.match(body)
        if said and self._own_side(said.group("subject"), holder):
            if said.group("neg"):
                clause.kind, clause.firmness = "Claim", "Insisted" if insisted else clause.firmness
                return True
            if not insisted:
                clause.kind = "Offer"
                if said.group("modal").lower() in HEDGED:
                    clause.firmness, clause.modality = "Hinted", "Possible"
            return False
        if insisted and REASON.search(body):
            clause.kind, clause.firmness = "Argument", "Argued"
            return False
        if insisted or len(body.split()) < 3 or re.search(r"\b(?:final|non-negotiable)\b", body, re.I):
            return False
        if REQUIREMENT.search(body):
            clause.kind = "Condition"
        elif not NEGATION.search(body):
            clause.kind = "Argument"
        return False

    def _own_side(self, subject: str, holder: str | None) -> bool:
        """Whether a subject ("the group", "Drassk", "her government") is the holder's own side."""
        if SELF.match(subject):
            return True
        return holder is not None and any(m.actor in (holder, self.side(holder)) for m in self.index.mentions(subject))

    def _draft(self, clause: _Clause, before: _Clause | None, text: str, base: int,
               mentions: list[Mention]) -> dict[str, Any] | None:
        inside = [m for m in mentions if clause.start <= m.start < clause.end]
        pre = [m for m in inside if m.end <= clause.cue_start]
        post = [m for m in inside if m.start >= clause.cue_end]
        holder = None
        if clause.cue.pattern.startswith("an offer from") and post:
            holder, post = post[0].actor, post[1:]
        elif clause.cue.role == "split" and before is not None:
            holder = before.holder
        elif ANAPHOR.match(text[clause.start:clause.cue_start]) or HOLDER_ANAPHOR.search(text[clause.start:clause.cue_end]):
            holder = (self.previous or {}).get("holder")
        elif pre:
            holder = pre[-1].actor
        elif before is not None:
            holder = before.holder
        elif post and clause.cue.role == "report":
            holder = post[0].actor
        if holder is None and re.match(r"^\s*[\"“]", text):
            after = [m for m in mentions if m.start >= clause.cue_end]
            holder = after[0].actor if after else None
        clause.holder = holder
        if holder and self.kinds.get(holder) == "Person" and holder not in self.sides:
            side = _demonym_side(text, clause.cue_start, self.parties, self.index) \
                or next((self.side(m.actor) for m in reversed(pre) if self.side(m.actor)), None) \
                or self.side((self.previous or {}).get("holder"))
            if side:
                self.sides[holder] = side
        refusal = self._reported(clause, text, holder)
        kind = clause.kind
        if kind in ("Claim", "Argument", "Offer") and clause.cue.role == "report" \
                and self.kinds.get(holder or "") in COMMENTATOR_KINDS and holder not in self.stakeholders:
            kind = "Assessment"
        warning = text[clause.cue_end:clause.end] if fold(text[clause.cue_start:clause.cue_end]).startswith("warn") else ""
        if kind == "Assessment" and (TALKS_THREAT.search(warning) or re.search(r"\bunless\b", warning, re.I)):
            kind, clause.firmness = "Demand", "Ultimatum"
        if kind in ("Demand", "Offer", "Proposal", "Condition") and holder:
            self.stakeholders.add(holder)
        if clause.cue.role == "report" and kind in ("Claim", "Assessment") and EVENT.search(text[clause.start:clause.cue_start]) \
                or OUTLOOK.search(text[max(0, clause.cue_start - 12):clause.cue_end]) and not holder:
            return None
        refusal = refusal or (kind == "Claim" and bool(REFUSAL.search(text[clause.cue_start:clause.cue_end])))
        addressee = next((m.actor for m in post if m.actor != holder and m.actor != self.side(holder)
                          and not re.search(r"\b(?:from|by) $", text[max(0, m.start - 5):m.start])
                          and m.actor not in (self.previous or {}).get("_speaker", ())), None)
        if addressee is None and (kind in ("Demand", "Offer", "Condition", "Proposal") or refusal):
            other = [p for p in self.parties if p != self.side(holder)]
            if len(other) == 1 and self.side(holder) in self.parties:
                addressee = other[0]
        body = text[clause.start:clause.end]
        after_cue = text[clause.cue_start:clause.end]
        named = [(m.start - clause.start, m.end - clause.start) for m in inside]  # "Families of the hostages"
        topics = list(dict.fromkeys(i for i, _, _ in self.issues.find(after_cue))) or \
            list(dict.fromkeys(i for i, s, e in self.issues.find(body) if not any(a < e and s < b for a, b in named)))
        if not topics and self.previous and self.previous.get("topic") \
                and (refusal or self.previous.get("holder") == holder
                     or self.side(self.previous.get("holder")) == self.side(holder) is not None):
            topics = list(self.previous["topic"])
        draft: dict[str, Any] = {"id": self._id(kind, body), "draft": True, "reviewed": False, "kind": kind}
        if holder:
            draft["holder"] = holder
        if kind in ("Proposal", "Offer", "Demand") and addressee is None and holder not in self.parties and self.side(holder) is None \
                and len(self.parties) == 2:
            draft["addressee"] = list(self.parties)
        elif addressee and kind != "Argument":  # a reason given is addressed to no one in particular
            draft["addressee"] = addressee
        if topics:
            draft["topic"] = topics
        draft["firmness"] = clause.firmness
        draft["status"] = "AnonymouslySourced" if ANONYMOUS.search(body) else "Reported" if REPORTED.search(body) else "OnRecord"
        if clause.modality:
            draft["modality"] = clause.modality
        if refusal:
            draft["negated"] = True
        draft["cue"] = text[clause.cue_start:clause.cue_end]
        draft.update(quantities(body))
        draft["evidence"] = [self._evidence(text, base, clause.start, clause.end)]
        return draft


def draft_statements(raw: str, index: AliasIndex, issues: Sequence[Mapping] = (),
                     kinds: Mapping[str, str] | None = None, noise: Sequence[str] = (),
                     represents: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Candidate statements (and stubs for segments without one) for a raw article text.

    ``kinds`` maps actor ids to actor kinds (commentator groups' sayings become Assessments);
    ``represents`` maps an actor to the party it speaks for (a state company to its state).
    """
    return _Drafter(raw, index, issues, kinds or {}, noise, represents).run()


def load_entities(root: Path) -> dict[str, Any]:
    """The corpus entities (``ROOT/entities.yaml``) as plain data; missing file -> empty."""
    path = Path(root) / "entities.yaml"
    if not path.exists():
        return {}
    from kg.annotations import read_yaml
    data = read_yaml(path) or {}
    if not isinstance(data, dict):
        raise KgError([InputError(path, 1, "expected a mapping with actors, places, issues, roles")])
    return data


def draft_article(root: Path, raw: str, article_id: str, local_actors: Sequence[Mapping] = (),
                  noise: Sequence[str] = ()) -> tuple[list[dict[str, Any]], list[str]]:
    """Drafts for one article of the corpus at ``root``, and warnings for the reviewer."""
    entities = load_entities(root)
    actors = list(entities.get("actors") or [])
    index = AliasIndex.from_entities(actors, local_actors, source=Path(root) / "entities.yaml",
                                     local_source=f"articles/{article_id}.yaml")
    kinds = {str(a.get("id")): str(a.get("kind")) for a in [*actors, *local_actors]}
    represents = {str(a.get("id")): str(a["represents"]) for a in [*actors, *local_actors] if a.get("represents")}
    drafts = draft_statements(raw, index, entities.get("issues") or [], kinds, noise, represents)
    warnings = unmentioned_holders(index, [d for d in drafts if "kind" in d], raw)
    warnings += [f"{d['id']}: no holder found; name the actor (known names: kg's entities.yaml)"
                 for d in drafts if "kind" in d and "holder" not in d]
    return drafts, warnings


# --- review and accept ------------------------------------------------------------


@dataclass
class ReviewReport:
    """What is left to review in an article's drafts.

    >>> ReviewReport("001_x", 3, 1, 1, ["x"]).lines()[0]
    '001_x: 3 drafts (1 reviewed, 1 without a kind, 2 left to check)'
    """

    article: str
    drafts: int
    reviewed: int
    stubs: int
    todo: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"{self.article}: {self.drafts} drafts ({self.reviewed} reviewed, {self.stubs} without a kind, "
                f"{self.drafts - self.reviewed} left to check)", *(f"  {t}" for t in self.todo)]


def _paths(root: Path, article_id: str) -> tuple[Path, Path]:
    articles = Path(root) / "articles"
    return articles / f"{article_id}.yaml", articles / f"{article_id}.draft.yaml"


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise KgError([InputError(path, None, "no such file", "ingest the article first: kg ingest FILE")])
    with path.open(encoding="utf-8") as handle:
        try:
            data = yaml.safe_load(handle) or {}
        except yaml.YAMLError as exc:
            raise KgError([InputError(path, None, f"malformed YAML: {exc}", "check indentation and quotes")]) from exc
    if not isinstance(data, dict):
        raise KgError([InputError(path, 1, "expected a mapping with 'article' and 'statements'")])
    return data


def review(root: Path | str, article_id: str) -> ReviewReport:
    """List an article's drafts and what each still needs (kind, holder, addressee, topic, review).

    >>> import tempfile; root = Path(tempfile.mkdtemp()); (root / "articles").mkdir()
    >>> _ = (root / "articles" / "001_x.draft.yaml").write_text("statements: [{id: a, kind: Demand, draft: true, reviewed: false}]")
    >>> review(root, "001_x").todo[0].split("; ")[1]
    'no holder, no addressee, no topic, no label, no content, no firmness, no status, no reported_by, no evidence, not reviewed'
    """
    _, draft_path = _paths(Path(root), article_id)
    items = _read(draft_path).get("statements") or []
    report = ReviewReport(article_id, len(items), sum(1 for i in items if i.get("reviewed") is True),
                          sum(1 for i in items if "kind" not in i))
    for item in items:
        if item.get("reviewed") is True:
            continue
        missing = [f"no {k}" for k in ("kind", "holder") if k not in item]
        if item.get("kind") in ("Demand", "Offer", "Condition") and "addressee" not in item:
            missing.append("no addressee")
        if "kind" in item and "topic" not in item:
            missing.append("no topic")
        if item.get("kind") in VOCABULARY.statement_kinds:
            missing += [f"no {k}" for k in REQUIRED[statement_group(item["kind"])]
                        if k not in ("kind", "holder") and item.get(k) in (None, "", [])]
        head = item.get("kind", "no statement recognised")
        report.todo.append(f"{item.get('id')}: {head}; " + ", ".join([*missing, "not reviewed"]))
    return report


def _check_complete(draft_path: Path, done: list[dict[str, Any]]) -> None:
    """Refuse reviewed drafts that lack a key every curated statement of their kind needs."""
    lines = draft_path.read_text(encoding="utf-8").splitlines()
    problems = []
    for item in done:
        line_of_id = re.compile(rf"\s*-?\s*id:\s*['\"]?{re.escape(str(item.get('id')))}['\"]?\s*$")
        line = next((n for n, text in enumerate(lines, 1) if line_of_id.match(text)), None)
        kind = item.get("kind")
        if kind not in VOCABULARY.statement_kinds:
            problems.append(InputError(draft_path, line, f"reviewed draft '{item.get('id')}' has no known kind ({kind!r})",
                                       f"give it a kind ({', '.join(VOCABULARY.statement_kinds)}) or delete it"))
            continue
        missing = [key for key in REQUIRED[statement_group(kind)] if item.get(key) in (None, "", [])]
        if missing:
            problems.append(InputError(draft_path, line, f"reviewed draft '{item.get('id')}' has no {', '.join(missing)}",
                                       "fill them in (see kg review), or set reviewed: false"))
    if problems:
        raise KgError(problems)


def accept(root: Path | str, article_id: str) -> list[str]:
    """Move drafts marked ``reviewed: true`` into ``ID.yaml`` (draft-only keys removed); return their ids.

    The rest stay in ``ID.draft.yaml``. Both files are rewritten atomically. A reviewed draft that
    lacks a key its kind needs (``label``, ``content``, ``reported_by``...) stops the whole step:
    nothing moves.
    """
    meta_path, draft_path = _paths(Path(root), article_id)
    meta_text = meta_path.read_text(encoding="utf-8") if meta_path.exists() else ""
    _read(meta_path)
    drafts = _read(draft_path)
    items = drafts.get("statements") or []
    done = [i for i in items if i.get("reviewed") is True]
    if not done:
        return []
    _check_complete(draft_path, done)
    accepted = [{k: v for k, v in i.items() if k not in DRAFT_ONLY_KEYS} for i in done]
    dump = yaml.safe_dump(accepted, sort_keys=False, allow_unicode=True, width=1000)
    block = "\n".join("  " + line if line else line for line in dump.splitlines())
    if re.search(r"^statements:\s*\[\]\s*$", meta_text, re.M):
        new_meta = re.sub(r"^statements:\s*\[\]\s*$", lambda _: "statements:\n" + block, meta_text, count=1, flags=re.M)
    else:
        new_meta = meta_text.rstrip("\n") + "\n" + block + "\n" if "statements:" in meta_text \
            else meta_text + "\nstatements:\n" + block + "\n"
    drafts["statements"] = [i for i in items if i.get("reviewed") is not True]
    header = "".join(line for line in draft_path.read_text(encoding="utf-8").splitlines(True) if line.startswith("#"))
    write_outputs({
        meta_path: new_meta.encode(),
        draft_path: (header + yaml.safe_dump(drafts, sort_keys=False, allow_unicode=True, width=1000)).encode(),
    })
    return [str(i.get("id")) for i in accepted]


def _cmd_review(args: argparse.Namespace) -> int:
    try:
        if args.accept:
            ids = accept(find_corpus(args.corpus).root, args.article)
            print(f"accepted {len(ids)} reviewed statements into articles/{args.article}.yaml" +
                  (": " + ", ".join(ids) if ids else " (mark drafts with reviewed: true first)"))
        print("\n".join(review(find_corpus(args.corpus).root, args.article).lines()))
    except KgError as exc:
        print(exc)
        return 1
    return 0


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``kg review ARTICLE [--accept]``.

    >>> parser = argparse.ArgumentParser(); sub = parser.add_subparsers()
    >>> _ = register(sub); parser.parse_args(["review", "001_x", "--accept"]).accept
    True
    """
    parser = subparsers.add_parser("review", help="list an article's draft statements; --accept moves reviewed ones in",
                                   description="List the drafts of ARTICLE and what is left to check. With --accept, "
                                   "move the drafts marked 'reviewed: true' into articles/ARTICLE.yaml.")
    parser.add_argument("article", help="the article id, e.g. 001_0e22b9a82a6b1fdf")
    parser.add_argument("--accept", action="store_true", help="move reviewed drafts into the curated file")
    parser.set_defaults(func=_cmd_review, handler=_cmd_review)
    return parser
