"""The agreement file (TOML), comity's exchange format for an agreement's rules and events.

This module owns reading and writing that format: `parse_agreement` turns text into an
`AgreementSpec`, `spec_to_dict`/`event_to_dict` turn values back into JSON-able dicts of the same
shape (so `parse_agreement_dict(spec_to_dict(s))` gives `s` back). Invariant: nothing leaves this
module unless it makes sense: unknown fields, malformed dates or periods, rules that contradict
themselves and events for parties not in `parties` raise `InvalidInput` naming the file, the field
path and the reason. Pure: the caller reads the file; this module only parses the text given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TypeVar, cast

from comity.domain.kernel.toml_input import load_toml
from comity.domain.lifecycle.model import (
    DOMESTIC_STEPS,
    EVENT_KINDS,
    INSTRUMENTS,
    NOTICE_KINDS,
    AgreementSpec,
    Conventions,
    DenunciationRule,
    EntryIntoForceRule,
    Event,
    EventKind,
    ExecutingBody,
    MonthDay,
    NonRenewalRule,
    Offset,
    PartialDate,
    Period,
    ProvisionalApplicationRule,
    Survival,
    TermRule,
)
from comity.errors import InvalidInput

T = TypeVar("T")

_SLUG: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PARTY: Final = re.compile(r"^[A-Z][A-Z0-9]{1,11}$")
_LANGUAGE: Final = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_MONTH_DAY: Final = re.compile(r"^(\d{2})-(\d{2})$")
_INVALID_FILE: Final = "agreement.invalid_file"

#: Event kinds that must name the acting party.
_PARTY_REQUIRED: Final = frozenset(
    {
        "signature",
        "domestic_step",
        "notification",
        "instrument_deposited",
        "non_renewal_notice",
        "denunciation_notice",
        "provisional_application_notice",
        "notice_withdrawn",
    }
)
#: Event kinds for which a dispatch/receipt pair is meaningful.
_SENT_KINDS: Final = frozenset({"notification", *NOTICE_KINDS, "notice_withdrawn"})


class _Fields:
    """A TOML table being read: every key must be consumed, so leftovers are unknown fields."""

    def __init__(self, data: object, path: str, source: str) -> None:
        self.source = source
        self.path = path
        if not isinstance(data, Mapping):
            raise self.error(path, "expected a table", f"found {_type_name(data)}")
        self.data: Mapping[str, object] = data
        self.used: set[str] = set()

    def error(self, path: str, message: str, reason: str) -> InvalidInput:
        return _error(self.source, path, message, reason)

    def sub(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str) -> object:
        self.used.add(key)
        return self.data.get(key)

    def get(self, key: str, kind: type[T], *, required: bool = False) -> T | None:
        value = self.raw(key)
        if value is None:
            if required:
                raise self.error(self.sub(key), "missing field", "this field is required")
            return None
        # bool is an int in Python; a TOML `true` is never a number here.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(
                self.sub(key),
                "wrong type",
                f"expected {kind.__name__}, found {_type_name(value)}",
            )
        return value

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.get(key, str, required=required)
        if value is not None and not value.strip():
            raise self.error(self.sub(key), "empty text", "give a value or leave the field out")
        return value

    def required_text(self, key: str) -> str:
        value = self.text(key, required=True)
        assert value is not None  # `required` raised otherwise
        return value

    def choice(self, key: str, options: Sequence[str], default: str | None = None) -> str | None:
        value = self.text(key)
        if value is None:
            return default
        if value not in options:
            raise self.error(
                self.sub(key), f"unknown value {value!r}", "expected one of " + ", ".join(options)
            )
        return value

    def integer(self, key: str, *, minimum: int) -> int | None:
        value = self.get(key, int)
        if value is not None and value < minimum:
            raise self.error(self.sub(key), f"{value} is too small", f"must be at least {minimum}")
        return value

    def period(self, key: str, *, required: bool = False) -> Period | None:
        value = self.text(key, required=required)
        if value is None:
            return None
        try:
            return Period.parse(value)
        except ValueError as exc:
            raise self.error(self.sub(key), "bad period", str(exc)) from None

    def partial_date(self, key: str) -> PartialDate | None:
        value = self.raw(key)
        if value is None:
            return None
        return _partial_date(value, self.sub(key), self.source)

    def exact_date(self, key: str, *, required: bool = False) -> date | None:
        value = self.raw(key)
        if value is None:
            if required:
                raise self.error(self.sub(key), "missing field", "this field is required")
            return None
        parsed = _partial_date(value, self.sub(key), self.source)
        if parsed.exact is None:
            raise self.error(self.sub(key), "incomplete date", "a rule needs the day (YYYY-MM-DD)")
        return parsed.exact

    def decimal(self, key: str) -> Decimal | None:
        value = self.raw(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.error(self.sub(key), "wrong type", f"expected a number, found {value!r}")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise self.error(self.sub(key), "not a number", f"{value!r}") from None
        if not number.is_finite() or number < 0:
            raise self.error(self.sub(key), "bad number", "must be a finite number ≥ 0")
        return number

    def strings(self, key: str, *, required: bool = False) -> tuple[str, ...]:
        value = self.raw(key)
        if value is None:
            if required:
                raise self.error(self.sub(key), "missing field", "this field is required")
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(self.sub(key), "wrong type", "expected a list of strings")
        return tuple(cast(list[str], value))

    def tables(self, key: str) -> list[_Fields]:
        value = self.raw(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(self.sub(key), "wrong type", "expected an array of tables ([[…]])")
        return [_Fields(item, f"{self.sub(key)}[{i}]", self.source) for i, item in enumerate(value)]

    def table(self, key: str) -> _Fields | None:
        value = self.raw(key)
        return None if value is None else _Fields(value, self.sub(key), self.source)

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise self.error(
                self.sub(unknown[0]),
                "unknown field",
                "not part of the agreement format (docs/agreement-format.md)",
            )


def _type_name(value: object) -> str:
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _error(source: str, path: str, message: str, reason: str) -> InvalidInput:
    where = f"{source}: {path}" if path else source
    return InvalidInput(message, location=where, reason=reason, code=_INVALID_FILE)


def _partial_date(value: object, path: str, source: str) -> PartialDate:
    if isinstance(value, datetime):
        raise _error(source, path, "not a calendar date", "a treaty date has no time of day")
    if isinstance(value, date):
        return PartialDate.of(value)
    if not isinstance(value, str):
        raise _error(source, path, "wrong type", f"expected a date, found {_type_name(value)}")
    try:
        return PartialDate.parse(value)
    except ValueError as exc:
        raise _error(source, path, "bad date", str(exc)) from None


# --------------------------------------------------------------------------------------------
# Parsing


def parse_agreement(text: str, *, source: str) -> AgreementSpec:
    """Parse an agreement file's text. `source` names it in errors (usually the path)."""
    data = load_toml(text, source=source, code=_INVALID_FILE)
    return parse_agreement_dict(data, source=source)


