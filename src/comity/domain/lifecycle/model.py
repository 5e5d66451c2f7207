"""Values of the lifecycle engine: dates, periods, conventions, rules, events, the agreement spec.

This module owns the *vocabulary* of an agreement's legal life (reference/treaty-lifecycle.md §6,
§8): plain calendar dates (never datetimes, never time zones), ISO 8601 calendar periods, the
per-agreement convention profile, the structured final clauses (rules) and the dated facts
(events), and the calendar arithmetic every computed date goes through (checked against the
ends of the calendar, so that no rule or as-of date can overflow `datetime.date`). Every value
is an immutable dataclass so a spec can be shared and evaluated on any date without being
changed; derived state lives in `engine.py` and is never stored here.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import MAXYEAR, MINYEAR, date
from decimal import Decimal
from typing import Final, Literal

from comity.errors import InvalidInput

# --------------------------------------------------------------------------------------------
# Closed vocabularies (the agreement file's enumerations; the database stores these strings).

EffectConvention = Literal["on_date", "day_after"]
MonthEnd = Literal["clamp", "roll_forward"]
RenewalAnchor = Literal["entry_into_force", "previous_expiry"]
NoticeDate = Literal["receipt", "dispatch"]
AgreementKind = Literal["bilateral", "multilateral"]
Trigger = Literal["signature", "date", "last_notification", "instruments"]
ProvisionalFrom = Literal["signature", "date", "later_of"]
Renewal = Literal["none", "automatic", "by_agreement"]
LockInAnchor = Literal["entry_into_force", "party_entry_into_force"]
Ends = Literal["agreement", "party"]
CalendarEffect = Literal["next_calendar_year"]

EVENT_KINDS: Final = (
    "signature",
    "domestic_step",
    "notification",
    "instrument_deposited",
    "provisional_application",
    "entry_into_force",
    "non_renewal_notice",
    "denunciation_notice",
    "provisional_application_notice",
    "notice_withdrawn",
    "amendment",
)
EventKind = Literal[
    "signature",
    "domestic_step",
    "notification",
    "instrument_deposited",
    "provisional_application",
    "entry_into_force",
    "non_renewal_notice",
    "denunciation_notice",
    "provisional_application_notice",
    "notice_withdrawn",
    "amendment",
]
DOMESTIC_STEPS: Final = (
    "approval",
    "parliament_submission",
    "committee_approval",
    "plenary_approval",
    "promulgation",
    "publication",
    "ratification",
)
INSTRUMENTS: Final = ("ratification", "acceptance", "approval", "accession", "succession")
#: Event kinds that are notices ending something; their counting date follows `notice_date`.
NOTICE_KINDS: Final = (
    "non_renewal_notice",
    "denunciation_notice",
    "provisional_application_notice",
)

_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def human_date(value: date) -> str:
    """ "6 Apr 2021": unambiguous in every locale, and independent of the process locale."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


# --------------------------------------------------------------------------------------------
# Calendar arithmetic
#
# Every date the lifecycle computes goes through these functions, which check the calendar's
# ends before they build a date: a rule or an as-of date that would need a day after 9999-12-31
# (or before 0001-01-01) is an `InvalidInput` saying so, never an OverflowError or a ValueError
# from `datetime`.


class DateOutOfRange(InvalidInput):
    """A computed date falls outside the calendar `datetime.date` can hold: after its last day
    (`later`) or before its first."""

    code = "lifecycle.date_out_of_range"

    def __init__(
        self,
        *,
        later: bool,
        message: str = "a date cannot be computed",
        what: str = "the date",
        location: str | None = None,
    ) -> None:
        bound = f"after {date.max.isoformat()}" if later else f"before {date.min.isoformat()}"
        super().__init__(message, location=location, reason=f"{what} falls {bound}")
        self.later = later


def days_after(start: date, days: int) -> date:
    """`start` moved by `days` (negative: earlier)."""
    ordinal = start.toordinal() + days
    if ordinal > date.max.toordinal():
        raise DateOutOfRange(later=True)
    if ordinal < date.min.toordinal():
        raise DateOutOfRange(later=False)
    return date.fromordinal(ordinal)


def months_after(start: date, months: int) -> date:
    """`start` moved by `months` calendar months (negative: earlier); a day the target month
    lacks becomes its last day (31 Aug + 6 months = 28/29 Feb)."""
    year, month_index = divmod(start.year * 12 + start.month - 1 + months, 12)
    month = month_index + 1
    last = calendar.monthrange(_on_calendar(year), month)[1]
    return date(year, month, min(start.day, last))


def first_of_year(year: int) -> date:
    """1 January of `year`."""
    return date(_on_calendar(year), 1, 1)


def _on_calendar(year: int) -> int:
    if year > MAXYEAR:
        raise DateOutOfRange(later=True)
    if year < MINYEAR:
        raise DateOutOfRange(later=False)
    return year


