"""Final clauses of treaties deposited with the UN Secretary-General (texts as published in the
UN Treaty Series / UNTC, https://treaties.un.org)."""

from __future__ import annotations

from tests.unit.lifecycle.builders import ev, in_force, js, multilateral
from tests.unit.lifecycle.clauses.helpers import deposits, numbered


def test_vienna_convention_on_the_law_of_treaties_article_84() -> None:
    """VCLT 1969, art. 84 (UNTS vol. 1155, p. 331):

    "1. The present Convention shall enter into force on the thirtieth day following the date
    of deposit of the thirty-fifth instrument of ratification or accession.
    2. For each State ratifying or acceding to the Convention after the deposit of the
    thirty-fifth instrument of ratification or accession, the Convention shall enter into force
    on the thirtieth day after deposit by such State of its instrument of ratification or
    accession."

    35th instrument 28 Dec 1979 (Togo, accession): 28 Dec + 30 days = 27 Jan 1980
    (3 days to 31 Dec, 27 in January), the date the UNTC records. A State depositing on
    10 Jun 1980: 10 Jun + 30 days = 10 Jul 1980.
    """
    first = numbered(34)
    spec = multilateral(
        [*first, "TGO", "LATE"],
        *deposits(first, "1975-06-01"),
        ev("instrument_deposited", "TGO", "1979-12-28", instrument="accession"),
        ev("instrument_deposited", "LATE", "1980-06-10", instrument="accession"),
        entry_into_force={
            "trigger": "instruments",
            "count": 35,
            "days_after": 30,
            "later_parties_days_after": 30,
            "article": "84",
        },
        term={"initial": "indefinite"},
    )
    data = js(spec, "1980-12-31")
    assert data["entry_into_force"]["date"] == "1980-01-27"
    assert data["parties"]["LATE"]["entry_into_force"] == "1980-07-10"
    assert js(spec, "1980-01-26")["status"] == "signed"


PARIS_THRESHOLD = {
    "trigger": "instruments",
    "count": 55,
    "weight_share": 55,
    "days_after": 30,
    "later_parties_days_after": 30,
    "article": "21",
}


def test_paris_agreement_article_21_fifty_five_parties_and_fifty_five_per_cent() -> None:
    """Paris Agreement 2015, art. 21(1) and (3) (UNTC XXVII-7-d):

    "1. This Agreement shall enter into force on the thirtieth day after the date on which at
    least 55 Parties to the Convention accounting in total for at least an estimated 55 per cent
    of the total global greenhouse gas emissions have deposited their instruments of
    ratification, acceptance, approval or accession."
    "3. For each Party to the Convention that ratifies, accepts or approves this Agreement or
    accedes thereto after the conditions set out in paragraph 1 of this Article for entry into
    force have been fulfilled, this Agreement shall enter into force on the thirtieth day after
    the date of deposit by such Party of its instrument …"

    Scenario (weights simplified): 54 Parties with 0.9 % each (48.6 %) by 21 Sep 2016; the EU's
    deposit on 5 Oct 2016 brings 55 Parties and 59.1 %. 5 Oct + 30 days = 4 Nov 2016 (the UNTC
    date). Benin deposited on 31 Oct 2016, after the conditions were fulfilled: 31 Oct + 30 days
    = 30 Nov 2016, not 4 Nov (reference §7 item 10).
    """
    first = numbered(54)
    spec = multilateral(
        [*first, "EU", "BEN"],
        *deposits(first, "2016-09-21", weight=0.9),
        ev("instrument_deposited", "EU", "2016-10-05", instrument="approval", weight=10.5),
        ev("instrument_deposited", "BEN", "2016-10-31", instrument="ratification", weight=0.1),
        entry_into_force=PARIS_THRESHOLD,
        term={"initial": "indefinite"},
    )
    data = js(spec, "2016-12-31")
    assert data["entry_into_force"]["date"] == "2016-11-04"
    assert data["parties"]["EU"]["entry_into_force"] == "2016-11-04"
    assert data["parties"]["BEN"]["entry_into_force"] == "2016-11-30"


def test_paris_agreement_article_21_the_count_alone_is_not_enough() -> None:
    """Same clause: 55 Parties holding only 48.7 % of emissions do not bring it into force."""
    first = numbered(54)
    spec = multilateral(
        [*first, "EU", "BEN"],
        *deposits(first, "2016-09-21", weight=0.9),
        ev("instrument_deposited", "BEN", "2016-10-31", instrument="ratification", weight=0.1),
        entry_into_force=PARIS_THRESHOLD,
        term={"initial": "indefinite"},
    )
    data = js(spec, "2016-12-31")
    assert data["entry_into_force"]["date"] is None
    assert "48.7 % of 55 %" in data["entry_into_force"]["explanation"]


