"""The dual key: a binding act takes effect only when every party has consented to the same content.

A binding act (agreeing an agenda, adopting decisions, selecting a project, agreeing a channel or
a downgrade, …) is identified by its record (`act_type`, `act_id`) and the content hash of what
is agreed (`kernel.canonical.content_hash` over every language version and the structured
fields). Each party's authorised signatory gives a `Consent`: *agree*, *object* (with a reason),
or *agree ad referendum* (pending the party's domestic approval, later confirmed or withdrawn).

`tally` reads the consents on record and says where the act stands. The rule:

- Only consents to the **current** content hash count: any edit changes the hash, which voids
  every consent given to the earlier content.
- For each party, its latest consent (by time, then by the order given) on the current hash is
  its position; an ad referendum consent counts as agreement only once confirmed.
- The act is **binding** when every party's position is agreement — never otherwise.

A consent is also a `Statement` (``comity.consent/v1``) that a node signs and sends to the other
party's node unchanged; both nodes tally the same statements and reach the same result whatever
the order in which they arrive (`tally` depends on the set of consents, not their arrival).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

from comity.domain.kernel.decision import Decision, Reason, allow
from comity.domain.kernel.statements import Statement
from comity.errors import InvalidInput

__all__ = [
    "AdReferendum",
    "Choice",
    "Consent",
    "Method",
    "Tally",
    "consent_from_statement",
    "tally",
]

CONSENT_STATEMENT: Final = "comity.consent/v1"


class Choice(StrEnum):
    AGREE = "agree"
    OBJECT = "object"
    AD_REFERENDUM = "ad_referendum"


class AdReferendum(StrEnum):
    """Where an ad referendum consent stands (None for the other choices)."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"


class Method(StrEnum):
    #: Given in session: by signing the session's protocol.
    IN_SESSION = "in_session"
    #: Given between sessions, by written procedure, before its deadline.
    WRITTEN = "written_procedure"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class Consent:
    """One party's consent to one content of one act."""

    act_type: str
    act_id: str
    content_hash: str
    party: str
    signatory: str
    choice: Choice
    given_at: datetime
    method: Method = Method.WRITTEN
    reason: str | None = None
    ad_referendum: AdReferendum | None = None

    def __post_init__(self) -> None:
        if self.given_at.tzinfo is None:
            raise ValueError("a consent's time must be aware")
        if self.choice is Choice.OBJECT and not (self.reason and self.reason.strip()):
            raise InvalidInput(
                "an objection needs its reason",
                location="reason",
                reason="say why the party objects",
                code="consent.reason_required",
            )
        if (self.choice is Choice.AD_REFERENDUM) != (self.ad_referendum is not None):
            raise ValueError("an ad referendum consent, and only one, carries its status")

    @property
    def agrees(self) -> bool:
        """Whether this consent is agreement now (ad referendum: once confirmed)."""
        if self.choice is Choice.AGREE:
            return True
        return self.choice is Choice.AD_REFERENDUM and self.ad_referendum is AdReferendum.CONFIRMED

    def statement(self) -> Statement:
        fields: dict[str, Any] = {
            "act": {"type": self.act_type, "id": self.act_id},
            "content_hash": self.content_hash,
            "party": self.party,
            "signatory": self.signatory,
            "decision": self.choice.value,
            "time": _stamp(self.given_at),
            "method": self.method.value,
        }
        if self.reason:
            fields["reason"] = self.reason
        if self.ad_referendum is not None:
            fields["ad_referendum"] = self.ad_referendum.value
        return Statement(CONSENT_STATEMENT, fields)


def consent_from_statement(statement: Statement) -> Consent:
    """The consent a ``comity.consent/v1`` statement carries (checked field by field)."""
    if statement.type != CONSENT_STATEMENT:
        raise InvalidInput(
            f"not a consent: {statement.type}",
            location="statement.type",
            code="statement.wrong_type",
        )
    fields = statement.fields
    try:
        act = fields["act"]
        return Consent(
            act_type=str(act["type"]),
            act_id=str(act["id"]),
            content_hash=str(fields["content_hash"]),
            party=str(fields["party"]),
            signatory=str(fields["signatory"]),
            choice=Choice(fields["decision"]),
            given_at=datetime.strptime(fields["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC),
            method=Method(fields["method"]),
            reason=fields.get("reason"),
            ad_referendum=(
                None if "ad_referendum" not in fields else AdReferendum(fields["ad_referendum"])
            ),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(
            "the consent statement is incomplete or malformed",
            location="statement",
            reason=str(exc),
            code="statement.malformed",
        ) from None


@dataclass(frozen=True, slots=True)
class Tally:
    """Where an act stands for one content: each party's position and whether it binds."""

    parties: tuple[str, ...]
    content_hash: str
    positions: Mapping[str, Consent]

    @property
    def agreed(self) -> frozenset[str]:
        return frozenset(p for p, consent in self.positions.items() if consent.agrees)

    @property
    def pending_ad_referendum(self) -> frozenset[str]:
        return frozenset(
            p
            for p, consent in self.positions.items()
            if consent.ad_referendum is AdReferendum.PENDING
        )

    @property
    def objections(self) -> Mapping[str, str]:
        return {
            p: consent.reason or ""
            for p, consent in self.positions.items()
            if consent.choice is Choice.OBJECT
        }

    @property
    def missing(self) -> tuple[str, ...]:
        """Parties whose agreement is not (yet) on record for this content."""
        return tuple(p for p in self.parties if p not in self.agreed)

    @property
    def binding(self) -> bool:
        return bool(self.parties) and not self.missing

    def decision(self) -> Decision:
        """Allowed when binding; otherwise a denial saying who has not agreed and why."""
        if self.binding:
            return allow(Reason.of("joint_consent", "every party has agreed to this content"))
        reasons: list[Reason] = []
        for party in self.missing:
            position = self.positions.get(party)
            if position is None:
                reasons.append(
                    Reason.of("consent_missing", f"{party} has not consented", party=party)
                )
            elif position.choice is Choice.OBJECT:
                reasons.append(
                    Reason.of(
                        "consent_objected",
                        f"{party} objects: {position.reason}",
                        party=party,
                        reason=position.reason or "",
                    )
                )
            else:
                reasons.append(
                    Reason.of(
                        "consent_ad_referendum",
                        f"{party} agreed ad referendum, pending its domestic approval",
                        party=party,
                    )
                )
        return Decision(False, reasons)


def tally(parties: Sequence[str], content_hash: str, consents: Iterable[Consent]) -> Tally:
    """Each party's position on `content_hash` from `consents` (see the module docstring)."""
    positions: dict[str, Consent] = {}
    for consent in sorted(consents, key=_order):
        if consent.content_hash != content_hash or consent.party not in parties:
            continue
        positions[consent.party] = consent  # later ones win
    return Tally(tuple(parties), content_hash, positions)


def _order(consent: Consent) -> tuple[datetime, str, str]:
    # By time, then by the canonical statement bytes: the same set of consents gives the same
    # positions on every node, whatever order they were received in.
    return (consent.given_at, consent.statement().text(), consent.signatory)