# --------------------------------------------------------------------------------------------
# Dates and periods


_PARTIAL_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A calendar date, possibly known only to the month (`2018-02`).

    A computation that needs the day of a month-only date reports its result as unknown (with
    the reason) instead of guessing; `earliest`/`latest` bound what the date can be.
    """

    year: int
    month: int
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not 1-12")
        if self.day is not None:
            date(self.year, self.month, self.day)  # raises ValueError for 30 Feb etc.

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """`YYYY-MM-DD` or `YYYY-MM`; raises ValueError with a readable message otherwise."""
        match = _PARTIAL_DATE.match(text.strip())
        if match is None:
            raise ValueError(
                f"{text!r} is not a date YYYY-MM-DD (or YYYY-MM if only the month is known)"
            )
        year, month, day = match.groups()
        try:
            return cls(int(year), int(month), int(day) if day else None)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a calendar date ({exc})") from None

    @classmethod
    def of(cls, value: date) -> PartialDate:
        return cls(value.year, value.month, value.day)

    @property
    def exact(self) -> date | None:
        """The date, or None when only the month is known."""
        return None if self.day is None else date(self.year, self.month, self.day)

    @property
    def earliest(self) -> date:
        return date(self.year, self.month, self.day or 1)

    @property
    def latest(self) -> date:
        last = calendar.monthrange(self.year, self.month)[1]
        return date(self.year, self.month, self.day or last)

    def human(self) -> str:
        if self.day is None:
            return f"{_MONTHS[self.month - 1]} {self.year} (day unknown)"
        return human_date(date(self.year, self.month, self.day))

    def __str__(self) -> str:
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


_PERIOD = re.compile(r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")
#: More digits than any amount the calendar can count (3,652,058 days is seven).
_PERIOD_DIGITS: Final = 9


def _too_long(text: str) -> str:
    span = f"{date.min.isoformat()} to {date.max.isoformat()}"
    return f"{text.strip()!r} is longer than the calendar can count ({span})"


@dataclass(frozen=True, slots=True)
class Period:
    """An ISO 8601 calendar duration with years, months and days (`P5Y`, `P3M`, `P30D`, `P0D`).

    Weeks are read as 7 days. There is no time part: treaty periods are counted in days.
    """

    years: int = 0
    months: int = 0
    days: int = 0

    def __post_init__(self) -> None:
        if min(self.years, self.months, self.days) < 0:
            raise ValueError("a period cannot be negative")

    @classmethod
    def parse(cls, text: str) -> Period:
        """`P5Y`, `P1Y6M`, `P3M`, `P2W`, `P30D`…; raises ValueError with a readable message
        for anything else, and for a period longer than the calendar can count."""
        match = _PERIOD.match(text.strip().upper())
        if match is None:
            raise ValueError(
                f"{text!r} is not an ISO 8601 duration such as P5Y, P1Y6M, P3M or P30D"
            )
        groups = [group or "0" for group in match.groups()]
        # Longer than any count the calendar holds, and too long for int() past 4300 digits.
        if any(len(group) > _PERIOD_DIGITS for group in groups):
            raise ValueError(_too_long(text))
        years, months, weeks, days = (int(group) for group in groups)
        period = cls(years, months, days + 7 * weeks)
        try:
            period.add_to(date.min)
        except DateOutOfRange:
            raise ValueError(_too_long(text)) from None
        return period

    @property
    def is_zero(self) -> bool:
        return self.years == self.months == self.days == 0

    def total_months(self) -> int:
        return 12 * self.years + self.months

    def scaled(self, factor: int) -> Period:
        return Period(self.years * factor, self.months * factor, self.days * factor)

    def plus(self, other: Period) -> Period:
        return Period(self.years + other.years, self.months + other.months, self.days + other.days)

    def add_to(self, start: date, month_end: MonthEnd = "clamp") -> date:
        """C0: `start + P` by calendar; a day the target month lacks clamps to its last day
        (`clamp`) or moves to the 1st of the next month (`roll_forward`)."""
        shifted = months_after(start, self.total_months())
        if month_end == "roll_forward" and shifted.day != start.day:
            shifted = days_after(shifted, 1)  # clamped day is the month's last: next is 1st
        return days_after(shifted, self.days)

    def subtract_from(self, end: date, month_end: MonthEnd = "clamp") -> date:
        """`end − P`, the mirror of `add_to` (used for "at least P before" deadlines)."""
        shifted = days_after(end, -self.days)
        moved = months_after(shifted, -self.total_months())
        if month_end == "roll_forward" and moved.day != shifted.day:
            moved = days_after(moved, 1)
        return moved

    def human(self) -> str:
        parts = []
        for amount, unit in ((self.years, "year"), (self.months, "month"), (self.days, "day")):
            if amount:
                parts.append(f"{amount} {unit}{'' if amount == 1 else 's'}")
        return " ".join(parts) if parts else "0 days"

    def __str__(self) -> str:
        if self.is_zero:
            return "P0D"
        text = "P"
        if self.years:
            text += f"{self.years}Y"
        if self.months:
            text += f"{self.months}M"
        if self.days:
            text += f"{self.days}D"
        return text


# --------------------------------------------------------------------------------------------
# Conventions and rules


@dataclass(frozen=True, slots=True)
class Conventions:
    """The per-agreement switches over the default profile C0–C8.

    - `effect`: `on_date` (an effect P after D starts on D+P, UN depositary practice, C3) or
      `day_after` (civil-law counting: one day later).
    - `month_end`: `clamp` (31 Aug + 6 months = 28/29 Feb) or `roll_forward` (1 Mar).
    - `renewal_anchor`: `entry_into_force` (period k ends at S + (N + k·R), C4) or
      `previous_expiry` (each period counted from the previous expiry).
    - `notice_date`: `receipt` (C7 default) or `dispatch` (a notice "given").
    """

    effect: EffectConvention = "on_date"
    month_end: MonthEnd = "clamp"
    renewal_anchor: RenewalAnchor = "entry_into_force"
    notice_date: NoticeDate = "receipt"


@dataclass(frozen=True, slots=True)
class Offset:
    """How a rule's base date D becomes its effect date.

    - `days_after = N`: D + N days (C1; D itself is not counted).
    - `after = P`: the effect of a period P after D (C3; follows `Conventions.effect`).
    - `first_day_of_month = k`: day 1 of the k-th month after the month of D (C2); combined
      with one of the above it applies to their result ("the first day of the month following
      the expiration of three months after D": `after = "P3M"`, `first_day_of_month = 1`).
    `days_after` and `after` exclude each other. None set: the effect is on D itself.
    """

    days_after: int | None = None
    first_day_of_month: int | None = None
    after: Period | None = None

    @property
    def is_none(self) -> bool:
        return self.days_after is None and self.first_day_of_month is None and self.after is None


@dataclass(frozen=True, slots=True)
class EntryIntoForceRule:
    """A date rule: a trigger (or `later_of` sub-rules) and an offset.

    Used for `[entry_into_force]` and for the `later_of` parts of `[provisional_application]`.
    `trigger` is None exactly when `later_of` is given.

    - `signature`: the last signature of all parties.
    - `date`: the fixed `date`.
    - `last_notification`: the later of all parties' notifications (counting date per
      `Conventions.notice_date`).
    - `instruments`: the `count`-th instrument deposited (all parties when `count` is None), and,
      with `weight_share`, when the deposited parties' `weight` reaches that share (percent).
    - `later_parties_days_after` / `later_parties_after` / `later_parties_first_day_of_month`
      (multilateral; an `Offset` from the party's deposit): a party that deposits after the
      threshold was reached gets its own date counted from its deposit.
    """

    trigger: Trigger | None = None
    date: date | None = None
    count: int | None = None
    weight_share: Decimal | None = None
    offset: Offset = field(default_factory=Offset)
    later_of: tuple[EntryIntoForceRule, ...] = ()
    later_parties_days_after: int | None = None
    later_parties_first_day_of_month: int | None = None
    later_parties_after: Period | None = None
    article: str | None = None
    text: str | None = None

    @property
    def later_parties(self) -> Offset | None:
        """The offset from a later party's own deposit, when the agreement gives one."""
        offset = Offset(
            days_after=self.later_parties_days_after,
            first_day_of_month=self.later_parties_first_day_of_month,
            after=self.later_parties_after,
        )
        return None if offset.is_none else offset


@dataclass(frozen=True, slots=True)
class ProvisionalApplicationRule:
    """`[provisional_application]`: from when the agreement applies before entry into force, and
    how soon a notice ending provisional application takes effect (`P0D`: immediately)."""

    start: EntryIntoForceRule
    termination_effect_after: Period | None = None
    article: str | None = None
    text: str | None = None

    @property
    def from_(self) -> ProvisionalFrom:
        if self.start.later_of:
            return "later_of"
        return "date" if self.start.trigger == "date" else "signature"


@dataclass(frozen=True, slots=True)
class TermRule:
    """`[term]`: `initial` is None for an indefinite agreement (one period with no end)."""

    initial: Period | None
    renewal: Renewal = "none"
    renewal_period: Period | None = None
    max_renewals: int | None = None
    article: str | None = None
    text: str | None = None

    @property
    def indefinite(self) -> bool:
        return self.initial is None


@dataclass(frozen=True, slots=True)
class NonRenewalRule:
    """`[non_renewal]`: a notice at least `notice_before_expiry` before the end of a period stops
    the next renewal (C5)."""

    notice_before_expiry: Period
    article: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class MonthDay:
    """A day of the year without a year ("06-30"), for calendar-year notice clauses."""

    month: int
    day: int

    def __post_init__(self) -> None:
        date(2000, self.month, self.day)  # 2000 is a leap year: accepts 02-29, rejects 02-30

    def in_year(self, year: int) -> date:
        """This day in `year` (29 Feb in a common year: 28 Feb)."""
        january_first = first_of_year(year)
        last = calendar.monthrange(year, self.month)[1]
        return january_first.replace(month=self.month, day=min(self.day, last))

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True, slots=True)
class DenunciationRule:
    """`[denunciation]`: termination (or, with `ends = "party"`, withdrawal) by notice.

    The effect: `effect_after` (period from the notice, C3) and/or `effect_first_day_of_month`
    (day 1 of the k-th month after the month of the notice, or of its `effect_after` date when
    both are given, C2), or else a calendar-year clause (`notice_by` "MM-DD" with
    `effect = "next_calendar_year"`). `not_before` is a lock-in counted
    from `not_before_from` (C6: the act is allowed *as from* anchor + period).
    """

    effect_after: Period | None = None
    effect_first_day_of_month: int | None = None
    not_before: Period | None = None
    not_before_from: LockInAnchor = "entry_into_force"
    ends: Ends = "agreement"
    notice_by: MonthDay | None = None
    effect: CalendarEffect | None = None
    article: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Survival:
    """`[[survival]]`: an obligation that outlives termination. `until` is free text (e.g.
    "until the originating Party releases it") or an ISO period counted from termination."""

    article: str
    text: str
    until: str | None = None

    @property
    def until_period(self) -> Period | None:
        if self.until is None:
            return None
        try:
            return Period.parse(self.until)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class ExecutingBody:
    """`[[executing_bodies]]`: a dated designation of the body that executes the agreement for a
    party (bodies change over an agreement's life)."""

    party: str
    name: str
    from_: PartialDate | None = None
    until: PartialDate | None = None
    evidence: str = ""