def test_paris_agreement_article_28_united_states_withdrawal() -> None:
    """Paris Agreement 2015, art. 28(1)–(2):

    "1. At any time after three years from the date on which this Agreement has entered into
    force for a Party, that Party may withdraw from this Agreement by giving written
    notification to the Depositary.
    2. Any such withdrawal shall take effect upon expiry of one year from the date of receipt by
    the Depositary of the notification of withdrawal, or on such later date as may be specified
    in the notification of withdrawal."

    In force for the US on 4 Nov 2016 → withdrawal allowed as from 4 Nov 2019 (C6; the UN said
    the US "could withdraw … as from today"). Notification received 4 Nov 2019 → effect
    4 Nov 2020 (C3; "will take effect on 4 November 2020"). A notification on 3 Nov 2019 would
    have been premature.
    """
    sections = {
        "entry_into_force": {"trigger": "instruments", "count": 3, "days_after": 30},
        "term": {"initial": "indefinite"},
        "denunciation": {
            "effect_after": "P1Y",
            "not_before": "P3Y",
            "not_before_from": "party_entry_into_force",
            "ends": "party",
            "article": "28",
        },
    }
    base = [
        ev("instrument_deposited", "USA", "2016-09-03", instrument="acceptance"),
        ev("instrument_deposited", "CHN", "2016-09-03", instrument="ratification"),
        ev("instrument_deposited", "FRA", "2016-10-05", instrument="approval"),
    ]
    spec = multilateral(
        ["USA", "CHN", "FRA"], *base, ev("denunciation_notice", "USA", "2019-11-04"), **sections
    )
    withdrawal = js(spec, "2020-01-01")["parties"]["USA"]["withdrawal"]
    assert withdrawal["valid"] is True
    assert withdrawal["effective"] == "2020-11-04"
    assert withdrawal["last_day_in_force"] == "2020-11-03"
    assert js(spec, "2020-11-04")["status"] == "in_force"  # for the other Parties
    early = multilateral(
        ["USA", "CHN", "FRA"], *base, ev("denunciation_notice", "USA", "2019-11-03"), **sections
    )
    assert js(early, "2020-01-01")["parties"]["USA"]["withdrawal"]["valid"] is False


def test_kyoto_protocol_article_25_weighted_by_annex_i_emissions() -> None:
    """Kyoto Protocol 1997, art. 25(1) (UNTC XXVII-7-a):

    "This Protocol shall enter into force on the ninetieth day after the date on which not less
    than 55 Parties to the Convention, incorporating Parties included in Annex I which accounted
    in total for at least 55 per cent of the total carbon dioxide emissions for 1990 of the
    Parties included in Annex I, have deposited their instruments of ratification, acceptance,
    approval or accession."

    Scenario: 60 Parties by 2004, Annex I Parties among them holding 44.2 %; the Russian
    Federation (17.4 %) deposits on 18 Nov 2004 → 61.6 %. 18 Nov + 90 days: 12 (to 30 Nov)
    + 31 + 31 + 16 = 16 Feb 2005, the recorded entry into force.
    """
    first = numbered(60)
    events = deposits(first[:20], "2002-05-31", weight=2.21) + deposits(first[20:], "2003-01-01")
    spec = multilateral(
        [*first, "RUS"],
        *events,
        ev("instrument_deposited", "RUS", "2004-11-18", instrument="ratification", weight=17.4),
        entry_into_force={
            "trigger": "instruments",
            "count": 55,
            "weight_share": 55,
            "days_after": 90,
            "later_parties_days_after": 90,
        },
        term={"initial": "indefinite"},
    )
    before = js(spec, "2004-06-01")["entry_into_force"]
    assert before["date"] is None
    assert "44.20 % of 55 %" in before["explanation"]
    assert js(spec, "2005-03-01")["entry_into_force"]["date"] == "2005-02-16"


def test_convention_on_the_rights_of_the_child_articles_49_and_52() -> None:
    """CRC 1989, art. 49(1): "The present Convention shall enter into force on the thirtieth day
    following the date of deposit with the Secretary-General of the United Nations of the
    twentieth instrument of ratification or accession."
    Art. 52: "A State Party may denounce the present Convention by written notification to the
    Secretary-General of the United Nations. Denunciation becomes effective one year after the
    date of receipt of the notification by the Secretary-General."

    20th instrument 3 Aug 1990 → 3 Aug + 30 days = 2 Sep 1990 (the UNTC date).
    Hypothetical denunciation received 29 Feb 2024 → 29 Feb 2024 + 1 year = 28 Feb 2025 (C0
    clamps; no 29 Feb in 2025), so the last day bound is 27 Feb 2025.
    """
    first = numbered(19)
    spec = multilateral(
        [*first, "P20"],
        *deposits(first, "1990-06-01"),
        ev("instrument_deposited", "P20", "1990-08-03"),
        ev("denunciation_notice", "P20", "2024-02-29"),
        entry_into_force={"trigger": "instruments", "count": 20, "days_after": 30},
        term={"initial": "indefinite"},
        denunciation={"effect_after": "P1Y", "ends": "party", "article": "52"},
    )
    data = js(spec, "2024-03-01")
    assert data["entry_into_force"]["date"] == "1990-09-02"
    withdrawal = data["parties"]["P20"]["withdrawal"]
    assert (withdrawal["effective"], withdrawal["last_day_in_force"]) == (
        "2025-02-28",
        "2025-02-27",
    )


