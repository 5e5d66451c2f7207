"""Access decisions: may this subject read, apply, downgrade or declassify this label today?

`decide` returns an `AccessDecision` value (allowed, reasons) and never raises: any failure
inside the evaluation denies, with the reason `evaluation_error` (fail closed). Reasons carry a
stable `code` (listed in `ReasonCode`, documented in docs/security.md) and a detail for people.

The rule, for the label's policy P and classification C, on day `today`:

1. Level: a clearance valid today covers C, directly (its policy is P and C is in its set) or
   through the first equivalence in force today that relates P and the clearance's policy.
   A gap in that equivalence denies with `no_equivalent`.
2. Restrictive tags: the subject holds every value (clearance categories valid today; the
   "Need To Know" tag is held through need-to-know grants valid today).
3. Permissive tags, each separately: the subject holds at least one value ("Releasable To" is
   held through the subject's nationality). Informative tags are never enforced.

Actions: ``read`` (1–3); ``label`` — apply the label to a document: 1 and 2, so no one labels
above their own clearance (releasing to other countries is the labeller's decision);
``downgrade`` and ``declassify`` — 1–3 and the originator's authority (the label's Originator
values, else its policy, must be among the subject's `authorities`).

Invariant: for ``read``, ``decide(s, l).allowed`` equals evaluating
``labels.to_access_expression(l)`` against ``authorizations(s, today=...)``. Performance: the
per-day view of a subject and the per-label plan are built once, so an allowed decision is a
few set operations and returns a shared `AccessDecision`. A denied read settles the boolean
first and returns either a shared single-reason denial or a `_ReadDenial` that works out its
reasons (the same ones, from the same view and label) only when they are read.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, Final, NamedTuple

from comity.domain.security.clearances import Clearance, Subject
from comity.domain.security.labels import (
    NEED_TO_KNOW,
    RELEASABLE_TO,
    Label,
    TagType,
    category_key,
    level_token,
)
from comity.domain.security.schemes import Equivalence

__all__ = [
    "AccessDecision",
    "Action",
    "Reason",
    "ReasonCode",
    "authorizations",
    "decide",
]


class Action(StrEnum):
    READ = "read"
    LABEL = "label"
    DOWNGRADE = "downgrade"
    DECLASSIFY = "declassify"


class ReasonCode(StrEnum):
    """Stable reason codes (part of the public contract, like error codes)."""

    GRANTED = "granted"
    NO_CLEARANCE = "no_clearance"
    NO_CLEARANCE_FOR_POLICY = "no_clearance_for_policy"
    CLEARANCE_EXPIRED = "clearance_expired"
    CLEARANCE_NOT_YET_VALID = "clearance_not_yet_valid"
    CLEARANCE_REVOKED = "clearance_revoked"
    CLASSIFICATION_ABOVE_CLEARANCE = "classification_above_clearance"
    LABEL_ABOVE_OWN_CLEARANCE = "label_above_own_clearance"
    NO_EQUIVALENT = "no_equivalent"
    MISSING_RESTRICTIVE_VALUE = "missing_restrictive_value"
    MISSING_COMPARTMENT = "missing_compartment"
    NEED_TO_KNOW_EXPIRED = "need_to_know_expired"
    MISSING_PERMISSIVE_VALUE = "missing_permissive_value"
    NOT_RELEASABLE = "not_releasable"
    NOT_ORIGINATOR = "not_originator"
    UNKNOWN_ACTION = "unknown_action"
    EVALUATION_ERROR = "evaluation_error"


# A NamedTuple, not a dataclass: reasons are built on the slow path too, and a tuple is the
# cheapest immutable value Python can allocate.
class Reason(NamedTuple):
    code: ReasonCode
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code.value, "detail": self.detail}


class AccessDecision:
    """An immutable value (allowed, reasons), compared and hashed as that pair."""

    __slots__ = ("_reasons", "allowed")

    allowed: bool
    _reasons: tuple[Reason, ...]

    def __init__(self, allowed: bool, reasons: tuple[Reason, ...]) -> None:
        set_ = object.__setattr__
        set_(self, "allowed", allowed)
        set_(self, "_reasons", tuple(reasons))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"AccessDecision is immutable: cannot set {name!r}")

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return self._reasons

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AccessDecision):
            return NotImplemented
        return self.allowed == other.allowed and self.reasons == other.reasons

    def __hash__(self) -> int:
        return hash((self.allowed, self.reasons))

    def __repr__(self) -> str:
        return f"AccessDecision(allowed={self.allowed!r}, reasons={self.reasons!r})"

    @property
    def codes(self) -> tuple[ReasonCode, ...]:
        return tuple(reason.code for reason in self.reasons)

    def as_dict(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "reasons": [r.as_dict() for r in self.reasons]}


class _ReadDenial(AccessDecision):
    """A denied read whose reasons are worked out on first use.

    `decide` only needs the boolean to deny a read; most callers (filtering, the benchmark)
    never look at the reasons. They are computed from the same per-day view and label, so
    they are exactly the reasons an eager evaluation gives."""

    __slots__ = ("_label", "_view")

    allowed = False  # shadows the slot: a denial is built without setting it

    _label: Label
    _view: _View

    @property
    def reasons(self) -> tuple[Reason, ...]:
        try:
            return self._reasons
        except AttributeError:
            pass
        try:
            reasons = _read_denial(self._view, self._label).reasons
        except Exception as exc:  # the reasons of a decision must never raise either
            reasons = (Reason(ReasonCode.EVALUATION_ERROR, f"{type(exc).__name__}: {exc}"),)
        object.__setattr__(self, "_reasons", reasons)
        return reasons


_new_object: Final = object.__new__
_set: Final = object.__setattr__


def _lazy_read_denial(view: _View, label: Label) -> AccessDecision:
    denial: _ReadDenial = _new_object(_ReadDenial)
    _set(denial, "_view", view)
    _set(denial, "_label", label)
    return denial


# --- per-label plan: the reasons a label may need, built once per label ----------------------


def _denial(*reasons: Reason) -> AccessDecision:
    return AccessDecision(False, reasons)


#: A permissive group's keys, its reason and the denial it makes alone (None for
#: "Releasable To", whose reason names the subject's nationality and comes from the view).
_PermissiveEntry = tuple[frozenset[str], Reason | None, AccessDecision | None]


class _Plan:
    __slots__ = ("after", "permissive", "restrictive")

    def __init__(self, label: Label) -> None:
        # Each entry carries its reason and the denial it makes on its own (shared, so the
        # commonest denials, with a single reason, allocate nothing).
        restrictive: list[tuple[str, Reason, AccessDecision]] = []
        permissive: list[_PermissiveEntry] = []
        for category in label.categories:
            if category.type is TagType.RESTRICTIVE:
                for value in category.values:
                    if category.tag == NEED_TO_KNOW:
                        reason = Reason(
                            ReasonCode.MISSING_COMPARTMENT,
                            f"no need-to-know grant for compartment {value}",
                        )
                    else:
                        reason = Reason(
                            ReasonCode.MISSING_RESTRICTIVE_VALUE,
                            f"missing restrictive value {value} ({category.tag})",
                        )
                    restrictive.append((category_key(category.tag, value), reason, _denial(reason)))
            elif category.type is TagType.PERMISSIVE:
                keys = frozenset(category_key(category.tag, v) for v in category.values)
                if category.tag == RELEASABLE_TO:
                    # The detail names the subject's nationality: the view supplies it.
                    permissive.append((keys, None, None))
                else:
                    detail = f"holds none of {category.tag}: {', '.join(category.values)}"
                    reason = Reason(ReasonCode.MISSING_PERMISSIVE_VALUE, detail)
                    permissive.append((keys, reason, _denial(reason)))
        self.restrictive = tuple(restrictive)
        self.permissive = tuple(permissive)
        # `label.permissive` lists the same groups in the same order. For the group a read's
        # fast check found failing: its entry and the entries after it (the ones before passed),
        # so the denial does not run those set checks again.
        self.after: dict[frozenset[str], tuple[_PermissiveEntry, tuple[_PermissiveEntry, ...]]] = {
            group: (entry, self.permissive[index + 1 :])
            for index, (group, entry) in enumerate(
                zip(label.permissive, self.permissive, strict=True)
            )
        }


def _plan(label: Label) -> _Plan:
    plan = label._plan
    if plan is None:
        plan = _Plan(label)
        object.__setattr__(label, "_plan", plan)
    return plan  # type: ignore[no-any-return]


# --- per-day view of a subject ---------------------------------------------------------------

_MAX_VIEWS: Final = 32


def _equivalence_for(
    equivalences: tuple[Equivalence, ...], one: str, other: str, today: date
) -> Equivalence | None:
    for equivalence in equivalences:
        if equivalence.in_force(today) and equivalence.covers(one, other):
            return equivalence
    return None


class _View:
    """What a subject holds on one day; decisions only read it (caches fill on first use)."""

    __slots__ = (
        "_granted_detail",
        "allowed",
        "held",
        "level_reasons",
        "levels",
        "not_releasable",
        "not_releasable_alone",
        "ntk_expired",
        "read_allowed",
        "read_level",
        "subject",
        "today",
    )

    def __init__(self, subject: Subject, today: date) -> None:
        self.subject = subject
        self.today = today
        # level token -> (clearance, equivalence or None): how it is covered, for the detail
        # of the granted reason (formatted only when a decision needs it).
        levels: dict[str, tuple[Clearance, Equivalence | None]] = {}
        held: set[str] = set()
        for clearance in subject.clearances:
            if not clearance.valid_on(today):
                continue
            if clearance.categories:
                held.update(clearance.categories)
            direct = (clearance, None)
            for token in clearance.level_tokens:
                if token not in levels:
                    levels[token] = direct
            for equivalence in subject.equivalences:
                if not equivalence.in_force(today) or clearance.policy not in equivalence.policies:
                    continue
                via = (clearance, equivalence)
                for other in equivalence.policies:
                    if other == clearance.policy:
                        continue
                    if (
                        _equivalence_for(subject.equivalences, other, clearance.policy, today)
                        is not equivalence
                    ):
                        continue  # an earlier table decides between these two policies
                    for row in equivalence.rows:
                        cells = dict(row)
                        mine = cells.get(clearance.policy)
                        theirs = cells.get(other)
                        if mine in clearance.classifications and theirs is not None:
                            levels.setdefault(level_token(other, theirs), via)
        self.ntk_expired: dict[str, Reason] = {}
        for grant in subject.grants:
            if grant.valid_on(today):
                held.add(grant.key)
            elif grant.key not in self.ntk_expired:
                self.ntk_expired[grant.key] = Reason(
                    ReasonCode.NEED_TO_KNOW_EXPIRED, _grant_lapse(grant, today)
                )
        if subject.nationality:
            held.add(category_key(RELEASABLE_TO, subject.nationality))
            self.not_releasable = Reason(
                ReasonCode.NOT_RELEASABLE, f"not releasable to {subject.nationality}"
            )
        else:
            self.not_releasable = Reason(
                ReasonCode.NOT_RELEASABLE, "not releasable: the subject's nationality is unknown"
            )
        self.not_releasable_alone = _denial(self.not_releasable)
        self.held = frozenset(held)
        self.levels = frozenset(levels)
        self.allowed: dict[tuple[str, str], AccessDecision] = {}
        self.level_reasons: dict[tuple[str, str], tuple[Reason, ...]] = {}
        # The same two caches for reads, keyed by the level token alone (no tuple to build).
        self.read_allowed: dict[str, AccessDecision] = {}
        self.read_level: dict[str, tuple[tuple[Reason, ...], AccessDecision]] = {}
        self._granted_detail = levels

    def granted(self, label: Label, action: str) -> AccessDecision:
        key = (label.level, action)
        decision = self.allowed.get(key)
        if decision is None:
            clearance, equivalence = self._granted_detail[label.level]
            via = f" via equivalence {equivalence.id}" if equivalence else ""
            detail = (
                f"{label.classification} ({label.policy}) covered by clearance "
                f"{clearance.shown}{via}"
            )
            decision = AccessDecision(True, (Reason(ReasonCode.GRANTED, detail),))
            self.allowed[key] = decision
        return decision

    def level_denial(self, label: Label, action: str) -> tuple[Reason, ...]:
        key = (label.level, action)
        reasons = self.level_reasons.get(key)
        if reasons is None:
            reasons = _level_reasons(
                self.subject, label.policy, label.classification, self.today, action
            )
            self.level_reasons[key] = reasons
        return reasons


def _grant_lapse(grant: Any, today: date) -> str:
    if grant.revoked_on is not None and today >= grant.revoked_on:
        return (
            f"need-to-know grant for {grant.compartment} revoked on {grant.revoked_on.isoformat()}"
        )
    if grant.valid_from is not None and today < grant.valid_from:
        return (
            f"need-to-know grant for {grant.compartment} starts on {grant.valid_from.isoformat()}"
        )
    return f"need-to-know grant for {grant.compartment} expired on {grant.valid_until.isoformat()}"


def _lapse(clearance: Clearance, today: date) -> Reason:
    if clearance.revoked_on is not None and today >= clearance.revoked_on:
        return Reason(
            ReasonCode.CLEARANCE_REVOKED,
            f"clearance {clearance.shown} revoked on {clearance.revoked_on.isoformat()}",
        )
    if today < clearance.valid_from:
        return Reason(
            ReasonCode.CLEARANCE_NOT_YET_VALID,
            f"clearance {clearance.shown} is valid from {clearance.valid_from.isoformat()}",
        )
    until = clearance.valid_until.isoformat() if clearance.valid_until else "?"
    return Reason(ReasonCode.CLEARANCE_EXPIRED, f"clearance {clearance.shown} expired on {until}")


def _level_reasons(
    subject: Subject, policy: str, classification: str, today: date, action: str
) -> tuple[Reason, ...]:
    """Why no clearance valid today covers `classification` of `policy` (slow path, cached)."""
    if not subject.clearances:
        return (Reason(ReasonCode.NO_CLEARANCE, f"{subject.person} holds no clearance"),)
    reasons: list[Reason] = []
    above = (
        ReasonCode.LABEL_ABOVE_OWN_CLEARANCE
        if action == Action.LABEL
        else ReasonCode.CLASSIFICATION_ABOVE_CLEARANCE
    )
    for clearance in subject.clearances:
        if clearance.policy == policy:
            target: str | None = classification
            via = ""
        else:
            equivalence = _equivalence_for(subject.equivalences, policy, clearance.policy, today)
            if equivalence is None:
                continue  # this clearance says nothing about the label's policy
            target = equivalence.equivalent(policy, classification, clearance.policy)
            via = f" via equivalence {equivalence.id}"
            if target is None:
                reasons.append(
                    Reason(
                        ReasonCode.NO_EQUIVALENT,
                        f"no equivalent for {classification} in the {clearance.policy} scheme"
                        f" (equivalence {equivalence.id})",
                    )
                )
                continue
        if target in clearance.classifications:
            if not clearance.valid_on(today):
                reasons.append(_lapse(clearance, today))
            continue
        if clearance.valid_on(today):
            shown = f"{classification} ({policy})"
            if target != classification:
                shown += f" = {target} ({clearance.policy}){via}"
            if action == Action.LABEL:
                detail = f"may not label {shown}: above own clearance {clearance.shown}"
            else:
                detail = f"{shown} is above clearance {clearance.shown}"
            reasons.append(Reason(above, detail))
    if not reasons:
        return (
            Reason(
                ReasonCode.NO_CLEARANCE_FOR_POLICY,
                f"no clearance under policy {policy} or an equivalent scheme",
            ),
        )
    return tuple(dict.fromkeys(reasons))


def _view(subject: Subject, today: date) -> _View:
    views = subject._views
    view = views.get(today)
    if view is None:
        if len(views) >= _MAX_VIEWS:
            views.clear()  # a long-lived subject asked about many days: start again
        view = views[today] = _View(subject, today)
    return view


def authorizations(subject: Subject, *, today: date) -> frozenset[str]:
    """The authorizations `labels.to_access_expression` is evaluated against: the level
    tokens the subject's clearances cover today and the category values they hold."""
    view = _view(subject, today)
    return view.levels | view.held


