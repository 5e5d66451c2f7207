"""Council of Europe conventions: "the first day of the month following the expiration of a
period of three months" (texts as published by the Treaty Office, https://www.coe.int/treaty),
modelled as `after = "P3M"` then `first_day_of_month = 1`."""

from __future__ import annotations

from tests.unit.lifecycle.builders import ev, in_force, js, multilateral
from tests.unit.lifecycle.clauses.helpers import deposits, numbered

COE_THREE_MONTHS = {"after": "P3M", "first_day_of_month": 1}


def test_convention_on_cybercrime_article_36() -> None:
    """Convention on Cybercrime (ETS No. 185), art. 36(3)–(4):

    "3. This Convention shall enter into force on the first day of the month following the
    expiration of a period of three months after the date on which five States, including at
    least three member States of the Council of Europe, have expressed their consent to be
    bound by the Convention in accordance with the provisions of paragraphs 1 and 2.
    4. In respect of any signatory State which subsequently expresses its consent to be bound
    by it, the Convention shall enter into force on the first day of the month following the
    expiration of a period of three months after the date of the expression of its consent …"

    Fifth consent 18 Mar 2004: + 3 months = 18 Jun 2004; the first day of the following month =
    1 Jul 2004 (the Treaty Office date). Türkiye's ratification 29 Sep 2014: + 3 months =
    29 Dec 2014 → 1 Jan 2015.
    """
    first = numbered(4)
    spec = multilateral(
        [*first, "LTU", "TUR"],
        *deposits(first, "2003-06-01"),
        ev("instrument_deposited", "LTU", "2004-03-18"),
        ev("instrument_deposited", "TUR", "2014-09-29"),
        entry_into_force={
            "trigger": "instruments",
            "count": 5,
            **COE_THREE_MONTHS,
            "later_parties_after": "P3M",
            "later_parties_first_day_of_month": 1,
        },
        term={"initial": "indefinite"},
    )
    data = js(spec, "2015-06-01")
    assert data["entry_into_force"]["date"] == "2004-07-01"
    assert data["parties"]["TUR"]["entry_into_force"] == "2015-01-01"
    assert (
        "first day of the 1st month after 3 months after" in data["entry_into_force"]["explanation"]
    )


def test_convention_on_cybercrime_article_47_denunciation() -> None:
    """ETS No. 185, art. 47: "1. Any Party may, at any time, denounce this Convention by means of
    a notification addressed to the Secretary General of the Council of Europe. 2. Such
    denunciation shall become effective on the first day of the month following the expiration
    of a period of three months after the date of receipt of the notification by the Secretary
    General."

    Hypothetical notifications: received 30 Nov 2025 → + 3 months = 28 Feb 2026 (clamped) →
    1 Mar 2026. Received 1 Dec 2025 → + 3 months = 1 Mar 2026 → the month following → 1 Apr
    2026: one day later in the notice moves the effect by a month.
    """
    for received, effective in (("2025-11-30", "2026-03-01"), ("2025-12-01", "2026-04-01")):
        spec = multilateral(
            ["AAA", "BBB", "CCC"],
            in_force("2004-07-01"),
            ev("denunciation_notice", "CCC", received),
            term={"initial": "indefinite"},
            denunciation={"effect_after": "P3M", "effect_first_day_of_month": 1, "ends": "party"},
        )
        withdrawal = js(spec, "2026-06-01")["parties"]["CCC"]["withdrawal"]
        assert withdrawal["effective"] == effective


def test_istanbul_convention_article_80_denunciation_by_turkiye() -> None:
    """Istanbul Convention (CETS No. 210), art. 80: "1. Any Party may, at any time, denounce this
    Convention by means of a notification addressed to the Secretary General of the Council of
    Europe. 2. Such denunciation shall become effective on the first day of the month following
    the expiration of a period of three months after the date of receipt of the notification by
    the Secretary General."

    In force since 1 Aug 2014 (Türkiye ratified first, on 12 Mar 2012). Notification received
    22 Mar 2021: + 3 months = 22 Jun 2021 → first day of the following month = 1 Jul 2021, the
    date from which the Convention ceased to be effective for Türkiye.
    """
    spec = multilateral(
        ["TUR", "AND", "ALB"],
        ev("instrument_deposited", "TUR", "2012-03-12"),
        in_force("2014-08-01"),
        ev("denunciation_notice", "TUR", "2021-03-22", evidence="notification of 22 Mar 2021"),
        entry_into_force={"trigger": "instruments", "count": 3, **COE_THREE_MONTHS},
        term={"initial": "indefinite"},
        denunciation={
            "effect_after": "P3M",
            "effect_first_day_of_month": 1,
            "ends": "party",
            "article": "80",
        },
    )
    data = js(spec, "2021-07-01")
    withdrawal = data["parties"]["TUR"]["withdrawal"]
    assert (withdrawal["effective"], withdrawal["last_day_in_force"]) == (
        "2021-07-01",
        "2021-06-30",
    )
    assert data["parties"]["TUR"]["entry_into_force"] == "2014-08-01"
    assert data["status"] == "in_force"


def test_european_convention_on_human_rights_article_58_greece_1969() -> None:
    """ECHR 1950, art. 58(1) (formerly art. 65): "A High Contracting Party may denounce the
    present Convention only after the expiry of five years from the date on which it became a
    party to it and after six months' notice contained in a notification addressed to the
    Secretary General of the Council of Europe, who shall inform the other High Contracting
    Parties."

    Greece gave notice on 12 Dec 1969; the Treaty Office records the effect on 13 Jun 1970.
    Under C3 (UN practice) 12 Dec + 6 months = 12 Jun 1970; the recorded date is the civil-law
    count (`effect = "day_after"`): six months' notice expire at the end of 12 Jun, so the new
    status starts on 13 Jun 1970. Greece was a party since 28 Mar 1953: the five-year lock-in
    ended on 28 Mar 1958.
    """
    sections = {
        "entry_into_force": {"trigger": "instruments", "count": 2},
        "term": {"initial": "indefinite"},
        "denunciation": {
            "effect_after": "P6M",
            "not_before": "P5Y",
            "not_before_from": "party_entry_into_force",
            "ends": "party",
            "article": "58",
        },
    }
    events = [
        ev("instrument_deposited", "GBR", "1951-03-08"),
        ev("instrument_deposited", "GRC", "1953-03-28"),
        ev("denunciation_notice", "GRC", "1969-12-12"),
    ]
    civil = multilateral(["GBR", "GRC"], *events, conventions={"effect": "day_after"}, **sections)
    assert js(civil, "1970-01-01")["parties"]["GRC"]["withdrawal"]["effective"] == "1970-06-13"
    un = multilateral(["GBR", "GRC"], *events, **sections)
    assert js(un, "1970-01-01")["parties"]["GRC"]["withdrawal"]["effective"] == "1970-06-12"
