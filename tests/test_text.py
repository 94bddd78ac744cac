"""Tests for kg.text: noise removal, offset maps and segmentation."""

import doctest
from pathlib import Path

import pytest

import kg.text
from kg.text import Segment, normalize, segments

ROOT = Path(__file__).resolve().parents[1]

SEED = ROOT / "data" / "articles" / "000_0e22b9a82a6b1fdf.txt"

# (raw start, raw end, raw text around it) of the 12 removed "which is the" spans
SEED_NOISE = [
    (411, 424, "for a which is the signed"),
    (693, 706, "NATO which is the Article"),
    (862, 875, "NATO which is the mutual"),
    (1036, 1049, "to which is the modernize"),
    (1200, 1213, "Ukraine’s which is the shattered"),
    (1344, 1357, "is which is the pushing"),
    (1752, 1765, "by which is the Russia"),
    (1878, 1891, "Steve which is the Witkoff"),
    (2104, 2117, "ready which is the from"),
    (2300, 2313, "to which is the any"),
    (2433, 2446, "a which is the national"),
    (2617, 2630, "outright which is the supporter"),
]

# (kind, line, raw start, raw end, boundary, normalised text) of every segment
SEED_SEGMENTS = [
    (
        "sentence",
        1,
        0,
        206,
        "inferred",
        (
            "In a pivotal shift for global diplomacy, the United States has "
            "reportedly delivered a firm ultimatum to Kyiv Ukraine must finalize a "
            "peace agreement with Russia to secure long awaited US security "
            "guarantees"
        ),
    ),
    (
        "sentence",
        1,
        207,
        442,
        "punctuation",
        (
            "Sources familiar with internal discussions in Washington revealed on "
            "Tuesday January 27 2026, that the Trump administration views these "
            "guarantees not as a prerequisite for peace, but as the reward for a "
            "signed settlement."
        ),
    ),
    ("heading", 2, 443, 473, "line", "Why Security Guarantees Matter"),
    (
        "sentence",
        3,
        474,
        599,
        "inferred",
        (
            "For President Volodymyr Zelenskyy and the Ukrainian leadership US "
            "security guarantees are the linchpin of any post war future"
        ),
    ),
    (
        "sentence",
        3,
        600,
        803,
        "punctuation",
        (
            "Kyiv has consistently argued that without a solid commitment from "
            "Washington similar to NATO Article 5 Russia would simply use a "
            "ceasefire as a breathing spell to rearm for a future assault."
        ),
    ),
    (
        "list_item",
        4,
        806,
        980,
        "line",
        (
            "Article 5 Like Assurances: Pledges that mirror the NATO mutual defense"
            " clause, including a coordinated military response to any sustained "
            "future Russian attacks."
        ),
    ),
    (
        "list_item",
        5,
        983,
        1115,
        "line",
        (
            "Peacetime Weaponry: A promise of advanced US arms to modernize "
            "Ukraine’s military, ensuring a high level of deterrence."
        ),
    ),
    ("heading", 6, 1116, 1134, "line", "Prosperity Package"),
    (
        "sentence",
        7,
        1135,
        1250,
        "punctuation",
        (
            "Financial incentives and reconstruction aid to rebuild Ukraine’s "
            "shattered infrastructure and economy."
        ),
    ),
    ("heading", 8, 1251, 1269, "line", "15 Year Commitment"),
    (
        "sentence",
        9,
        1270,
        1397,
        "punctuation",
        (
            "Reports suggest the U S is offering a 15 year guarantee though Ukraine"
            " is pushing for a 50 year deterrence shield."
        ),
    ),
    ("heading", 10, 1398, 1416, "line", "The Donbas Dilemma"),
    (
        "sentence",
        11,
        1417,
        1525,
        "inferred",
        (
            "While the White House maintains it is not forcing territorial "
            "concessions the reality on the ground is stark"
        ),
    ),
    (
        "sentence",
        11,
        1526,
        1771,
        "line",
        (
            "Reports from the Financial Times and Reuters suggest that the US "
            "brokered deal being discussed in Abu Dhabi may require Ukraine to "
            "withdraw from remaining portions of the Donbas Donetsk and Luhansk "
            "regions not yet occupied by Russia"
        ),
    ),
    ("heading", 12, 1772, 1806, "line", "The Negotiating Table in Abu Dhabi"),
    (
        "sentence",
        13,
        1807,
        2025,
        "punctuation",
        (
            "Recent trilateral talks in Abu Dhabi between US envoys including Steve"
            " Witkoff and Jared Kushner Ukrainian officials and Russian "
            "representatives have been described as constructive but extremely "
            "difficult."
        ),
    ),
    ("heading", 14, 2026, 2035, "line", "90% Ready"),
    (
        "sentence",
        15,
        2036,
        2202,
        "punctuation",
        (
            "President Zelenskyy stated that the security document is 100% ready "
            "from the US side but the final 10% the territorial status remains the "
            "sticking point."
        ),
    ),
    ("heading", 16, 2203, 2221, "line", "The Russian Demand"),
    (
        "sentence",
        17,
        2222,
        2327,
        "punctuation",
        (
            "The Kremlin insists that the surrender of the entire Donbas is "
            "fundamental to any ceasefire."
        ),
    ),
    ("heading", 18, 2328, 2352, "line", "The Ukrainian Referendum"),
    (
        "sentence",
        19,
        2353,
        2498,
        "punctuation",
        (
            "Zelenskyy has hinted that any deal involving territorial shifts may be"
            " put to a national referendum to ensure democratic legitimacy."
        ),
    ),
    ("heading", 20, 2499, 2536, "line", "Why the U.S. Position Shifted in 2026"),
    (
        "sentence",
        21,
        2537,
        2651,
        "inferred",
        (
            "Under the current administration, Washington has pivoted from being an"
            " outright supporter to a broker"
        ),
    ),
    (
        "sentence",
        21,
        2652,
        2777,
        "punctuation",
        (
            "This strategy prioritizes ending the conflict quickly to de-escalate "
            "tensions and reduce the multi-billion-dollar aid burden."
        ),
    ),
    ("heading", 22, 2778, 2788, "line", "Disclaimer"),
    # the disclaimer line is split at its inferred boundary too; both parts
    # keep the kind "disclaimer"
    (
        "disclaimer",
        23,
        2789,
        2875,
        "inferred",
        (
            "The news information presented here is based on available reports and "
            "reliable sources"
        ),
    ),
    (
        "disclaimer",
        23,
        2876,
        2936,
        "line",
        "Readers should crosscheck updates from official news outlets",
    ),
]


