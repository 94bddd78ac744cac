"""Score drafted statements against curated gold: precision, recall and F1.

Two scores, each over statements whose kind is one the drafter proposes
(:data:`SCORED_KINDS`; events, conflicts, outcomes and kind-less stubs are not scored):

**Tuples** (holder, kind, addressee, topic). A draft matches a gold statement of the same
article when the kinds are equal, the holders share an actor, the addressees share an actor
or are both absent, and the topics share an issue or are both absent. Matching is one-to-one
(each gold statement matches at most one draft), greedy, preferring the largest span overlap.
Recall is also given by kind, and every missed gold statement gets a reason
(:func:`miss_reason`: no draft on its words, or which of kind, holder, addressee, topic differ
in the draft on its words).

**Spans** (evidence). A draft span matches a gold span when their overlap is at least half of
their mean length (Dice coefficient ``2|a ∩ b| / (|a| + |b|) >= 0.5``, in code points of the raw
text); again one-to-one and greedy.

>>> gold = {"a": [{"kind": "Demand", "holder": "x", "addressee": "y", "topic": ["t"],
...               "evidence": [{"start": 0, "end": 10}]}]}
>>> drafts = {"a": [{"kind": "Demand", "holder": "x", "addressee": "y", "topic": ["t", "u"],
...                  "evidence": [{"start": 2, "end": 10}]}]}
>>> s = evaluate(drafts, gold); (s.tuples.precision, s.tuples.recall, s.spans.f1)
(1.0, 1.0, 1.0)
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kg.corpus import find_corpus

SCORED_KINDS = ("Demand", "Offer", "Condition", "Claim", "Proposal", "Assessment", "Argument")
SPAN_THRESHOLD = 0.5


@dataclass
class PRF:
    """Counts and precision/recall/F1.

    >>> PRF(8, 10, 9).precision, PRF(8, 10, 9).recall
    (0.8, 0.8888888888888888)
    """

    matched: int
    drafted: int
    gold: int
    matched_gold: int | None = None

    @property
    def precision(self) -> float:
        return self.matched / self.drafted if self.drafted else 0.0

    @property
    def recall(self) -> float:
        return (self.matched if self.matched_gold is None else self.matched_gold) / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self, name: str) -> str:
        return f"{name}: P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}  " \
               f"({self.matched} matched, {self.drafted} drafted, {self.gold} gold)"


@dataclass
class Scores:
    """Tuple and span scores, with the unmatched statements for inspection."""

    tuples: PRF
    spans: PRF
    missed: list[tuple[str, dict]] = field(default_factory=list)
    spurious: list[tuple[str, dict]] = field(default_factory=list)
    by_kind: dict[str, PRF] = field(default_factory=dict)
    reasons: Counter[str] = field(default_factory=Counter)

    def lines(self) -> list[str]:
        return [self.tuples.line("tuples (holder, kind, addressee, topic)"), self.spans.line("evidence spans (Dice >= 0.5)")]

    def kind_lines(self) -> list[str]:
        """Tuple scores by kind (precision over the drafts of that kind, recall over the gold of that kind)."""
        return [prf.line(f"  {kind}") for kind, prf in sorted(self.by_kind.items())]

    def reason_lines(self) -> list[str]:
        """Why gold statements were missed, most frequent reason first."""
        return [f"  {count:3d}  {reason}" for reason, count in sorted(self.reasons.items(), key=lambda r: (-r[1], r[0]))]


def _set(value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    return frozenset(str(v) for v in value) if isinstance(value, list | tuple) else frozenset([str(value)])


def _spans(item: Mapping) -> list[tuple[int, int]]:
    return [(int(e["start"]), int(e["end"])) for e in item.get("evidence") or [] if "start" in e and "end" in e]


def dice(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> float:
    """Best Dice overlap between any span of ``a`` and any of ``b``.

    >>> dice([(0, 10)], [(5, 15)])
    0.5
    """
    best = 0.0
    for s1, e1 in a:
        for s2, e2 in b:
            inter = max(0, min(e1, e2) - max(s1, s2))
            total = (e1 - s1) + (e2 - s2)
            best = max(best, 2 * inter / total if total else 0.0)
    return best


def tuple_match(draft: Mapping, gold: Mapping) -> bool:
    """Same kind, a shared holder, shared or both-absent addressee and topic.

    >>> tuple_match({"kind": "Offer", "holder": "x"}, {"kind": "Offer", "holder": ["x", "z"]})
    True
    """
    def agree(key: str) -> bool:
        d, g = _set(draft.get(key)), _set(gold.get(key))
        return bool(d & g) if d or g else True
    return draft.get("kind") == gold.get("kind") and bool(_set(draft.get("holder")) & _set(gold.get("holder"))) \
        and agree("addressee") and agree("topic")


def miss_reason(gold: Mapping, drafts: Sequence[Mapping]) -> str:
    """Why no draft matched ``gold``: none on its words (Dice < 0.5), else what differs in the one that overlaps most.

    >>> g = {"kind": "Offer", "holder": "x", "addressee": "y", "evidence": [{"start": 0, "end": 10}]}
    >>> miss_reason(g, [{"kind": "Claim", "holder": "x", "evidence": [{"start": 0, "end": 12}]}])
    'kind + addressee'
    >>> miss_reason(g, [{"kind": "Offer", "holder": "x", "addressee": "y", "evidence": [{"start": 30, "end": 40}]}])
    'no draft on its words'
    """
    best = max(drafts, key=lambda d: dice(_spans(d), _spans(gold)), default=None)
    if best is None or dice(_spans(best), _spans(gold)) < SPAN_THRESHOLD:
        return "no draft on its words"
    differ = [key for key in ("kind", "holder", "addressee", "topic")
              if not tuple_match({**gold, key: best.get(key)}, gold)]
    return " + ".join(differ) or "its draft matched another gold statement"


def _scored(items: Sequence[Mapping]) -> list[Mapping]:
    return [i for i in items if i.get("kind") in SCORED_KINDS]


def evaluate(drafts: Mapping[str, Sequence[Mapping]], gold: Mapping[str, Sequence[Mapping]]) -> Scores:
    """Compare drafts with gold, both keyed by article id (lists of statement mappings)."""
    t_match = s_match = n_draft = n_gold = 0
    missed, spurious = [], []
    kinds: dict[str, PRF] = {}
    reasons: Counter[str] = Counter()
    for article in sorted(set(drafts) | set(gold)):
        ds, gs = _scored(drafts.get(article, [])), _scored(gold.get(article, []))
        n_draft, n_gold = n_draft + len(ds), n_gold + len(gs)
        pairs = sorted(((dice(_spans(d), _spans(g)), i, j) for i, d in enumerate(ds) for j, g in enumerate(gs)
                        if tuple_match(d, g)), reverse=True)
        used_d: set[int] = set()
        used_g: set[int] = set()
        for _, i, j in pairs:
            if i not in used_d and j not in used_g:
                used_d.add(i)
                used_g.add(j)
        t_match += len(used_g)
        missed += [(article, dict(g)) for j, g in enumerate(gs) if j not in used_g]
        for j, g in enumerate(gs):
            prf = kinds.setdefault(str(g.get("kind")), PRF(0, 0, 0))
            prf.gold += 1
            prf.matched += j in used_g
            if j not in used_g:
                reasons[miss_reason(g, ds)] += 1
        for d in ds:
            kinds.setdefault(str(d.get("kind")), PRF(0, 0, 0)).drafted += 1
        spurious += [(article, dict(d)) for i, d in enumerate(ds) if i not in used_d]
        span_pairs = sorted(((dice(_spans(d), _spans(g)), i, j) for i, d in enumerate(ds) for j, g in enumerate(gs)),
                            reverse=True)
        sd: set[int] = set()
        sg: set[int] = set()
        for score, i, j in span_pairs:
            if score >= SPAN_THRESHOLD and i not in sd and j not in sg:
                sd.add(i)
                sg.add(j)
        s_match += len(sg)
    return Scores(PRF(t_match, n_draft, n_gold), PRF(s_match, n_draft, n_gold), missed, spurious, kinds, reasons)


def _load_statements(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    return list(data.get("statements") or [])


def evaluate_corpus(gold_root: Path | str) -> Scores:
    """Draft every article of a gold corpus from its raw text and score the drafts against its curated statements.

    >>> s = evaluate_corpus(Path(__file__).parent.parent / "tests" / "fixtures" / "eval")
    >>> s.tuples.precision >= 0.8 and s.tuples.recall >= 0.7
    True
    """
    from kg.draft import draft_article

    root = Path(gold_root)
    drafts, gold = {}, {}
    for path in sorted((root / "articles").glob("*.yaml")):
        if path.name.endswith(".draft.yaml"):
            continue
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        meta = data.get("article") or {}
        raw = (path.parent / str(meta.get("file", path.with_suffix(".txt").name))).read_text(encoding="utf-8")
        gold[path.stem] = list(data.get("statements") or [])
        drafts[path.stem], _ = draft_article(root, raw, path.stem, data.get("actors") or [], meta.get("noise") or [])
    return evaluate(drafts, gold)


def _cmd_eval(args: argparse.Namespace) -> int:
    root = Path(args.gold_dir) if args.gold_dir else find_corpus(args.corpus).root
    scores = evaluate_corpus(root)
    print("\n".join(scores.lines()))
    if getattr(args, "verbose", False):
        print("by kind (P: of the drafts of that kind; R: of the gold of that kind):")
        print("\n".join(scores.kind_lines()))
        print("why gold statements were missed (the draft on their words differs in):")
        print("\n".join(scores.reason_lines()))
        for article, item in scores.missed:
            print(f"missed  {article} {item.get('id')}: {item.get('kind')} {item.get('holder')} -> {item.get('addressee')} "
                  f"{item.get('topic')}")
        for article, item in scores.spurious:
            print(f"spurious {article} {item.get('id')}: {item.get('kind')} {item.get('holder')} -> {item.get('addressee')} "
                  f"{item.get('topic')} | {item['evidence'][0]['quote']}")
    return 0


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``kg eval [GOLD_DIR] [--verbose]`` (default GOLD_DIR: the corpus root).

    >>> parser = argparse.ArgumentParser(); sub = parser.add_subparsers()
    >>> _ = register(sub); parser.parse_args(["eval", "tests/fixtures/eval"]).gold_dir
    'tests/fixtures/eval'
    """
    parser = subparsers.add_parser("eval", help="score the drafting assistant against curated gold statements",
                                   description="Draft every article of GOLD_DIR (a corpus) and compare the drafts with "
                                   "its curated statements: P/R/F1 on (holder, kind, addressee, topic) and on evidence spans.")
    parser.add_argument("gold_dir", nargs="?", help="a corpus with curated statements (default: the corpus)")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="scores by kind, why statements were missed, and the missed and spurious statements")
    parser.set_defaults(func=_cmd_eval, handler=_cmd_eval)
    return parser