def test_international_covenant_on_civil_and_political_rights_article_49() -> None:
    """ICCPR 1966, art. 49:

    "1. The present Covenant shall enter into force three months after the date of the deposit
    with the Secretary-General of the United Nations of the thirty-fifth instrument of
    ratification or instrument of accession.
    2. For each State ratifying the present Covenant or acceding to it after the deposit of the
    thirty-fifth instrument of ratification or instrument of accession, the present Covenant
    shall enter into force three months after the date of the deposit of its own instrument of
    ratification or instrument of accession."

    35th instrument 23 Dec 1975 → + 3 months = 23 Mar 1976 (the UNTC date). A State depositing on
    30 Nov 1976: + 3 months = 28 Feb 1977 (C0 clamps; February 1977 has 28 days).
    """
    first = numbered(34)
    spec = multilateral(
        [*first, "CSK", "LATE"],
        *deposits(first, "1970-01-01"),
        ev("instrument_deposited", "CSK", "1975-12-23"),
        ev("instrument_deposited", "LATE", "1976-11-30", instrument="accession"),
        entry_into_force={
            "trigger": "instruments",
            "count": 35,
            "after": "P3M",
            "later_parties_after": "P3M",
        },
        term={"initial": "indefinite"},
    )
    data = js(spec, "1977-06-01")
    assert data["entry_into_force"]["date"] == "1976-03-23"
    assert data["parties"]["LATE"]["entry_into_force"] == "1977-02-28"


ROME_126 = {
    "trigger": "instruments",
    "count": 60,
    "days_after": 60,
    "first_day_of_month": 1,
    "later_parties_days_after": 60,
    "later_parties_first_day_of_month": 1,
    "article": "126",
}


def test_rome_statute_article_126_first_day_of_the_month_after_the_60th_day() -> None:
    """Rome Statute 1998, art. 126:

    "1. This Statute shall enter into force on the first day of the month after the 60th day
    following the date of the deposit of the 60th instrument of ratification, acceptance,
    approval or accession with the Secretary-General of the United Nations.
    2. For each State ratifying, accepting, approving or acceding to this Statute after the
    deposit of the 60th instrument …, the Statute shall enter into force on the first day of the
    month after the 60th day following the deposit by such State of its instrument …"

    56 instruments before, then ten deposited together on 11 Apr 2002 (the 57th–66th).
    11 Apr + 60 days = 10 Jun 2002 (19 + 31 + 10); the first day of the month after = 1 Jul 2002.
    Japan deposited on 17 Jul 2007: + 60 days = 15 Sep 2007 → 1 Oct 2007.
    """
    first = numbered(56)
    together = numbered(66)[56:]
    spec = multilateral(
        [*first, *together, "JPN"],
        *deposits(first, "2001-01-01"),
        *deposits(together, "2002-04-11"),
        ev("instrument_deposited", "JPN", "2007-07-17", instrument="accession"),
        entry_into_force=ROME_126,
        term={"initial": "indefinite"},
    )
    data = js(spec, "2008-01-01")
    assert data["entry_into_force"]["date"] == "2002-07-01"
    assert data["parties"]["JPN"]["entry_into_force"] == "2007-10-01"


def test_rome_statute_article_127_withdrawals_of_burundi_and_the_philippines() -> None:
    """Rome Statute 1998, art. 127(1): "A State Party may, by written notification addressed to
    the Secretary-General of the United Nations, withdraw from this Statute. The withdrawal
    shall take effect one year after the date of receipt of the notification, unless the
    notification specifies a later date."

    Burundi: received 27 Oct 2016 → effective 27 Oct 2017. Philippines: received
    17 Mar 2018 → effective 17 Mar 2019 (both as recorded by the UNTC).
    """
    spec = multilateral(
        ["BDI", "PHL", "NLD"],
        in_force("2002-07-01"),
        ev("denunciation_notice", "BDI", "2016-10-27"),
        ev("denunciation_notice", "PHL", "2018-03-17"),
        entry_into_force=ROME_126 | {"count": 3},
        term={"initial": "indefinite"},
        denunciation={"effect_after": "P1Y", "ends": "party", "article": "127"},
    )
    parties = js(spec, "2019-06-01")["parties"]
    assert parties["BDI"]["withdrawal"]["effective"] == "2017-10-27"
    assert parties["PHL"]["withdrawal"]["effective"] == "2019-03-17"
    assert parties["NLD"]["withdrawal"] is None