@pytest.fixture(scope="module")
def seed() -> str:
    return SEED.read_bytes().decode("utf-8")


def check_maps(norm: kg.text.NormalizedText) -> None:
    """The offset maps are exact and consistent with each other."""
    raw, text = norm.raw, norm.text
    assert norm.to_raw(len(text)) == len(raw)
    assert norm.to_text(len(raw)) == len(text)
    for i, ch in enumerate(text):
        assert raw[norm.to_raw(i)] == ch
        assert norm.to_text(norm.to_raw(i)) == i
    for span in norm.noise:
        for r in range(span.start, span.end):
            assert norm.to_text(r) == norm.to_text(span.start)
    assert norm.clean(0, len(raw)) == text


def check_segments(norm: kg.text.NormalizedText, segs: list[Segment]) -> None:
    for s in segs:
        raw_text = norm.raw[s.start : s.end]
        assert raw_text == raw_text.strip() and raw_text
        assert not (s.kind == "list_item" and raw_text.startswith("- "))
        assert s.text == norm.clean(s.start, s.end)
        assert s.line == norm.raw.count("\n", 0, s.start) + 1
        assert norm.raw_span(norm.to_text(s.start), norm.to_text(s.end)) == (
            s.start,
            s.end,
        )


def test_doctests() -> None:
    assert doctest.testmod(kg.text).failed == 0


def test_seed_noise_removed(seed: str) -> None:
    norm = normalize(seed)
    assert [(n.start, n.end) for n in norm.noise] == [(s, e) for s, e, _ in SEED_NOISE]
    for span, (start, end, context) in zip(norm.noise, SEED_NOISE, strict=True):
        assert span.phrase == "which is the"
        assert seed[start:end] == "which is the "  # the phrase and the space after
        assert context in seed
        assert context.replace("which is the ", "") in norm.text
    assert "which is the" not in norm.text
    assert "Steve Witkoff" in norm.text and "for a signed settlement." in norm.text
    # nothing else changed: the text is the raw minus exactly the 12 spans
    kept = set(range(len(seed))) - {r for s, e, _ in SEED_NOISE for r in range(s, e)}
    assert norm.text == "".join(seed[r] for r in sorted(kept))
    check_maps(norm)