# --- the decision ----------------------------------------------------------------------------

_ACTIONS: Final = tuple(action.value for action in Action)


def decide(subject: Subject, label: Label, action: Action | str, *, today: date) -> AccessDecision:
    """Decide `action` on `label` for `subject` on `today`. Never raises (fails closed)."""
    try:
        view = subject._views.get(today)
        if view is None:
            view = _view(subject, today)
        if action == "read":
            # The hot path, inlined on purpose: a function call costs as much as a set check.
            held = view.held
            level = label.level
            if level in view.levels and label.restrictive <= held:
                for group in label.permissive:
                    if group.isdisjoint(held):
                        break
                else:
                    decision = view.read_allowed.get(level)
                    if decision is None:
                        decision = view.read_allowed[level] = view.granted(label, "read")
                    return decision
                # Only permissive groups fail (the commonest denial): start at the group
                # that failed; the groups before it passed.
                plan: _Plan | None = label._plan
                if plan is None:
                    plan = _plan(label)
                (_keys, _first, first_alone), rest = plan.after[group]
                if first_alone is None:  # "Releasable To": names the nationality
                    first_alone = view.not_releasable_alone
                for keys, _reason, _single in rest:
                    if keys.isdisjoint(held):
                        return _lazy_read_denial(view, label)  # several reasons
                return first_alone
            # Denied: the reasons are worked out only if someone reads them.
            return _lazy_read_denial(view, label)
        if action not in _ACTIONS:
            return AccessDecision(
                False,
                (
                    Reason(
                        ReasonCode.UNKNOWN_ACTION,
                        f"unknown action {action!r}; one of {', '.join(_ACTIONS)}",
                    ),
                ),
            )
        return _explain(view, label, str(action))
    except Exception as exc:  # a decision must never raise: deny instead (fail closed)
        return AccessDecision(
            False, (Reason(ReasonCode.EVALUATION_ERROR, f"{type(exc).__name__}: {exc}"),)
        )