def parse_agreement_dict(data: Mapping[str, object], *, source: str) -> AgreementSpec:
    """Build a spec from the file's structure (a parsed TOML document or `spec_to_dict` output)."""
    top = _Fields(data, "", source)
    agreement_id = top.required_text("id")
    if not _SLUG.match(agreement_id):
        raise top.error("id", f"bad id {agreement_id!r}", "use a slug: a-z, 0-9 and single '-'")

    title = _title(top)
    kind = top.choice("kind", ("bilateral", "multilateral"))
    if kind is None:
        raise top.error("kind", "missing field", "bilateral or multilateral")
    parties = _parties(top, kind)
    languages = top.strings("authentic_languages", required=True)
    if not languages:
        raise top.error("authentic_languages", "empty list", "name at least one language")
    for i, language in enumerate(languages):
        if not _LANGUAGE.match(language):
            raise top.error(
                f"authentic_languages[{i}]", f"bad language {language!r}", "use ISO 639 codes"
            )
    if len(set(languages)) != len(languages):
        raise top.error("authentic_languages", "duplicate language", "list each language once")
    prevailing = top.text("prevailing_language")
    if prevailing is not None and prevailing not in languages:
        raise top.error(
            "prevailing_language",
            f"{prevailing!r} is not an authentic language",
            "the prevailing text must be one of authentic_languages",
        )

    conventions = _conventions(top.table("conventions"))
    eif_table = top.table("entry_into_force")
    if eif_table is None:
        raise top.error("entry_into_force", "missing table", "every agreement needs its rule")
    entry_into_force = _date_rule(eif_table, kind=kind, parties=parties)
    pa_table = top.table("provisional_application")
    provisional = None if pa_table is None else _provisional(pa_table, kind, parties)
    term_table = top.table("term")
    if term_table is None:
        raise top.error("term", "missing table", 'give [term] with initial = "P…" or "indefinite"')
    term = _term(term_table)
    nr_table = top.table("non_renewal")
    non_renewal = None if nr_table is None else _non_renewal(nr_table, term)
    den_table = top.table("denunciation")
    denunciation = None if den_table is None else _denunciation(den_table, kind)
    survival = tuple(_survival(t) for t in top.tables("survival"))
    bodies = tuple(_executing_body(t, parties) for t in top.tables("executing_bodies"))
    depositary = top.text("depositary")
    place = top.text("place_of_signature")
    notes = top.text("notes") or ""

    spec = AgreementSpec(
        id=agreement_id,
        title=title,
        parties=parties,
        kind=cast(Any, kind),
        authentic_languages=languages,
        prevailing_language=prevailing,
        conventions=conventions,
        entry_into_force=entry_into_force,
        provisional_application=provisional,
        term=term,
        non_renewal=non_renewal,
        denunciation=denunciation,
        survival=survival,
        executing_bodies=bodies,
        depositary=depositary,
        place_of_signature=place,
        notes=notes,
    )
    events = tuple(_event(table, spec=spec) for table in top.tables("events"))
    top.done()
    return spec.with_events(events)


