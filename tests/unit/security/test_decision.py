"""Access decisions: one row per reason code, the pre-2022 ÖZEL level, and the law that a
label's access expression and `decide` agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comity.domain.security import access_expression, labels
from comity.domain.security.clearances import Subject
from comity.domain.security.decision import (
    AccessDecision,
    ReasonCode,
    authorizations,
    decide,
)
from comity.domain.security.labels import Category, Label, TagType
from tests.unit.security.security_data import (
    AGREEMENT,
    AZE,
    EQUIVALENCE,
    POST_2022_EQUIVALENCE,
    TODAY,
    TUR,
    clearance,
    need_to_know,
    subject,
)

AZE_SECRET = clearance(AZE, "tam məxfi")
TUR_SECRET = clearance(TUR, "GİZLİ", person="ayse", nationality="TUR")
REL_BOTH = "Releasable To (permissive): AZE, TUR"


@dataclass(frozen=True)
class Case:
    why: str
    who: Subject
    label: str
    allowed: bool
    codes: tuple[ReasonCode, ...]
    action: str = "read"
    today: date = TODAY
    detail: str = ""


CASES = [
    Case(
        "a Turkish reader cleared GİZLİ reads a Turkish GİZLİ document",
        subject(TUR_SECRET, nationality="TUR"),
        f"TUR | GİZLİ | {REL_BOTH}",
        True,
        (ReasonCode.GRANTED,),
    ),
    Case(
        "an Azerbaijani reader cleared tam məxfi reads it through the agreement's table",
        subject(AZE_SECRET),
        f"TUR | GİZLİ | {REL_BOTH}",
        True,
        (ReasonCode.GRANTED,),
        detail="via equivalence tr-az-2017",
    ),
    Case(
        "nobody without a clearance reads anything classified",
        subject(),
        "TUR | HİZMETE ÖZEL",
        False,
        (ReasonCode.NO_CLEARANCE,),
    ),
    Case(
        "a clearance of another scheme counts only through an equivalence",
        subject(AZE_SECRET, equivalences=()),
        "TUR | HİZMETE ÖZEL",
        False,
        (ReasonCode.NO_CLEARANCE_FOR_POLICY,),
    ),
    Case(
        "an expired clearance",
        subject(clearance(AZE, "tam məxfi", valid_until=date(2026, 6, 30))),
        f"TUR | GİZLİ | {REL_BOTH}",
        False,
        (ReasonCode.CLEARANCE_EXPIRED,),
        detail="expired on 2026-06-30",
    ),
    Case(
        "a clearance that has not started",
        subject(clearance(AZE, "tam məxfi", valid_from=date(2027, 1, 1))),
        "AZE | məxfi",
        False,
        (ReasonCode.CLEARANCE_NOT_YET_VALID,),
    ),
    Case(
        "a revoked clearance",
        subject(clearance(AZE, "tam məxfi", revoked_on=date(2026, 11, 1))),
        "AZE | məxfi",
        False,
        (ReasonCode.CLEARANCE_REVOKED,),
        detail="revoked on 2026-11-01",
    ),
    Case(
        "a level above the clearance",
        subject(clearance(AZE, "məxfi")),
        f"TUR | GİZLİ | {REL_BOTH}",
        False,
        (ReasonCode.CLASSIFICATION_ABOVE_CLEARANCE,),
        detail="GİZLİ (TUR) = tam məxfi (AZE) via equivalence tr-az-2017 is above clearance",
    ),
    Case(
        "no one labels above their own clearance",
        subject(clearance(TUR, "ÖZEL", person="ayse", nationality="TUR"), nationality="TUR"),
        "TUR | ÇOK GİZLİ",
        False,
        (ReasonCode.LABEL_ABOVE_OWN_CLEARANCE,),
        action="label",
    ),
    Case(
        "labelling within one's clearance may release to other countries",
        subject(TUR_SECRET, nationality="TUR"),
        "TUR | GİZLİ | Releasable To (permissive): AZE",
        True,
        (ReasonCode.GRANTED,),
        action="label",
    ),
    Case(
        "a gap in the agreement's table: HİZMETE ÖZEL has no Azerbaijani equivalent",
        subject(AZE_SECRET),
        f"TUR | HİZMETE ÖZEL | {REL_BOTH}",
        False,
        (ReasonCode.NO_EQUIVALENT,),
        detail="no equivalent for HİZMETE ÖZEL in the AZE scheme",
    ),
    Case(
        "pre-2022 ÖZEL is readable under the 2017 agreement's table",
        subject(clearance(AZE, "məxfi")),
        f"TUR | ÖZEL | {REL_BOTH}",
        True,
        (ReasonCode.GRANTED,),
    ),
    Case(
        "pre-2022 ÖZEL has no equivalent under a post-2022 agreement's table",
        subject(clearance(AZE, "məxfi"), equivalences=(POST_2022_EQUIVALENCE,)),
        f"TUR | ÖZEL | {REL_BOTH}",
        False,
        (ReasonCode.NO_EQUIVALENT,),
        detail="no equivalent for ÖZEL in the AZE scheme",
    ),
    Case(
        "a restrictive caveat the reader does not hold",
        subject(AZE_SECRET),
        f"TUR | GİZLİ | {REL_BOTH} | Special Category Designators (restrictive): ATOMAL",
        False,
        (ReasonCode.MISSING_RESTRICTIVE_VALUE,),
        detail="missing restrictive value ATOMAL",
    ),
    Case(
        "a restrictive caveat held through the clearance",
        subject(clearance(AZE, "tam məxfi", categories=("Special Category Designators:ATOMAL",))),
        f"TUR | GİZLİ | {REL_BOTH} | Special Category Designators (restrictive): ATOMAL",
        True,
        (ReasonCode.GRANTED,),
    ),
    Case(
        "a need-to-know compartment without a grant",
        subject(AZE_SECRET),
        f"TUR | GİZLİ | {REL_BOTH} | Need To Know (restrictive): ALPHA",
        False,
        (ReasonCode.MISSING_COMPARTMENT,),
        detail="no need-to-know grant for compartment ALPHA",
    ),
    Case(
        "a need-to-know compartment with a grant",
        subject(AZE_SECRET, grants=(need_to_know("ALPHA"),)),
        f"TUR | GİZLİ | {REL_BOTH} | Need To Know (restrictive): ALPHA",
        True,
        (ReasonCode.GRANTED,),
    ),
    Case(
        "an expired need-to-know grant",
        subject(AZE_SECRET, grants=(need_to_know("ALPHA", valid_until=date(2026, 10, 1)),)),
        f"TUR | GİZLİ | {REL_BOTH} | Need To Know (restrictive): ALPHA",
        False,
        (ReasonCode.NEED_TO_KNOW_EXPIRED,),
        detail="expired on 2026-10-01",
    ),
    Case(
        "a permissive tag of which the reader holds no value",
        subject(AZE_SECRET),
        f"TUR | GİZLİ | {REL_BOTH} | Context (permissive): NATO",
        False,
        (ReasonCode.MISSING_PERMISSIVE_VALUE,),
    ),
    Case(
        "the wrong nationality for the releasability",
        subject(AZE_SECRET),
        "TUR | GİZLİ | Releasable To (permissive): TUR",
        False,
        (ReasonCode.NOT_RELEASABLE,),
        detail="not releasable to AZE",
    ),
    Case(
        "downgrading needs the originator's authority",
        subject(TUR_SECRET, nationality="TUR"),
        f"TUR | GİZLİ | {REL_BOTH}",
        False,
        (ReasonCode.NOT_ORIGINATOR,),
        action="downgrade",
    ),
    Case(
        "the originator's authority may declassify",
        subject(TUR_SECRET, nationality="TUR", authorities=frozenset({"TUR"})),
        f"TUR | GİZLİ | {REL_BOTH}",
        True,
        (ReasonCode.GRANTED,),
        action="declassify",
    ),
    Case(
        "the Originator tag names the authority of an agreement-scheme label",
        subject(TUR_SECRET, nationality="TUR", authorities=frozenset({"TUR"})),
        f"TR-AZ-2017 | CONFIDENTIAL | {REL_BOTH} | Originator (informative): AZE",
        False,
        (ReasonCode.NOT_ORIGINATOR,),
        action="downgrade",
        detail="(AZE)",
    ),
    Case(
        "an unknown action",
        subject(TUR_SECRET, nationality="TUR"),
        "TUR | GİZLİ",
        False,
        (ReasonCode.UNKNOWN_ACTION,),
        action="print",
    ),
    Case(
        "every failing check is reported, not only the first",
        subject(clearance(AZE, "məxfi", valid_until=date(2026, 1, 1))),
        "TUR | ÇOK GİZLİ | Releasable To (permissive): TUR | Need To Know (restrictive): BETA",
        False,
        (
            ReasonCode.NO_CLEARANCE_FOR_POLICY,
            ReasonCode.MISSING_COMPARTMENT,
            ReasonCode.NOT_RELEASABLE,
        ),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.why for case in CASES])
def test_each_decision_gives_its_reasons(case: Case) -> None:
    decision = decide(case.who, labels.parse(case.label), case.action, today=case.today)
    assert decision.allowed is case.allowed
    assert decision.codes == case.codes
    assert case.detail in " | ".join(reason.detail for reason in decision.reasons)


def test_the_decision_table_covers_every_reason_code_but_the_internal_error() -> None:
    covered = {code for case in CASES for code in case.codes}
    assert covered == set(ReasonCode) - {ReasonCode.EVALUATION_ERROR}


def test_a_decision_never_raises_it_denies() -> None:
    broken = Subject("x", "AZE", clearances=(None,))  # type: ignore[arg-type]
    decision = decide(broken, labels.parse("TUR | GİZLİ"), "read", today=TODAY)
    assert decision == AccessDecision(False, decision.reasons)
    assert decision.codes == (ReasonCode.EVALUATION_ERROR,)


def test_an_allowed_decision_is_shared_between_calls() -> None:
    reader = subject(AZE_SECRET)
    label = labels.parse(f"TUR | GİZLİ | {REL_BOTH}")
    assert decide(reader, label, "read", today=TODAY) is decide(reader, label, "read", today=TODAY)


def test_the_same_subject_is_judged_afresh_on_another_day() -> None:
    reader = subject(clearance(AZE, "tam məxfi", valid_until=date(2026, 12, 31)))
    label = labels.parse("AZE | məxfi")
    assert decide(reader, label, "read", today=date(2026, 12, 31)).allowed
    assert not decide(reader, label, "read", today=date(2027, 1, 1)).allowed


# --- the access expression of a label gives the same decision --------------------------------

_LEVELS = {p.id: [c.name for c in p.classifications] for p in (TUR, AZE, AGREEMENT)}
_TAGS = {
    "Special Category Designators": (TagType.RESTRICTIVE, ["ATOMAL", "CRYPTO"]),
    "Need To Know": (TagType.RESTRICTIVE, ["ALPHA", "BETA"]),
    "Releasable To": (TagType.PERMISSIVE, ["AZE", "TUR", "NATO"]),
    "Context": (TagType.PERMISSIVE, ["NATO", "Releasable"]),
    "Administrative": (TagType.INFORMATIVE, ["STAFF"]),
}
_DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 12, 31))


@st.composite
def a_label(draw: st.DrawFn) -> Label:
    policy = draw(st.sampled_from(sorted(_LEVELS)))
    categories = []
    for tag in draw(st.lists(st.sampled_from(sorted(_TAGS)), unique=True)):
        kind, values = _TAGS[tag]
        categories.append(
            Category.of(tag, kind, draw(st.lists(st.sampled_from(values), min_size=1)))
        )
    return Label.of(policy, draw(st.sampled_from(_LEVELS[policy])), categories)


@st.composite
def a_subject(draw: st.DrawFn) -> Subject:
    nationality = draw(st.sampled_from(["AZE", "TUR", "GBR", ""]))
    held = ["Special Category Designators:ATOMAL", "Special Category Designators:CRYPTO"]
    clearances = []
    for _ in range(draw(st.integers(0, 2))):
        policy = draw(st.sampled_from([TUR, AZE, AGREEMENT]))
        start = draw(_DAYS)
        clearances.append(
            clearance(
                policy,
                draw(st.sampled_from(_LEVELS[policy.id])),
                nationality=nationality or "AZE",
                valid_from=start,
                valid_until=draw(
                    st.none() | st.dates(min_value=start, max_value=date(2028, 12, 31))
                ),
                categories=tuple(draw(st.lists(st.sampled_from(held), unique=True))),
            )
        )
    grants = tuple(
        need_to_know(
            compartment, valid_until=draw(st.none() | _DAYS.filter(lambda d: d.year >= 2025))
        )
        for compartment in draw(st.lists(st.sampled_from(["ALPHA", "BETA"]), unique=True))
    )
    tables = draw(st.sampled_from([(EQUIVALENCE,), (POST_2022_EQUIVALENCE, EQUIVALENCE), ()]))
    return subject(*clearances, nationality=nationality, grants=grants, equivalences=tables)


@given(a_subject(), a_label(), _DAYS)
def test_a_labels_access_expression_and_decide_agree(
    reader: Subject, label: Label, today: date
) -> None:
    expression = access_expression.parse(labels.to_access_expression(label))
    granted = expression.evaluate(authorizations(reader, today=today))
    assert granted is decide(reader, label, "read", today=today).allowed


@given(a_subject(), a_label(), st.text(max_size=12), _DAYS)
def test_no_action_makes_a_decision_raise(
    reader: Subject, label: Label, action: str, today: date
) -> None:
    decision = decide(reader, label, action, today=today)
    assert isinstance(decision, AccessDecision)
    assert decision.reasons


@given(a_subject(), a_label(), _DAYS)
def test_the_fast_read_path_gives_the_same_reasons_as_the_full_evaluation(
    reader: Subject, label: Label, today: date
) -> None:
    # For the originator, downgrading checks exactly what reading checks, through the full
    # (unoptimised) evaluation; both must list the same reasons in the same order.
    originator = Subject(
        reader.person,
        reader.nationality,
        reader.clearances,
        reader.grants,
        reader.equivalences,
        authorities=frozenset(label.originators),
    )
    assert decide(originator, label, "read", today=today) == decide(
        originator, label, "downgrade", today=today
    )