def test_seed_segments(seed: str) -> None:
    norm = normalize(seed)
    segs = segments(norm)
    got = [(s.kind, s.line, s.start, s.end, s.boundary, s.text) for s in segs]
    assert got == SEED_SEGMENTS
    check_segments(norm, segs)
    kinds = [s.kind for s in segs]
    assert kinds.count("heading") == 10 and kinds.count("list_item") == 2
    inferred = [s for s in segs if s.boundary == "inferred"]
    followers = [segs[segs.index(s) + 1].text for s in inferred]
    assert [" ".join(f.split()[:3]) for f in followers] == [
        "Sources familiar with",
        "Kyiv has consistently",
        "Reports from the",
        "This strategy prioritizes",
        "Readers should crosscheck",
    ]


@pytest.mark.parametrize(
    "phrase",
    [
        "to Kyiv Ukraine must finalize",
        "leadership US security guarantees are",
        "similar to NATO Article 5 Russia would simply use",
        "require Ukraine to withdraw",
        "entire Donbas is fundamental",
        "Kushner Ukrainian officials",
        "modernize Ukraine’s military",
        "advanced US arms",
        "though Ukraine is pushing",
        "rebuild Ukraine’s shattered",
    ],
)
def test_seed_not_split(seed: str, phrase: str) -> None:
    segs = segments(normalize(seed))
    assert sum(phrase in s.text for s in segs) == 1


def test_code_points_not_bytes(seed: str) -> None:
    # two ’ (3 bytes in UTF-8) come before the heading "Prosperity Package"
    assert [i for i, c in enumerate(seed) if c == "’"] == [1066, 1197]
    assert seed[1116:1134] == "Prosperity Package"
    assert seed.encode("utf-8")[1116:1134] != b"Prosperity Package"
    assert seed.encode("utf-8").index(b"Prosperity Package") == 1118
    heading = segments(normalize(seed))[7]
    assert (heading.start, heading.end) == (1116, 1134)


def test_invented_text() -> None:
    # invented test text, not from any article: noise at the start and at the
    # end of a line, a missing full stop, a list item and an abbreviation
    raw = (
        "Talks Resume\n"
        "which is the Officials said the talks were useful"
        " Both sides will meet again which is the\n"
        "- which is the First point.\n"
        "The U.S. team has left. It was late.\n"
    )
    norm = normalize(raw)
    assert norm.text == (
        "Talks Resume\n"
        "Officials said the talks were useful Both sides will meet again\n"
        "- First point.\n"
        "The U.S. team has left. It was late.\n"
    )
    starts = [raw.index("which is the"), raw.index(" which is the\n")]
    assert [(n.start, n.end) for n in norm.noise[:2]] == [
        (starts[0], starts[0] + 13),  # phrase + the space after it
        (starts[1], starts[1] + 13),  # space before it + phrase (end of line)
    ]
    check_maps(norm)
    segs = segments(norm)
    check_segments(norm, segs)
    assert [(s.kind, s.line, s.boundary, s.text) for s in segs] == [
        ("heading", 1, "line", "Talks Resume"),
        ("sentence", 2, "inferred", "Officials said the talks were useful"),
        ("sentence", 2, "line", "Both sides will meet again"),
        ("list_item", 3, "line", "First point."),
        ("sentence", 4, "punctuation", "The U.S. team has left."),
        ("sentence", 4, "punctuation", "It was late."),
    ]
    # the raw spans leave out noise at their edges
    assert raw[segs[1].start : segs[1].end] == "Officials said the talks were useful"
    assert raw[segs[2].start : segs[2].end] == "Both sides will meet again"
    assert raw[segs[3].start : segs[3].end] == "First point."


def test_names_not_split() -> None:
    # invented test text, not from any article
    for sentence in [
        "Envoys Steve Witkoff and Jared Kushner Ukrainian officials have met.",
        "He sent an ultimatum to Kyiv Ukraine must sign now.",
        "She has praised the new Prime Minister Keir Starmer Labour is pleased.",
        "They have visited Abu Dhabi Saudi Arabia and Qatar this week.",
    ]:
        segs = segments(normalize(sentence))
        assert [s.text for s in segs] == [sentence]


def test_empty_text() -> None:
    for raw in ["", "\n", "  \n\n"]:
        norm = normalize(raw)
        assert norm.text == raw and norm.noise == ()
        assert norm.to_raw(0) == 0 and norm.to_text(0) == 0
        assert norm.raw_span(0, 0) == (0, 0) and norm.clean(0, 0) == ""
        assert segments(norm) == []