def parse_event(mapping: Mapping[str, object], *, spec: AgreementSpec, location: str) -> Event:
    """Parse one event (the shape of an `[[events]]` table) against `spec`'s parties and rules.

    `location` names the input in errors (e.g. "comity agreement record" or "events[3]").
    """
    return _event(_Fields(mapping, "", location), spec=spec)


def _title(top: _Fields) -> dict[str, str]:
    table = top.table("title")
    if table is None:
        raise top.error("title", "missing table", "give [title] with language = text")
    title: dict[str, str] = {}
    for language in list(table.data):
        if not _LANGUAGE.match(language):
            raise top.error(f"title.{language}", "bad language code", "use ISO 639 codes")
        text = table.text(language, required=True)
        assert text is not None
        title[language] = text
    if not title:
        raise top.error("title", "empty table", "give the title in at least one language")
    table.done()
    return title


def _parties(top: _Fields, kind: str) -> tuple[str, ...]:
    parties = top.strings("parties", required=True)
    for i, party in enumerate(parties):
        if not _PARTY.match(party):
            raise top.error(
                f"parties[{i}]",
                f"bad party code {party!r}",
                "use ISO 3166-1 alpha-3 (TUR) or an upper-case organisation code (EU)",
            )
    if len(set(parties)) != len(parties):
        raise top.error("parties", "duplicate party", "list each party once")
    if kind == "bilateral" and len(parties) != 2:
        raise top.error("parties", "wrong number of parties", "a bilateral agreement has two")
    if kind == "multilateral" and len(parties) < 2:
        raise top.error("parties", "too few parties", "a multilateral agreement has at least two")
    return parties