# --------------------------------------------------------------------------------------------
# Events


@dataclass(frozen=True, slots=True)
class Event:
    """A dated fact with its evidence. Notifications and notices may carry `dispatched` and
    `received` instead of `date`; which one counts is `Conventions.notice_date` (C7).

    - `step`: for `domestic_step` (one of DOMESTIC_STEPS).
    - `instrument`: for `instrument_deposited` (one of INSTRUMENTS); `weight` its share (e.g. of
      emissions, in percent) for `weight_share` thresholds.
    - `effective`: on a notice, a later date of effect that the notice itself specifies.
    - `withdraws`: on `notice_withdrawn`, the kind of notice withdrawn (default: the party's
      latest notice).
    - `renewal`: on `amendment` under `renewal = "by_agreement"`, the parties agreed to renew for
      the next period.
    """

    kind: EventKind
    party: str | None = None
    date: PartialDate | None = None
    dispatched: PartialDate | None = None
    received: PartialDate | None = None
    evidence: str = ""
    step: str | None = None
    instrument: str | None = None
    effective: PartialDate | None = None
    weight: Decimal | None = None
    withdraws: str | None = None
    renewal: bool = False
    note: str = ""

    @property
    def primary_date(self) -> PartialDate | None:
        """The date the fact is first known to have happened (for ordering and as-of filters)."""
        return self.date or self.dispatched or self.received

    def counting_date(self, notice_date: NoticeDate) -> PartialDate | None:
        """The date that counts for a notification or notice under `notice_date` (C7). None
        when that date is not recorded (e.g. only the dispatch is known, receipt counts)."""
        if self.date is not None:
            return self.date
        return self.received if notice_date == "receipt" else self.dispatched


# --------------------------------------------------------------------------------------------
# The agreement


@dataclass(frozen=True, slots=True)
class AgreementSpec:
    """One agreement file: identity, languages, conventions, rules and recorded events."""

    id: str
    title: Mapping[str, str]
    parties: tuple[str, ...]
    kind: AgreementKind
    authentic_languages: tuple[str, ...]
    entry_into_force: EntryIntoForceRule
    term: TermRule
    prevailing_language: str | None = None
    conventions: Conventions = field(default_factory=Conventions)
    provisional_application: ProvisionalApplicationRule | None = None
    non_renewal: NonRenewalRule | None = None
    denunciation: DenunciationRule | None = None
    survival: tuple[Survival, ...] = ()
    events: tuple[Event, ...] = ()
    executing_bodies: tuple[ExecutingBody, ...] = ()
    depositary: str | None = None
    place_of_signature: str | None = None
    notes: str = ""

    def with_events(self, events: tuple[Event, ...]) -> AgreementSpec:
        """The same agreement with `events` appended (e.g. events recorded in the database)."""
        return replace(self, events=self.events + events)
