"""Stage 5, context: each finding is decided inside the clause that states it (contract v1.1)."""

from __future__ import annotations

import pytest

from backspasm.text import read


def _found(text: str) -> set[str]:
    r = read(text)
    return set(r.findings | r.conditions)


@pytest.mark.parametrize(
    ("text", "present"),
    [
        # negation ends at but/though/except, a new subject, a line break, a sentence end
        ("No numbness but my bladder has gone, I wet myself", {"bladder_bowel_control_loss"}),
        ("no numbness my legs keep giving way", {"bilateral_leg_symptoms", "leg_weakness"}),
        ("No tingling\nwet myself this morning", {"bladder_bowel_control_loss"}),
        ("Denies fever. Can't pass urine since last night.", {"bladder_bowel_control_loss"}),
        ("no pins and needles, legs are a bit numb", {"bilateral_leg_symptoms", "leg_numbness"}),
        # "it was not until ... that ..." negates nothing
        ("It was not until I stood up that I realised I couldn't feel my bottom", {"saddle_numbness"}),
        # a negator on another verb leaves the finding alone
        ("Ibuprofen doesn't help and I'm allergic to aspirin", {"nsaid_allergy", "not_improving"}),
    ],
)
def test_a_finding_in_its_own_clause_counts(text: str, present: set[str]) -> None:
    assert present <= _found(text)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("Denies chest pain, SOB, fever.", {"chest_pain", "fever"}),
        ("Fam Hx: Father: hypertension. Mother: breast cancer.", {"heart_disease", "cancer_history"}),
        ("My pregnant wife has sciatica and I hurt my back helping her.", {"pregnancy", "radiating_leg_pain"}),
        ("My friend's leg went numb with her disc.", {"leg_numbness"}),
        ("Every fall the damp weather sets my back off.", {"injury"}),
        ("I had a fall in 2009 and broke my wrist.", {"injury"}),
        ("MRI says the vertebra is fractured because of the tumours.", {"injury"}),
        ("Is chest pain with back pain a sign of a heart attack? Mine is only in my back.", {"chest_pain", "heart_disease"}),
        (
            "The card: numbness between the legs, leaking urine, trouble with erections.",
            {"saddle_numbness", "bladder_bowel_control_loss", "sexual_dysfunction"},
        ),
        ("My GP said if I lose control of my bladder, go straight to A&E.", {"bladder_bowel_control_loss"}),
        ("You might fall if you're not careful on the stairs.", {"injury"}),
        ("Worried this will turn into sciatica like my brother's.", {"radiating_leg_pain"}),
        ("Felt a lump in my lower back muscle but it's just a knot.", {"back_deformity"}),
        ("Can't take ibuprofen because it gives me stomach ulcers.", {"nsaid_allergy"}),
        ("Nearly fell off the ladder but caught myself.", {"major_trauma", "injury"}),
        ("Been on pins and needles all week waiting for results.", {"leg_tingling"}),
        ("Was on blood thinners after my op two years ago, stopped them long ago.", {"blood_thinner"}),
    ],
)
def test_a_mention_that_is_not_the_persons_own_present_finding_does_not_count(text: str, absent: set[str]) -> None:
    assert not absent & _found(text)


def test_a_question_answered_no_rules_the_finding_out() -> None:
    r = read("Any problems with bowel or bladder? No. Any fall? No.")
    assert not r.findings
    assert "bladder_bowel_control_loss" in r.ruled_out


def test_a_neutral_sentence_after_never_changes_the_scope_of_a_negation() -> None:
    text = "Worried I might have cauda equina as I have numbness in my groin"
    assert "saddle_numbness" in _found(text)
    assert "saddle_numbness" in _found(text + ".\nI'm 44.")


def test_what_the_text_denies_is_ruled_out_and_no_injury_is_no_serious_accident() -> None:
    r = read("No trauma, no numbness. I can feel the toilet paper when I wipe.")
    assert {"injury", "major_trauma", "leg_numbness"} <= r.ruled_out
    assert not r.findings


def test_a_feared_or_family_mention_settles_nothing() -> None:
    r = read("My dad had cancer. Worried I might lose bladder control.")
    assert not {"cancer_history", "bladder_bowel_control_loss"} & (r.findings | r.ruled_out)
