"""Final clauses of security and arms-control treaties (texts as published by the depositaries:
NATO, the US Department of State, the OPCW and the UN Office for Disarmament Affairs)."""

from __future__ import annotations

from tests.unit.lifecycle.builders import agreement, ev, in_force, js, multilateral
from tests.unit.lifecycle.clauses.helpers import deposits, numbered


def test_north_atlantic_treaty_article_13_after_twenty_years() -> None:
    """North Atlantic Treaty 1949, art. 13: "After the Treaty has been in force for twenty years,
    any Party may cease to be a Party one year after its notice of denunciation has been given
    to the Government of the United States of America, which will inform the Governments of
    the other Parties of the deposit of each notice of denunciation."

    In force 24 Aug 1949 → notice allowed as from 24 Aug 1969 (C6; the lock-in counts from the
    Treaty's entry into force, not the Party's). Hypothetical notices: 23 Aug 1969 is premature;
    24 Aug 1969 → the Party ceases to be a Party on 24 Aug 1970 (last day 23 Aug 1970).
    """
    sections = {
        "term": {"initial": "indefinite"},
        "denunciation": {"effect_after": "P1Y", "not_before": "P20Y", "ends": "party"},
    }
    premature = multilateral(
        ["USA", "GBR", "FRA"],
        in_force("1949-08-24"),
        ev("denunciation_notice", "FRA", "1969-08-23"),
        **sections,
    )
    rejected = js(premature, "1970-01-01")["parties"]["FRA"]["withdrawal"]
    assert rejected["valid"] is False
    assert "as from 24 Aug 1969" in rejected["reason"]
    timely = multilateral(
        ["USA", "GBR", "FRA"],
        in_force("1949-08-24"),
        ev("denunciation_notice", "FRA", "1969-08-24"),
        **sections,
    )
    assert js(timely, "1970-01-01")["parties"]["FRA"]["withdrawal"]["effective"] == "1970-08-24"


def test_abm_treaty_articles_xv_and_xvi_united_states_withdrawal() -> None:
    """ABM Treaty 1972, art. XV: "1. This Treaty shall be of unlimited duration. 2. Each Party
    shall, in exercising its national sovereignty, have the right to withdraw from this Treaty
    if it decides that extraordinary events related to the subject matter of this Treaty have
    jeopardized its supreme interests. It shall give notice of its decision to the other Party
    six months prior to withdrawal from the Treaty. …"
    Art. XVI(1): "… The Treaty shall enter into force on the day of the exchange of instruments
    of ratification."

    Instruments exchanged 3 Oct 1972 → in force that day. US notice 13 Dec 2001 → + 6 months =
    13 Jun 2002, the day the withdrawal took effect; the treaty's last day was 12 Jun 2002.
    """
    spec = agreement(
        ev("signature", "USA", "1972-05-26"),
        ev("signature", "RUS", "1972-05-26"),
        ev("instrument_deposited", "USA", "1972-10-03", instrument="ratification"),
        ev("instrument_deposited", "RUS", "1972-10-03", instrument="ratification"),
        ev("denunciation_notice", "USA", "2001-12-13"),
        parties=["USA", "RUS"],
        entry_into_force={"trigger": "instruments", "article": "XVI"},
        term={"initial": "indefinite", "article": "XV(1)"},
        denunciation={"effect_after": "P6M", "article": "XV(2)"},
    )
    assert js(spec, "1972-10-03")["entry_into_force"]["date"] == "1972-10-03"
    pending = js(spec, "2002-06-12")
    assert pending["status"] == "termination_pending"
    assert pending["termination"]["last_day_in_force"] == "2002-06-12"
    assert js(spec, "2002-06-13")["status"] == "terminated"


def test_inf_treaty_article_xv_withdrawal() -> None:
    """INF Treaty 1987, art. XV: "1. This Treaty shall be of unlimited duration. 2. Each Party
    shall, in exercising its national sovereignty, have the right to withdraw from this Treaty
    if it decides that extraordinary events related to the subject matter of this Treaty have
    jeopardized its supreme interests. It shall give notice of its decision to withdraw to the
    other Party six months prior to withdrawal from this Treaty. …"

    In force 1 Jun 1988. US notice 2 Feb 2019 → + 6 months = 2 Aug 2019, when the withdrawal
    took effect.
    """
    spec = agreement(
        in_force("1988-06-01"),
        ev("denunciation_notice", "USA", "2019-02-02"),
        parties=["USA", "RUS"],
        term={"initial": "indefinite"},
        denunciation={"effect_after": "P6M", "article": "XV"},
    )
    assert js(spec, "2019-08-01")["termination"]["effective"] == "2019-08-02"
    assert js(spec, "2019-08-02")["status"] == "terminated"


