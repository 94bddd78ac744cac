"""Drafting rules and actor aliases, on INVENTED sentences (written for these tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kg.aliases import AliasIndex, unmentioned_holders
from kg.draft import draft_article, draft_statements
from kg.errors import KgError

ROOT = Path(__file__).parent.parent
EVAL = ROOT / "tests" / "fixtures" / "eval"


@pytest.fixture(scope="module")
def seed_index() -> AliasIndex:
    return AliasIndex.from_entities(yaml.safe_load((ROOT / "data" / "entities.yaml").read_text())["actors"])


def test_transliteration_variants_resolve_to_zelenskyy(seed_index: AliasIndex) -> None:
    for name in ("Zelensky", "Zelenskiy", "Zelenskyy", "ZELENSKYY", "Volodymyr Zelenskij"):
        assert seed_index.resolve(name) == "volodymyr-zelenskyy", name
    mentions = seed_index.mentions("Kyiv said Zelensky would meet Witkoff.")
    assert [(m.actor, m.text) for m in mentions] == [("ukraine", "Kyiv"), ("volodymyr-zelenskyy", "Zelensky"),
                                                     ("steve-witkoff", "Witkoff")]


def test_diacritics_case_and_possessives(seed_index: AliasIndex) -> None:
    assert seed_index.resolve("Zelénskyy") == "volodymyr-zelenskyy"
    assert seed_index.resolve("ukraine’s") == "ukraine"
    assert [m.actor for m in seed_index.mentions("Ukraine’s army and the Kremlin's envoy")] == ["ukraine", "russia"]
    assert seed_index.mentions("let us talk") == []  # the pronoun is not the US


def test_suggestion_on_miss(seed_index: AliasIndex) -> None:
    assert seed_index.resolve("Kushnr") is None
    assert seed_index.suggest("Kushnr")[0] == "Kushner"


def test_duplicate_name_is_an_error() -> None:
    with pytest.raises(KgError, match="the name 'ALDORIA' of actor 'aldoria-local' is already a name of actor 'aldoria'"):
        AliasIndex.from_entities([{"id": "aldoria", "names": ["Aldoria"]}], [{"id": "aldoria-local", "names": ["ALDORIA"]}])


def test_unmentioned_holder_warning(seed_index: AliasIndex) -> None:
    warnings = unmentioned_holders(seed_index, [{"id": "s", "holder": "russia"}], "Kyiv said no.")
    assert warnings == ["statement 's': holder 'russia' is never mentioned in the article (names: Russia, the Kremlin, Kremlin)"]


def _draft(text: str) -> list[dict]:
    entities = yaml.safe_load((EVAL / "entities.yaml").read_text())
    index = AliasIndex.from_entities(entities["actors"])
    kinds = {a["id"]: a["kind"] for a in entities["actors"]}
    return [d for d in draft_statements(text, index, entities["issues"], kinds) if "kind" in d]


def test_offer_with_condition_and_hedge() -> None:
    # INVENTED sentence
    text = "Ingrid Lowe said Greyhaven could accept a gradual reduction if Dunmore agreed to independent inspections."
    offer, condition = _draft(text)
    assert (offer["kind"], offer["holder"], offer["modality"], offer["firmness"]) == ("Offer", "ingrid-lowe", "Possible", "Hinted")
    assert offer["evidence"][0]["quote"] == "Ingrid Lowe said Greyhaven could accept a gradual reduction"
    assert (condition["kind"], condition["holder"], condition["addressee"], condition["topic"]) == \
        ("Condition", "ingrid-lowe", "dunmore", ["inspections"])
    assert condition["evidence"][0] == {"quote": "if Dunmore agreed to independent inspections.", "start": 60, "end": 105}


def test_quantities_and_firmness() -> None:
    # INVENTED sentences
    [demand] = _draft("The Coastal Union insists that Norvania cut its steel tariff to 10 percent within three years.")
    assert (demand["kind"], demand["firmness"], demand["addressee"]) == ("Demand", "Insisted", "norvania")
    assert demand["share"] == {"value": 10, "unit": "percent"} and demand["duration"] == {"value": 3, "unit": "year"}
    [ultimatum] = _draft("Rusgaz threatened to cut the flow of gas to Brenland if no contract is signed.")
    assert (ultimatum["kind"], ultimatum["firmness"], ultimatum["addressee"]) == ("Demand", "Ultimatum", "brenland")
    [offer] = _draft("The Global Lending Fund said it was ready to provide a loan of $2 billion.")
    assert offer["kind"] == "Offer" and offer["amounts"][0]["value"] == 2_000_000_000


def test_every_segment_is_drafted_or_stubbed(tmp_path: Path) -> None:
    raw = "INVENTED heading\nThe weather was mild. Aldoria warned that the reservoir was low.\n"
    drafts, warnings = draft_article(EVAL, raw, "x")
    stub, assessment = drafts
    assert "kind" not in stub and stub["evidence"][0]["quote"] == "The weather was mild." and stub["draft"] is True
    assert (assessment["kind"], assessment["holder"], assessment["topic"]) == ("Assessment", "aldoria", ["reservoir"])
    assert warnings == []


def test_noise_stays_in_raw_quotes() -> None:
    drafts, _ = draft_article(EVAL, "Aldoria demands which is the that Veskaria open the dam.\n", "x", noise=["which is the"])
    assert drafts[0]["evidence"][0] == {"quote": "Aldoria demands which is the that Veskaria open the dam.", "start": 0, "end": 56}
    assert drafts[0]["addressee"] == "veskaria"


INVENTED_ACTORS = [  # INVENTED registry for the reported-speech rules (no actor of the eval sets)
    {"id": "arvenia", "kind": "State", "names": ["Arvenia", "Arvenian government"]},
    {"id": "bostra", "kind": "State", "names": ["Bostra"]},
    {"id": "mira-tal", "kind": "Person", "names": ["Mira Tal", "Tal"]},
    {"id": "lake-forum", "kind": "InternationalOrganisation", "names": ["Lake Forum"]},
    {"id": "diplomats", "kind": "Group", "names": ["diplomats"]},
]
INVENTED_ISSUES = [{"id": "crossings", "names": ["border crossings", "crossings"]},
                   {"id": "fishermen", "names": ["fishermen"]}, {"id": "compensation", "names": ["compensation"]}]
#: INVENTED lead that names both parties, so that each side is known
LEAD = "Arvenia and Bostra met again. Arvenia wants Bostra to free the fishermen. "


def _reported(text: str) -> list[tuple]:
    index = AliasIndex.from_entities(INVENTED_ACTORS)
    kinds = {a["id"]: a["kind"] for a in INVENTED_ACTORS}
    drafts = [d for d in draft_statements(LEAD + text, index, INVENTED_ISSUES, kinds) if "kind" in d][1:]
    return [(d["kind"], d.get("holder"), d.get("addressee"), d.get("topic"), d["firmness"], d.get("negated", False),
             d["evidence"][0]["quote"]) for d in drafts]


def test_reported_commitment_splits_its_condition() -> None:
    """'X said <own side> would ... once Y': an Offer and its Condition, each addressed to the other party."""
    assert _reported("Arvenian envoy Mira Tal said the government would reopen the border crossings "
                     "once Bostra released the fishermen.") == [
        ("Offer", "mira-tal", "bostra", ["crossings"], "Stated", False,
         "Arvenian envoy Mira Tal said the government would reopen the border crossings"),
        ("Condition", "mira-tal", "bostra", ["fishermen"], "Stated", False, "once Bostra released the fishermen.")]
    [(kind, _, _, _, firmness, _, _), _] = _reported("Mira Tal said Arvenia could reopen the crossings provided that "
                                                     "Bostra freed the fishermen.")
    assert (kind, firmness) == ("Offer", "Hinted")


def test_refusal_reason_warning_and_event() -> None:
    assert _reported("Mira Tal said Arvenia would not pay any compensation.") == [
        ("Claim", "mira-tal", "bostra", ["compensation"], "Stated", True, "Mira Tal said Arvenia would not pay any compensation.")]
    [(kind, holder, addressee, *_)] = _reported("Mira Tal said the drought had emptied the crossings' reservoirs.")
    assert (kind, holder, addressee) == ("Argument", "mira-tal", None)  # a reason, not a Claim
    [(kind, holder, addressee, _, firmness, *_)] = _reported("Tal warned that any new incursion would end the talks.")
    assert (kind, holder, addressee, firmness) == ("Demand", "mira-tal", "bostra", "Ultimatum")
    assert _reported("Talks on the crossings stalled on Monday, diplomats said.") == []  # an event, no position
    [(kind, holder, addressee, *_)] = _reported("The Lake Forum appealed to both sides to keep the crossings open.")
    assert (kind, holder, sorted(addressee)) == ("Demand", "lake-forum", ["arvenia", "bostra"])


def test_wire_copy_cues() -> None:
    """Common wire-copy verbs: 'called on' asks, 'open to' hints, 'dismissed' refuses, 'accused' judges,
    a warning with 'unless' is an ultimatum."""
    [(kind, holder, addressee, *_)] = _reported("The Lake Forum called on Bostra to reopen the crossings.")
    assert (kind, holder, addressee) == ("Demand", "lake-forum", "bostra")
    [(kind, holder, addressee, _, firmness, *_)] = _reported("Arvenia is open to a joint patrol of the crossings.")
    assert (kind, holder, addressee, firmness) == ("Offer", "arvenia", "bostra", "Hinted")
    [(kind, holder, addressee, _, _, negated, _)] = _reported("Bostra dismissed the demand.")
    assert (kind, holder, addressee, negated) == ("Claim", "bostra", "arvenia", True)
    [(kind, holder, addressee, *_)] = _reported("Tal accused Bostra of stalling on the fishermen.")
    assert (kind, holder, addressee) == ("Assessment", "mira-tal", "bostra")
    [(kind, _, _, _, firmness, *_)] = _reported("Tal warned that Arvenia would close the crossings unless the fishermen were freed.")
    assert (kind, firmness) == ("Demand", "Ultimatum")