def _conventions(table: _Fields | None) -> Conventions:
    if table is None:
        return Conventions()
    conventions = Conventions(
        effect=cast(Any, table.choice("effect", ("on_date", "day_after"), "on_date")),
        month_end=cast(Any, table.choice("month_end", ("clamp", "roll_forward"), "clamp")),
        renewal_anchor=cast(
            Any,
            table.choice(
                "renewal_anchor", ("entry_into_force", "previous_expiry"), "entry_into_force"
            ),
        ),
        notice_date=cast(Any, table.choice("notice_date", ("receipt", "dispatch"), "receipt")),
    )
    table.done()
    return conventions


def _offset(table: _Fields, prefix: str = "") -> Offset:
    offset = Offset(
        days_after=table.integer(f"{prefix}days_after", minimum=0),
        first_day_of_month=table.integer(f"{prefix}first_day_of_month", minimum=1),
        after=table.period(f"{prefix}after"),
    )
    if offset.days_after is not None and offset.after is not None:
        raise table.error(
            table.sub(f"{prefix}after"),
            "contradictory offsets",
            f"{prefix}days_after and {prefix}after cannot both apply; give one",
        )
    return offset


def _date_rule(table: _Fields, *, kind: str, parties: tuple[str, ...]) -> EntryIntoForceRule:
    later_tables = table.tables("later_of")
    trigger = table.choice("trigger", ("signature", "date", "last_notification", "instruments"))
    if later_tables and trigger is not None:
        raise table.error(
            table.sub("trigger"),
            "contradictory rule",
            "give either a trigger or later_of, not both",
        )
    if not later_tables and trigger is None:
        if table.has("later_of"):
            raise table.error(table.sub("later_of"), "empty list", "combine at least two rules")
        raise table.error(table.sub("trigger"), "missing field", "give a trigger or later_of")
    if later_tables and len(later_tables) < 2:
        raise table.error(table.sub("later_of"), "too few rules", "later_of combines two or more")
    later_of = tuple(_date_rule(t, kind=kind, parties=parties) for t in later_tables)
    fixed = table.exact_date("date")
    if trigger == "date" and fixed is None:
        raise table.error(table.sub("date"), "missing field", 'trigger = "date" needs a date')
    if fixed is not None and trigger != "date":
        raise table.error(
            table.sub("date"),
            "contradictory rule",
            f'a date only goes with trigger = "date", not {trigger or "later_of"!r}',
        )
    count = table.integer("count", minimum=1)
    weight_share = table.decimal("weight_share")
    if (count is not None or weight_share is not None) and trigger != "instruments":
        key = "count" if count is not None else "weight_share"
        raise table.error(
            table.sub(key), "contradictory rule", f'{key} only goes with trigger = "instruments"'
        )
    if count is not None and count > len(parties):
        raise table.error(
            table.sub("count"),
            "contradictory rule",
            f"{count} instruments can never be deposited by the {len(parties)} parties listed",
        )
    if weight_share is not None and not Decimal(0) < weight_share <= Decimal(100):
        raise table.error(table.sub("weight_share"), "bad share", "a percentage in (0, 100]")
    later = _offset(table, "later_parties_")
    if not later.is_none and (trigger != "instruments" or kind != "multilateral"):
        key = next(
            k
            for k in ("days_after", "after", "first_day_of_month")
            if table.has(f"later_parties_{k}")
        )
        raise table.error(
            table.sub(f"later_parties_{key}"),
            "contradictory rule",
            'per-party dates need a multilateral agreement with trigger = "instruments"',
        )
    offset = _offset(table)
    article = table.text("article")
    text = table.text("text")
    table.done()
    return EntryIntoForceRule(
        trigger=cast(Any, trigger),
        date=fixed,
        count=count,
        weight_share=weight_share,
        offset=offset,
        later_of=later_of,
        later_parties_days_after=later.days_after,
        later_parties_first_day_of_month=later.first_day_of_month,
        later_parties_after=later.after,
        article=article,
        text=text,
    )


