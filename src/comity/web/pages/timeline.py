"""The agreement timeline as server-side SVG: a pure function from a derived state to markup.

Owns the drawing of periods, events, deadlines and "today" on one date axis. Invariant: the
output depends only on its arguments (no clock, no database, no locale lookups of its own: the
caller passes `today` and the functions that translate and format dates), and every piece of
text that reaches the SVG is escaped. Each mark carries a `<title>` and the whole drawing a
`<desc>`, so a screen reader gets the same facts the picture shows; the page also lists them
in tables, which remain the accessible source of truth.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup, escape

WIDTH = 960
LEFT = 16
RIGHT = 16
EVENT_LANES = (34, 46, 58)
PERIOD_TOP = 70
PERIOD_HEIGHT = 30
AXIS_Y = 112
DEADLINE_LABEL_Y = 144
LINE_HEIGHT = 14


@dataclass(frozen=True)
class TimelineText:
    """What the renderer needs from the locale: translated words and a date formatter."""

    gettext: Callable[[str], str]
    format_date: Callable[[date], str]
    #: Translates an event kind or domestic step into words.
    term: Callable[[str], str]
    #: Translates a deadline kind into words.
    deadline: Callable[[str], str]
    #: The id prefix, unique per page, used for `aria-labelledby`.
    id_prefix: str = "timeline"


def parse_day(value: Any) -> date | None:
    """An ISO date, or the first day of a partial ``YYYY-MM`` / ``YYYY`` date; None otherwise."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value:
        return None
    parts = value.split("-")
    try:
        if len(parts) == 3:
            return date.fromisoformat(value)
        if len(parts) == 2:
            return date(int(parts[0]), int(parts[1]), 1)
        if len(parts) == 1:
            return date(int(parts[0]), 1, 1)
    except ValueError:
        return None
    return None


def event_day(event: Mapping[str, Any]) -> date | None:
    """The day an event is drawn at: its date, else when it was received, else dispatched."""
    for key in ("date", "received", "dispatched"):
        day = parse_day(event.get(key))
        if day is not None:
            return day
    return None


def _current_index(state: Mapping[str, Any]) -> int | None:
    current = state.get("current_period")
    if isinstance(current, Mapping):
        index = current.get("index")
        return index if isinstance(index, int) else None
    return current if isinstance(current, int) else None


def _period_label(index: int, text: TimelineText) -> str:
    if index == 0:
        return text.gettext("Initial term")
    return text.gettext("Renewal %(number)s") % {"number": index}


@dataclass(frozen=True)
class _Axis:
    start: date
    end: date

    def x(self, day: date) -> float:
        span = max((self.end - self.start).days, 1)
        inner = WIDTH - LEFT - RIGHT
        return round(LEFT + (day - self.start).days / span * inner, 1)


def _axis(days: Sequence[date], today: date) -> _Axis:
    first = min([*days, today])
    last = max([*days, today])
    # A margin of about a twentieth of the span (at least a month) keeps edge labels readable.
    pad = max(timedelta(days=31), (last - first) / 20)
    return _Axis(first - pad, last + pad)