def test_new_start_article_xiv_extension_by_agreement() -> None:
    """New START 2010, art. XIV(2): "This Treaty shall remain in force for 10 years unless it is
    superseded earlier by a subsequent agreement on the reduction and limitation of strategic
    offensive arms. If either Party raises the issue of extension of this Treaty, the Parties
    shall jointly consider the matter. If the Parties decide to extend this Treaty, it will be
    extended for a period of no more than five years unless it is superseded earlier …"

    Instruments exchanged 5 Feb 2011. C4: expiry 5 Feb 2021 (last day 4 Feb 2021). The Parties
    agreed on 3 Feb 2021 to extend for five years: period 1 runs 5 Feb 2021 – 4 Feb 2026
    (expiry 5 Feb 2026; the State Department said "until February 5, 2026", the usual
    off-by-one ambiguity of §7). With max_renewals = 1 it then expires; on 29 Nov 2026 it is
    expired. Without the recorded extension it would have expired on 5 Feb 2021.
    """
    sections = {
        "parties": ["USA", "RUS"],
        "entry_into_force": {"trigger": "instruments", "article": "XIV(1)"},
        "term": {
            "initial": "P10Y",
            "renewal": "by_agreement",
            "renewal_period": "P5Y",
            "max_renewals": 1,
            "article": "XIV(2)",
        },
    }
    exchange = [
        ev("instrument_deposited", "USA", "2011-02-05"),
        ev("instrument_deposited", "RUS", "2011-02-05"),
    ]
    extended = agreement(
        *exchange,
        ev("amendment", None, "2021-02-03", renewal=True, evidence="exchange of notes"),
        **sections,
    )
    data = js(extended, "2025-01-01")
    assert data["current_period"]["index"] == 1
    assert data["current_period"]["last_day"] == "2026-02-04"
    assert js(extended, "2026-02-04")["status"] == "in_force"
    assert js(extended, "2026-11-29")["status"] == "expired"
    not_extended = agreement(*exchange, **sections)
    assert js(not_extended, "2021-02-05")["status"] == "expired"


def test_npt_article_x_withdrawal_suspended_the_day_before_it_took_effect() -> None:
    """NPT 1968, art. X(1): "Each Party shall in exercising its national sovereignty have the
    right to withdraw from the Treaty if it decides that extraordinary events, related to the
    subject matter of this Treaty, have jeopardized the supreme interests of its country. It
    shall give notice of such withdrawal to all other Parties to the Treaty and to the United
    Nations Security Council three months in advance. …"

    The DPRK gave notice on 12 Mar 1993 (effect 12 Mar + 3 months = 12 Jun 1993) and suspended
    it on 11 Jun 1993, one day before: a notice withdrawn before it takes effect has no effect.
    """
    spec = multilateral(
        ["USA", "GBR", "RUS", "PRK"],
        in_force("1970-03-05"),
        ev("denunciation_notice", "PRK", "1993-03-12"),
        ev("notice_withdrawn", "PRK", "1993-06-11", withdraws="denunciation_notice"),
        term={"initial": "indefinite"},
        denunciation={"effect_after": "P3M", "ends": "party", "article": "X(1)"},
    )
    assert js(spec, "1993-06-10")["parties"]["PRK"]["withdrawal"]["effective"] == "1993-06-12"
    assert js(spec, "1993-06-11")["parties"]["PRK"]["withdrawal"] is None


def test_chemical_weapons_convention_article_xxi_later_of_two_conditions() -> None:
    """CWC 1993, art. XXI(1): "This Convention shall enter into force 180 days after the date of
    the deposit of the 65th instrument of ratification, but in no case earlier than two years
    after its opening for signature."

    Opened for signature 13 Jan 1993 → not before 13 Jan 1995. 65th instrument (Hungary)
    31 Oct 1996: + 180 days = 30 + 31 + 31 + 28 + 31 + 29 = 29 Apr 1997, later than 13 Jan 1995,
    so 29 Apr 1997 (the OPCW date).
    """
    first = numbered(64)
    spec = multilateral(
        [*first, "HUN"],
        *deposits(first, "1995-06-01"),
        ev("instrument_deposited", "HUN", "1996-10-31"),
        entry_into_force={
            "later_of": [
                {"trigger": "instruments", "count": 65, "days_after": 180},
                {"trigger": "date", "date": "1995-01-13"},
            ],
            "article": "XXI(1)",
        },
        term={"initial": "indefinite"},
    )
    eif = js(spec, "1997-05-01")["entry_into_force"]
    assert eif["date"] == "1997-04-29"
    assert "the later of" in eif["explanation"]


def test_ottawa_convention_article_17_first_day_of_the_sixth_month() -> None:
    """Anti-Personnel Mine Ban Convention 1997, art. 17:

    "1. This Convention shall enter into force on the first day of the sixth month after the
    month in which the 40th instrument of ratification, acceptance, approval or accession has
    been deposited.
    2. For any State which deposits its instrument … after the date of the deposit of the 40th
    instrument …, this Convention shall enter into force on the first day of the sixth month
    after the date on which that State has deposited its instrument …"

    40th instrument (Burkina Faso) 16 Sep 1998 → first day of the 6th month after September =
    1 Mar 1999. Türkiye deposited on 25 Sep 2003 → 1 Mar 2004.
    """
    first = numbered(39)
    spec = multilateral(
        [*first, "BFA", "TUR"],
        *deposits(first, "1998-06-01"),
        ev("instrument_deposited", "BFA", "1998-09-16"),
        ev("instrument_deposited", "TUR", "2003-09-25", instrument="accession"),
        entry_into_force={
            "trigger": "instruments",
            "count": 40,
            "first_day_of_month": 6,
            "later_parties_first_day_of_month": 6,
        },
        term={"initial": "indefinite"},
        denunciation={"effect_after": "P6M", "ends": "party", "article": "20(3)"},
    )
    data = js(spec, "2004-06-01")
    assert data["entry_into_force"]["date"] == "1999-03-01"
    assert data["parties"]["TUR"]["entry_into_force"] == "2004-03-01"