def _provisional(table: _Fields, kind: str, parties: tuple[str, ...]) -> ProvisionalApplicationRule:
    start_from = table.choice("from", ("signature", "date", "later_of"))
    if start_from is None:
        raise table.error(table.sub("from"), "missing field", "signature, date or later_of")
    if start_from == "later_of" and not table.has("later_of"):
        raise table.error(table.sub("later_of"), "missing field", 'from = "later_of" needs it')
    if start_from != "later_of" and table.has("later_of"):
        raise table.error(
            table.sub("later_of"), "contradictory rule", f'from = "{start_from}" has no later_of'
        )
    if start_from != "date" and table.has("date"):
        raise table.error(
            table.sub("date"), "contradictory rule", f'from = "{start_from}" takes no date'
        )
    later_of = tuple(_date_rule(t, kind=kind, parties=parties) for t in table.tables("later_of"))
    if start_from == "later_of" and len(later_of) < 2:
        raise table.error(table.sub("later_of"), "too few rules", "later_of combines two or more")
    fixed = table.exact_date("date", required=start_from == "date")
    start = EntryIntoForceRule(
        trigger=None if start_from == "later_of" else cast(Any, start_from),
        date=fixed,
        later_of=later_of,
        offset=_offset(table),
    )
    rule = ProvisionalApplicationRule(
        start=start,
        termination_effect_after=table.period("termination_effect_after"),
        article=table.text("article"),
        text=table.text("text"),
    )
    table.done()
    return rule


def _term(table: _Fields) -> TermRule:
    initial_text = table.required_text("initial")
    initial: Period | None
    if initial_text == "indefinite":
        initial = None
    else:
        initial = table.period("initial")
        assert initial is not None
        if initial.is_zero:
            raise table.error(table.sub("initial"), "bad period", "a term cannot be empty")
    renewal = table.choice("renewal", ("none", "automatic", "by_agreement"), "none")
    renewal_period = table.period("renewal_period")
    max_renewals = table.integer("max_renewals", minimum=1)
    if initial is None and renewal != "none":
        raise table.error(
            table.sub("renewal"), "contradictory rule", "an indefinite agreement is never renewed"
        )
    if renewal != "none" and renewal_period is None:
        raise table.error(
            table.sub("renewal_period"), "missing field", f'renewal = "{renewal}" needs a period'
        )
    if renewal_period is not None and renewal_period.is_zero:
        raise table.error(table.sub("renewal_period"), "bad period", "a period cannot be empty")
    if renewal == "none" and (renewal_period is not None or max_renewals is not None):
        key = "renewal_period" if renewal_period is not None else "max_renewals"
        raise table.error(
            table.sub(key), "contradictory rule", 'the term is not renewed (renewal = "none")'
        )
    rule = TermRule(
        initial=initial,
        renewal=cast(Any, renewal),
        renewal_period=renewal_period,
        max_renewals=max_renewals,
        article=table.text("article"),
        text=table.text("text"),
    )
    table.done()
    return rule


def _shorter(notice: Period, period: Period) -> bool:
    """Whether a notice period certainly fits inside a term (compared on a fixed reference).

    The reference is the calendar's first day, so that every period `Period.parse` accepts can
    be added to it; the Gregorian calendar repeats every 400 years, so year 1 compares periods
    exactly as 2001 (a common year starting on a Monday) did."""
    reference = date.min
    return notice.add_to(reference) < period.add_to(reference)


def _non_renewal(table: _Fields, term: TermRule) -> NonRenewalRule:
    notice = table.period("notice_before_expiry", required=True)
    assert notice is not None
    if term.renewal != "automatic":
        raise table.error(
            table.sub("notice_before_expiry"),
            "contradictory rule",
            f'a non-renewal notice needs renewal = "automatic" in [term], not "{term.renewal}"',
        )
    for name, period in (
        ("term.initial", term.initial),
        ("term.renewal_period", term.renewal_period),
    ):
        if period is not None and not _shorter(notice, period):
            raise table.error(
                table.sub("notice_before_expiry"),
                "contradictory rule",
                f"a notice {notice} before expiry does not fit in {name} = {period}",
            )
    rule = NonRenewalRule(
        notice_before_expiry=notice, article=table.text("article"), text=table.text("text")
    )
    table.done()
    return rule


