"""Shared test data for the security tests: the example schemes and equivalence, and helpers
that build clearances and subjects on them (loaded from examples/security/, as users do)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from comity.domain.security import schemes
from comity.domain.security.clearances import Clearance, NeedToKnowGrant, Subject
from comity.domain.security.schemes import Equivalence, Policy

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "security"
TODAY = date(2026, 11, 29)


def example_policy(name: str) -> Policy:
    path = EXAMPLES / f"{name}.toml"
    return schemes.parse_policy(path.read_text(encoding="utf-8"), source=path.name)


TUR = example_policy("tur")
AZE = example_policy("aze")
AGREEMENT = example_policy("tr-az-2017")
POLICIES = {p.id: p for p in (TUR, AZE, AGREEMENT)}
EQUIVALENCE_TEXT = (EXAMPLES / "tr-az-2017-equivalence.toml").read_text(encoding="utf-8")
EQUIVALENCE = schemes.parse_equivalence(EQUIVALENCE_TEXT, source="tr-az-2017-equivalence.toml")

#: A table for an agreement signed after Turkey retired ÖZEL (26 April 2022).
POST_2022_EQUIVALENCE = schemes.parse_equivalence(
    """
[equivalence]
id = "tr-az-2023"
agreement = "tr-az-2023"
policies = ["TUR", "AZE"]
signed = 2023-03-01
effective_from = 2023-06-01

[[level]]
TUR = "ÇOK GİZLİ"
AZE = "xüsusi əhəmiyyətli"

[[level]]
TUR = "GİZLİ"
AZE = "tam məxfi"

[[level]]
TUR = "HİZMETE ÖZEL"
AZE = "məxfi"
""",
    source="tr-az-2023.toml",
)


def clearance(
    policy: Policy,
    level: str,
    *,
    person: str = "elvin",
    nationality: str = "AZE",
    valid_from: date = date(2024, 1, 1),
    valid_until: date | None = date(2027, 12, 31),
    categories: tuple[str, ...] = (),
    revoked_on: date | None = None,
) -> Clearance:
    return Clearance.up_to(
        policy,
        level,
        person=person,
        nationality=nationality,
        issuing_authority=f"{policy.id} national security authority",
        valid_from=valid_from,
        valid_until=valid_until,
        categories=categories,
        revoked_on=revoked_on,
        id="7",
    )


def need_to_know(
    compartment: str,
    *,
    person: str = "elvin",
    valid_until: date | None = None,
    revoked_on: date | None = None,
) -> NeedToKnowGrant:
    return NeedToKnowGrant(
        person=person,
        compartment=compartment,
        granted_by="officer",
        valid_until=valid_until,
        reason="joint project",
        valid_from=date(2025, 1, 1),
        revoked_on=revoked_on,
    )


def subject(
    *clearances: Clearance,
    nationality: str = "AZE",
    grants: tuple[NeedToKnowGrant, ...] = (),
    equivalences: tuple[Equivalence, ...] = (EQUIVALENCE,),
    authorities: frozenset[str] = frozenset(),
) -> Subject:
    return Subject(
        person="elvin",
        nationality=nationality,
        clearances=clearances,
        grants=grants,
        equivalences=equivalences,
        authorities=authorities,
    )