def _read_denial(view: _View, label: Label) -> AccessDecision:
    """Every reason a read of `label` is denied, in the documented order (level, restrictive
    values, permissive tags); a single reason is a shared decision."""
    held = view.held
    level = label.level
    restrictive_ok = label.restrictive <= held
    covered = level in view.levels
    # Denied: collect the category reasons; a single one is a shared decision.
    plan = label._plan
    if plan is None:
        plan = _plan(label)
    extra: list[Reason] | None = None
    alone: AccessDecision | None = None
    if not restrictive_ok:  # the per-value loop only when the set check failed
        expired = view.ntk_expired
        for key, reason, single in plan.restrictive:
            if key not in held:
                if expired and key in expired:
                    # A lapsed grant says more than "missing": no shared decision.
                    if extra is None:
                        extra = [expired[key]]
                    else:
                        extra.append(expired[key])
                elif extra is None:
                    extra, alone = [reason], single
                else:
                    extra.append(reason)
    for keys, reason_or_none, single_or_none in plan.permissive:
        if keys.isdisjoint(held):
            if reason_or_none is None:  # "Releasable To": names the nationality
                reason_or_none = view.not_releasable
                single_or_none = view.not_releasable_alone
            if extra is None:
                extra, alone = [reason_or_none], single_or_none
            else:
                extra.append(reason_or_none)
    if covered:
        if extra is None:  # unreachable: nothing failed means allowed above
            return view.granted(label, "read")
        if alone is not None and len(extra) == 1:
            return alone
        return AccessDecision(False, tuple(extra))
    entry = view.read_level.get(level)
    if entry is None:
        found = view.level_denial(label, "read")
        entry = view.read_level[level] = (found, AccessDecision(False, found))
    if extra is None:
        return entry[1]
    return AccessDecision(False, entry[0] + tuple(extra))


def _explain(view: _View, label: Label, action: str) -> AccessDecision:
    """The full evaluation for the other actions, every failing reason listed."""
    reasons: list[Reason] = []
    if label.level not in view.levels:
        reasons.extend(view.level_denial(label, action))
    plan = _plan(label)
    held = view.held
    for key, reason, _single in plan.restrictive:
        if key not in held:
            reasons.append(view.ntk_expired.get(key, reason))
    if action != "label":
        for keys, permissive_reason, _alone in plan.permissive:
            if keys.isdisjoint(held):
                reasons.append(permissive_reason or view.not_releasable)
    if action in ("downgrade", "declassify"):
        originators = label.originators
        if view.subject.authorities.isdisjoint(originators):
            reasons.append(
                Reason(
                    ReasonCode.NOT_ORIGINATOR,
                    f"only the originator's authority ({', '.join(originators)}) may {action}",
                )
            )
    if reasons:
        return AccessDecision(False, tuple(reasons))
    return view.granted(label, action)