def _denunciation(table: _Fields, kind: str) -> DenunciationRule:
    effect_after = table.period("effect_after")
    first_day = table.integer("effect_first_day_of_month", minimum=1)
    notice_by_text = table.text("notice_by")
    effect = table.choice("effect", ("next_calendar_year",))
    notice_by: MonthDay | None = None
    if notice_by_text is not None:
        match = _MONTH_DAY.match(notice_by_text)
        try:
            if match is None:
                raise ValueError
            notice_by = MonthDay(int(match.group(1)), int(match.group(2)))
        except ValueError:
            raise table.error(
                table.sub("notice_by"), "bad day", f"{notice_by_text!r} is not MM-DD (06-30)"
            ) from None
    if (notice_by is None) != (effect is None):
        key = "effect" if notice_by is not None else "notice_by"
        raise table.error(
            table.sub(key), "missing field", "a calendar-year clause needs notice_by and effect"
        )
    if effect is not None and (effect_after is not None or first_day is not None):
        raise table.error(
            table.sub("effect"),
            "contradictory rule",
            "a calendar-year clause cannot be combined with effect_after or "
            "effect_first_day_of_month",
        )
    if effect is None and effect_after is None and first_day is None:
        raise table.error(
            table.sub("effect_after"),
            "missing field",
            "give effect_after and/or effect_first_day_of_month, or notice_by + effect",
        )
    not_before = table.period("not_before")
    anchor = table.choice("not_before_from", ("entry_into_force", "party_entry_into_force"), None)
    if anchor is not None and not_before is None:
        raise table.error(
            table.sub("not_before_from"), "contradictory rule", "not_before_from needs not_before"
        )
    ends = table.choice("ends", ("agreement", "party"), "agreement")
    if ends == "party" and kind != "multilateral":
        raise table.error(
            table.sub("ends"),
            "contradictory rule",
            "a bilateral agreement ends for both parties; withdrawal needs a multilateral one",
        )
    rule = DenunciationRule(
        effect_after=effect_after,
        effect_first_day_of_month=first_day,
        not_before=not_before,
        not_before_from=cast(Any, anchor or "entry_into_force"),
        ends=cast(Any, ends),
        notice_by=notice_by,
        effect=cast(Any, effect),
        article=table.text("article"),
        text=table.text("text"),
    )
    table.done()
    return rule


def _survival(table: _Fields) -> Survival:
    article = table.required_text("article")
    text = table.required_text("text")
    survival = Survival(article=article, text=text, until=table.text("until"))
    table.done()
    return survival


def _executing_body(table: _Fields, parties: tuple[str, ...]) -> ExecutingBody:
    party = table.required_text("party")
    if party not in parties:
        raise table.error(table.sub("party"), f"unknown party {party!r}", _not_a_party(parties))
    name = table.required_text("name")
    start = table.partial_date("from")
    until = table.partial_date("until")
    if start is not None and until is not None and until.latest < start.earliest:
        raise table.error(table.sub("until"), "contradictory dates", "until is before from")
    body = ExecutingBody(
        party=party, name=name, from_=start, until=until, evidence=table.text("evidence") or ""
    )
    table.done()
    return body


def _not_a_party(parties: Sequence[str]) -> str:
    return "not in parties (" + ", ".join(parties) + ")"