def render_timeline(
    state: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
    *,
    today: date,
    text: TimelineText,
    today_label: str | None = None,
) -> Markup:
    """Draw `state` (the lifecycle engine's JSON form) and `events` as one accessible SVG.

    `today` is the day the state was computed for, marked with `today_label` ("Today" unless
    the page shows another date)."""
    _ = text.gettext
    periods = [p for p in state.get("periods") or [] if isinstance(p, Mapping)]
    deadlines = [d for d in state.get("deadlines") or [] if isinstance(d, Mapping)]
    current = _current_index(state)

    period_spans: list[tuple[int, date, date, date]] = []
    for period in periods:
        start = parse_day(period.get("start"))
        expiry = parse_day(period.get("expiry"))
        last_day = parse_day(period.get("last_day"))
        if start is None or expiry is None:
            continue
        period_spans.append(
            (int(period.get("index", 0)), start, expiry, last_day or expiry - timedelta(days=1))
        )
    dated_events = [(day, e) for e in events if (day := event_day(e)) is not None]
    dated_deadlines = [(day, d) for d in deadlines if (day := parse_day(d.get("date"))) is not None]
    # The engine lists the non-renewal deadline among `deadlines` while it is ahead; on a date
    # after it, it is still the current period's fact worth drawing.
    raw_nr = state.get("non_renewal_deadline")
    nr = parse_day(raw_nr.get("date") if isinstance(raw_nr, Mapping) else raw_nr)
    if nr is not None and all(day != nr for day, _d in dated_deadlines):
        reason = raw_nr.get("reason", "") if isinstance(raw_nr, Mapping) else ""
        dated_deadlines.append((nr, {"kind": "non_renewal_notice", "reason": reason}))
    dated_deadlines.sort(key=lambda item: item[0])

    all_days = [day for day, _e in dated_events] + [day for day, _d in dated_deadlines]
    for _i, start, expiry, _l in period_spans:
        all_days += [start, expiry]
    axis = _axis(all_days, today)

    height = DEADLINE_LABEL_Y + LINE_HEIGHT * max(len(dated_deadlines), 1) + 8
    title_id = f"{text.id_prefix}-title"
    desc_id = f"{text.id_prefix}-desc"
    marker = today_label or _("Today")
    heading = _("Timeline of the agreement")
    current_words = _("current period")
    later_words = _("after the date shown: not counted")
    description = _describe(period_spans, dated_deadlines, today, marker, text)
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" class="timeline-svg">',
        f'<title id="{title_id}">{escape(heading)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
    ]

    # Year ticks on the axis.
    out.append(
        f'<line class="tl-axis" x1="{LEFT}" y1="{AXIS_Y}" x2="{WIDTH - RIGHT}" y2="{AXIS_Y}"/>'
    )
    for year in range(axis.start.year + 1, axis.end.year + 1):
        x = axis.x(date(year, 1, 1))
        out.append(f'<line class="tl-axis" x1="{x}" y1="{AXIS_Y}" x2="{x}" y2="{AXIS_Y + 5}"/>')
        out.append(
            f'<text class="tl-small" x="{x}" y="{AXIS_Y + 17}" text-anchor="middle">{year}</text>'
        )

    # Periods: one band each; the current one is emphasised (and says so in its title).
    for index, start, expiry, last_day in period_spans:
        x1, x2 = axis.x(start), axis.x(expiry)
        label = _period_label(index, text)
        is_current = index == current
        cls = "tl-period tl-current" if is_current else "tl-period"
        title = f"{label}: {text.format_date(start)} – {text.format_date(last_day)}"
        if is_current:
            title += f" ({current_words})"
        out.append(
            f'<g class="tl-period-group" data-period="{index}"><title>{escape(title)}</title>'
            f'<rect class="{cls}" x="{x1}" y="{PERIOD_TOP}" width="{round(max(x2 - x1, 1), 1)}" '
            f'height="{PERIOD_HEIGHT}" rx="2"/>'
        )
        # Only label a band wide enough for its text (about 6 px per character at 11 px).
        if x2 - x1 > 6 * len(label) + 8:
            out.append(
                f'<text class="tl-label" x="{round((x1 + x2) / 2, 1)}" '
                f'y="{PERIOD_TOP + PERIOD_HEIGHT / 2 + 4}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
        out.append("</g>")

    # Events: small diamonds, staggered over lanes so that close events do not hide each other.
    lane_ends = [float("-inf")] * len(EVENT_LANES)
    for day, event in sorted(dated_events, key=lambda item: item[0]):
        x = axis.x(day)
        lane = next((i for i, end in enumerate(lane_ends) if x - end >= 9), 0)
        lane_ends[lane] = x
        y = EVENT_LANES[lane]
        title = _event_title(event, text)
        cls = "tl-event"
        if day > today:
            # Not yet known on the date shown: the state above does not count it.
            cls += " tl-later"
            title += f" ({later_words})"
        out.append(
            f'<g class="tl-event-group"><title>{escape(title)}</title>'
            f'<path class="{cls}" d="M{x} {y - 5} L{x + 5} {y} L{x} {y + 5} L{x - 5} {y} Z"/>'
            "</g>"
        )

    # Deadlines: dashed lines across the drawing, labelled below the axis.
    for row, (day, deadline) in enumerate(dated_deadlines):
        x = axis.x(day)
        label = f"{_deadline_words(deadline, text)}: {text.format_date(day)}"
        if deadline.get("party"):
            label += f" ({deadline['party']})"
        y = DEADLINE_LABEL_Y + LINE_HEIGHT * row
        anchor = "end" if x > WIDTH / 2 else "start"
        dx = -4 if anchor == "end" else 4
        title = label
        if deadline.get("reason"):
            title += f" — {deadline['reason']}"
        out.append(
            f'<g class="tl-deadline-group"><title>{escape(title)}</title>'
            f'<line class="tl-deadline" x1="{x}" y1="{PERIOD_TOP - 6}" x2="{x}" y2="{y - 4}"/>'
            f'<circle class="tl-deadline-mark" cx="{x}" cy="{PERIOD_TOP - 6}" r="3"/>'
            f'<text class="tl-label" x="{x + dx}" y="{y}" text-anchor="{anchor}">'
            f"{escape(label)}</text></g>"
        )

    # Today, drawn last so it is on top.
    x = axis.x(today)
    marker_text = f"{marker}: {text.format_date(today)}"
    anchor = "end" if x > WIDTH / 2 else "start"
    dx = -4 if anchor == "end" else 4
    out.append(
        f'<g class="tl-today-group"><title>{escape(marker_text)}</title>'
        f'<line class="tl-today" x1="{x}" y1="20" x2="{x}" y2="{AXIS_Y}"/>'
        f'<text class="tl-today-label" x="{x + dx}" y="16" text-anchor="{anchor}">'
        f"{escape(marker_text)}</text></g>"
    )
    out.append("</svg>")
    # Safe by construction: every piece of text above went through `escape`, and numbers and
    # class names are ours.
    return Markup("".join(out))  # noqa: S704


def _deadline_words(deadline: Mapping[str, Any], text: TimelineText) -> str:
    return text.deadline(str(deadline.get("kind") or deadline.get("action") or ""))


def _event_title(event: Mapping[str, Any], text: TimelineText) -> str:
    kind = str(event.get("kind") or "")
    parts = [text.term(kind)]
    if event.get("step"):
        parts[0] += f" — {text.term(str(event['step']))}"
    if event.get("party"):
        parts.append(f"({event['party']})")
    raw = event.get("date") or event.get("received") or event.get("dispatched")
    day = parse_day(raw)
    if day is not None and isinstance(raw, str) and len(raw) == 10:
        parts.append(text.format_date(day))
    elif raw:
        parts.append(str(raw))
    if event.get("evidence"):
        parts.append(f"— {event['evidence']}")
    return " ".join(parts)


def _describe(
    periods: Sequence[tuple[int, date, date, date]],
    deadlines: Sequence[tuple[date, Mapping[str, Any]]],
    today: date,
    marker: str,
    text: TimelineText,
) -> str:
    _ = text.gettext
    deadline_word = _("Deadline")
    sentences = []
    for index, start, _expiry, last_day in periods:
        sentences.append(
            f"{_period_label(index, text)}: "
            f"{text.format_date(start)} – {text.format_date(last_day)}."
        )
    for day, deadline in deadlines:
        action = _deadline_words(deadline, text)
        sentences.append(f"{deadline_word}: {action}, {text.format_date(day)}.")
    sentences.append(f"{marker}: {text.format_date(today)}.")
    return " ".join(sentences)