def _event(table: _Fields, *, spec: AgreementSpec) -> Event:
    kind = table.choice("kind", EVENT_KINDS)
    if kind is None:
        raise table.error(table.sub("kind"), "missing field", "one of " + ", ".join(EVENT_KINDS))
    party = table.text("party")
    if party is not None and party not in spec.parties:
        raise table.error(
            table.sub("party"), f"unknown party {party!r}", _not_a_party(spec.parties)
        )
    if party is None and kind in _PARTY_REQUIRED:
        raise table.error(table.sub("party"), "missing field", f"a {kind} is made by a party")
    on = table.partial_date("date")
    dispatched = table.partial_date("dispatched")
    received = table.partial_date("received")
    if on is None and dispatched is None and received is None:
        raise table.error(
            table.sub("date"), "missing field", "give date, or dispatched and/or received"
        )
    if on is not None and (dispatched is not None or received is not None):
        raise table.error(
            table.sub("date"),
            "contradictory dates",
            "give either date or dispatched/received, not both",
        )
    if (dispatched is not None or received is not None) and kind not in _SENT_KINDS:
        key = "dispatched" if dispatched is not None else "received"
        raise table.error(table.sub(key), "contradictory rule", f"a {kind} is not sent; use date")
    if dispatched is not None and received is not None and received.latest < dispatched.earliest:
        raise table.error(
            table.sub("received"), "contradictory dates", "received before dispatched"
        )
    step = _only_for(table, "step", kind, "domestic_step", DOMESTIC_STEPS)
    if kind == "domestic_step" and step is None:
        raise table.error(table.sub("step"), "missing field", "one of " + ", ".join(DOMESTIC_STEPS))
    instrument = _only_for(table, "instrument", kind, "instrument_deposited", INSTRUMENTS)
    weight = table.decimal("weight")
    if weight is not None and kind != "instrument_deposited":
        raise table.error(table.sub("weight"), "contradictory rule", "weight is for deposits")
    effective = table.partial_date("effective")
    if effective is not None:
        if kind not in NOTICE_KINDS:
            raise table.error(table.sub("effective"), "contradictory rule", "only notices specify")
        base = on or received or dispatched
        assert base is not None
        if effective.latest < base.earliest:
            raise table.error(
                table.sub("effective"),
                "contradictory dates",
                "a notice cannot take effect before it is given",
            )
    withdraws = _only_for(table, "withdraws", kind, "notice_withdrawn", NOTICE_KINDS)
    renewal = table.get("renewal", bool)
    if renewal is not None and kind != "amendment":
        raise table.error(table.sub("renewal"), "contradictory rule", "renewal is for amendments")
    if renewal and spec.term.renewal != "by_agreement":
        raise table.error(
            table.sub("renewal"),
            "contradictory rule",
            'an agreed renewal needs renewal = "by_agreement" in [term]',
        )
    event = Event(
        kind=cast(EventKind, kind),
        party=party,
        date=on,
        dispatched=dispatched,
        received=received,
        evidence=table.text("evidence") or "",
        step=step,
        instrument=instrument,
        effective=effective,
        weight=weight,
        withdraws=withdraws,
        renewal=bool(renewal),
        note=table.text("note") or "",
    )
    table.done()
    return event


def _only_for(
    table: _Fields, key: str, kind: str, owner: str, options: Sequence[str]
) -> str | None:
    value = table.choice(key, options)
    if value is not None and kind != owner:
        raise table.error(table.sub(key), "contradictory rule", f"{key} only goes with {owner}")
    return value


# --------------------------------------------------------------------------------------------
# Writing (JSON-able, the same shape as the file)


def _put(out: dict[str, Any], key: str, value: object, convert: Callable[[Any], Any] = str) -> None:
    if value is not None:
        out[key] = convert(value)


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def event_to_dict(event: Event) -> dict[str, Any]:
    """An event as its `[[events]]` table (dates as ISO strings); `parse_event` reads it back."""
    out: dict[str, Any] = {"kind": event.kind}
    _put(out, "party", event.party)
    for key in ("date", "dispatched", "received"):
        _put(out, key, getattr(event, key))
    _put(out, "step", event.step)
    _put(out, "instrument", event.instrument)
    _put(out, "weight", event.weight, _number)
    _put(out, "effective", event.effective)
    _put(out, "withdraws", event.withdraws)
    if event.renewal:
        out["renewal"] = True
    if event.evidence:
        out["evidence"] = event.evidence
    if event.note:
        out["note"] = event.note
    return out


def _rule_to_dict(rule: EntryIntoForceRule) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _put(out, "trigger", rule.trigger)
    _put(out, "date", rule.date, date.isoformat)
    _put(out, "count", rule.count, int)
    _put(out, "weight_share", rule.weight_share, _number)
    _put(out, "days_after", rule.offset.days_after, int)
    _put(out, "first_day_of_month", rule.offset.first_day_of_month, int)
    _put(out, "after", rule.offset.after)
    if rule.later_of:
        out["later_of"] = [_rule_to_dict(r) for r in rule.later_of]
    _put(out, "later_parties_days_after", rule.later_parties_days_after, int)
    _put(out, "later_parties_first_day_of_month", rule.later_parties_first_day_of_month, int)
    _put(out, "later_parties_after", rule.later_parties_after)
    _put(out, "article", rule.article)
    _put(out, "text", rule.text)
    return out


def spec_to_dict(spec: AgreementSpec) -> dict[str, Any]:
    """The whole agreement as JSON-able data of the file's shape (for storing and diffing);
    `parse_agreement_dict` reads it back to an equal spec."""
    out: dict[str, Any] = {
        "id": spec.id,
        "title": dict(spec.title),
        "parties": list(spec.parties),
        "kind": spec.kind,
        "authentic_languages": list(spec.authentic_languages),
    }
    _put(out, "prevailing_language", spec.prevailing_language)
    _put(out, "depositary", spec.depositary)
    _put(out, "place_of_signature", spec.place_of_signature)
    if spec.notes:
        out["notes"] = spec.notes
    c = spec.conventions
    out["conventions"] = {
        "effect": c.effect,
        "month_end": c.month_end,
        "renewal_anchor": c.renewal_anchor,
        "notice_date": c.notice_date,
    }
    out["entry_into_force"] = _rule_to_dict(spec.entry_into_force)
    pa = spec.provisional_application
    if pa is not None:
        start = _rule_to_dict(pa.start)
        start.pop("trigger", None)
        pa_out: dict[str, Any] = {"from": pa.from_, **start}
        _put(pa_out, "termination_effect_after", pa.termination_effect_after)
        _put(pa_out, "article", pa.article)
        _put(pa_out, "text", pa.text)
        out["provisional_application"] = pa_out
    t = spec.term
    term: dict[str, Any] = {
        "initial": "indefinite" if t.initial is None else str(t.initial),
        "renewal": t.renewal,
    }
    _put(term, "renewal_period", t.renewal_period)
    _put(term, "max_renewals", t.max_renewals, int)
    _put(term, "article", t.article)
    _put(term, "text", t.text)
    out["term"] = term
    if spec.non_renewal is not None:
        nr: dict[str, Any] = {"notice_before_expiry": str(spec.non_renewal.notice_before_expiry)}
        _put(nr, "article", spec.non_renewal.article)
        _put(nr, "text", spec.non_renewal.text)
        out["non_renewal"] = nr
    d = spec.denunciation
    if d is not None:
        den: dict[str, Any] = {}
        _put(den, "effect_after", d.effect_after)
        _put(den, "effect_first_day_of_month", d.effect_first_day_of_month, int)
        _put(den, "notice_by", d.notice_by)
        _put(den, "effect", d.effect)
        _put(den, "not_before", d.not_before)
        if d.not_before is not None:
            den["not_before_from"] = d.not_before_from
        den["ends"] = d.ends
        _put(den, "article", d.article)
        _put(den, "text", d.text)
        out["denunciation"] = den
    if spec.survival:
        out["survival"] = []
        for s in spec.survival:
            item = {"article": s.article, "text": s.text}
            _put(item, "until", s.until)
            out["survival"].append(item)
    if spec.executing_bodies:
        out["executing_bodies"] = []
        for b in spec.executing_bodies:
            body: dict[str, Any] = {"party": b.party, "name": b.name}
            _put(body, "from", b.from_)
            _put(body, "until", b.until)
            if b.evidence:
                body["evidence"] = b.evidence
            out["executing_bodies"].append(body)
    out["events"] = [event_to_dict(e) for e in spec.events]
    return out
