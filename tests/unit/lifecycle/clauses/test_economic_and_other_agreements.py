"""Final clauses of intellectual-property, labour, humanitarian, energy, investment, tax and
bilateral cooperation agreements."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from comity.domain.lifecycle.agreement_file import parse_agreement
from comity.domain.lifecycle.model import Event, PartialDate
from tests.unit.lifecycle.builders import agreement, ev, in_force, js, multilateral, state
from tests.unit.lifecycle.clauses.helpers import deposits, numbered


def test_wipo_copyright_treaty_articles_20_and_21() -> None:
    """WIPO Copyright Treaty 1996, art. 20: "This Treaty shall enter into force three months
    after 30 instruments of ratification or accession by States have been deposited with the
    Director General of WIPO." Art. 21: "This Treaty shall bind: (i) the 30 States referred to
    in Article 20, from the date on which this Treaty has entered into force; (ii) each other
    State from the expiration of three months from the date on which the State has deposited its
    instrument with the Director General of WIPO; …"

    30th instrument 6 Dec 2001 → + 3 months = 6 Mar 2002 (the WIPO date). Austria deposited
    14 Dec 2009 → 14 Mar 2010; Armenia 6 Dec 2004 → 6 Mar 2005 (both as listed by the Dutch
    treaty database, https://verdragenbank.overheid.nl/en/Treaty/Details/007936.html).
    """
    first = numbered(29)
    spec = multilateral(
        [*first, "GAB", "AUT", "ARM"],
        *deposits(first, "2000-01-01"),
        ev("instrument_deposited", "GAB", "2001-12-06"),
        ev("instrument_deposited", "AUT", "2009-12-14"),
        ev("instrument_deposited", "ARM", "2004-12-06", instrument="accession"),
        entry_into_force={
            "trigger": "instruments",
            "count": 30,
            "after": "P3M",
            "later_parties_after": "P3M",
            "article": "20",
        },
        term={"initial": "indefinite"},
        denunciation={"effect_after": "P1Y", "ends": "party", "article": "23"},
    )
    data = js(spec, "2011-01-01")
    assert data["entry_into_force"]["date"] == "2002-03-06"
    assert data["parties"]["AUT"]["entry_into_force"] == "2010-03-14"
    assert data["parties"]["ARM"]["entry_into_force"] == "2005-03-06"


def test_ilo_worst_forms_of_child_labour_convention_articles_10_and_11() -> None:
    """ILO Convention No. 182 (1999), art. 10: "1. This Convention shall be binding only upon
    those Members of the International Labour Organization whose ratifications have been
    registered with the Director-General of the International Labour Office. 2. It shall come
    into force 12 months after the date on which the ratifications of two Members have been
    registered with the Director-General. 3. Thereafter, this Convention shall come into force
    for any Member 12 months after the date on which its ratification has been registered."
    Art. 11(1): "A Member which has ratified this Convention may denounce it after the
    expiration of ten years from the date on which the Convention first comes into force, by an
    act communicated to the Director-General of the International Labour Office for
    registration. Such denunciation shall not take effect until one year after the date on
    which it is registered." (Art. 11(2), the ten-year windows, is not modelled.)

    Second ratification registered 19 Nov 1999 → 19 Nov 2000. A Member registered 2 Aug 2001 →
    2 Aug 2002. Denunciation allowed as from 19 Nov 2010; one registered on 1 Dec 2010 takes
    effect on 1 Dec 2011.
    """
    spec = multilateral(
        ["SYC", "MWI", "LATE"],
        ev("instrument_deposited", "SYC", "1999-09-28"),
        ev("instrument_deposited", "MWI", "1999-11-19"),
        ev("instrument_deposited", "LATE", "2001-08-02"),
        ev("denunciation_notice", "LATE", "2010-12-01"),
        entry_into_force={
            "trigger": "instruments",
            "count": 2,
            "after": "P12M",
            "later_parties_after": "P12M",
        },
        term={"initial": "indefinite"},
        denunciation={"effect_after": "P1Y", "not_before": "P10Y", "ends": "party"},
    )
    data = js(spec, "2011-01-01")
    assert data["entry_into_force"]["date"] == "2000-11-19"
    assert data["parties"]["LATE"]["entry_into_force"] == "2002-08-02"
    assert data["parties"]["LATE"]["withdrawal"]["effective"] == "2011-12-01"


def test_first_geneva_convention_articles_58_and_63() -> None:
    """Geneva Convention I 1949, art. 58: "The present Convention shall come into force six
    months after not less than two instruments of ratification have been deposited.
    Thereafter, it shall come into force for each High Contracting Party six months after the
    deposit of the instrument of ratification." Art. 63(3): "The denunciation shall take effect
    one year after the notification thereof has been made to the Swiss Federal Council. …"

    Switzerland 31 Mar 1950, Yugoslavia 21 Apr 1950 → + 6 months = 21 Oct 1950 (the
    depositary's date). The United States deposited on 2 Aug 1955 → 2 Feb 1956.
    """
    spec = multilateral(
        ["CHE", "YUG", "USA"],
        ev("instrument_deposited", "CHE", "1950-03-31"),
        ev("instrument_deposited", "YUG", "1950-04-21"),
        ev("instrument_deposited", "USA", "1955-08-02"),
        entry_into_force={
            "trigger": "instruments",
            "count": 2,
            "after": "P6M",
            "later_parties_after": "P6M",
        },
        term={"initial": "indefinite"},
        denunciation={"effect_after": "P1Y", "ends": "party", "article": "63"},
    )
    data = js(spec, "1956-06-01")
    assert data["entry_into_force"]["date"] == "1950-10-21"
    assert data["parties"]["USA"]["entry_into_force"] == "1956-02-02"


def test_energy_charter_treaty_article_47_withdrawal_and_twenty_year_survival() -> None:
    """Energy Charter Treaty 1994, art. 47: "(1) At any time after five years from the date on
    which this Treaty has entered into force for a Contracting Party, that Contracting Party
    may give written notification to the Depositary of its withdrawal from the Treaty.
    (2) Any such withdrawal shall take effect upon the expiry of one year after the date of the
    receipt of the notification by the Depositary, or on such later date as may be set out in
    the notification of withdrawal. (3) The provisions of this Treaty shall continue to apply to
    Investments made … for a period of 20 years from such date."

    In force 16 Apr 1998. A notification received 27 Apr 2024 takes effect on 27 Apr 2025 (the
    Depositary announced 27 Apr 2025 for the United Kingdom); investments stay protected until
    27 Apr 2045. A notification naming a later date (1 Jan 2026) takes effect on that date.
    Modelled for a bilateral slice of the treaty: the withdrawal ends it for both.
    """
    sections = {
        "parties": ["GBR", "CHE"],
        "term": {"initial": "indefinite"},
        "denunciation": {"effect_after": "P1Y", "not_before": "P5Y", "article": "47"},
        "survival": [{"article": "47(3)", "text": "Protection of investments", "until": "P20Y"}],
    }
    spec = agreement(
        in_force("1998-04-16"), ev("denunciation_notice", "GBR", "2024-04-27"), **sections
    )
    data = js(spec, "2025-04-27")
    assert data["termination"]["effective"] == "2025-04-27"
    assert data["status"] == "terminated"
    survival = data["surviving_obligations"][0]
    assert (survival["active"], survival["until_date"]) == (True, "2045-04-27")
    later = agreement(
        in_force("1998-04-16"),
        ev("denunciation_notice", "GBR", "2024-04-27", effective="2026-01-01"),
        **sections,
    )
    assert js(later, "2025-06-01")["termination"]["effective"] == "2026-01-01"


def test_treaty_on_european_union_article_50_two_years_after_notification() -> None:
    """TEU, art. 50(3): "The Treaties shall cease to apply to the State in question from the
    date of entry into force of the withdrawal agreement or, failing that, two years after the
    notification referred to in paragraph 2, unless the European Council, in agreement with the
    Member State concerned, unanimously decides to extend this period."

    The United Kingdom notified on 29 Mar 2017 → by default the Treaties cease to apply on
    29 Mar 2019 (C3). (The extensions and the withdrawal agreement, in force 1 Feb 2020, would
    be recorded as further events; only the default rule is checked here.)
    """
    spec = multilateral(
        ["GBR", "FRA", "DEU"],
        in_force("1993-11-01"),
        ev("denunciation_notice", "GBR", "2017-03-29", evidence="letter of 29 Mar 2017"),
        term={"initial": "indefinite"},
        denunciation={"effect_after": "P2Y", "ends": "party", "article": "50(3)"},
    )
    data = js(spec, "2018-01-01")
    assert data["parties"]["GBR"]["withdrawal"]["effective"] == "2019-03-29"
    assert any(d["kind"] == "withdrawal" and d["date"] == "2019-03-29" for d in data["deadlines"])


def test_swiss_bilateral_investment_agreement_ten_years_then_twelve_months_notice() -> None:
    """Swiss bilateral investment promotion agreement, SR 0.975.255.4, art. 13 (authentic French
    text, https://droit-bilingue.ch/de-fr/0.9/0.97/0.975.255.4-13-16.html): "(1) Le présent
    Accord restera valable pour une durée de dix ans. Après ce terme, il restera en vigueur
    jusqu'à l'expiration d'une période de douze mois à compter de la date à laquelle une Partie
    contractante l'aura dénoncé par écrit à l'autre. (2) En ce qui concerne les investissements
    effectués avant l'expiration du présent Accord, les dispositions de ce dernier continueront
    de s'appliquer pendant une période supplémentaire de quinze ans …"

    Read as: no termination notice during the first ten years (lock-in), then 12 months'
    notice; investments keep protection for 15 more years. Hypothetical: in force 1 Jan 2000;
    a notice on 31 Dec 2009 is premature; one received 15 Mar 2012 ends the agreement on
    15 Mar 2013, protection lasting until 15 Mar 2028.
    """
    sections = {
        "parties": ["CHE", "XXX"],
        "term": {"initial": "indefinite"},
        "denunciation": {"effect_after": "P12M", "not_before": "P10Y", "article": "13(1)"},
        "survival": [{"article": "13(2)", "text": "Existing investments", "until": "P15Y"}],
    }
    early = agreement(
        in_force("2000-01-01"), ev("denunciation_notice", "XXX", "2009-12-31"), **sections
    )
    assert js(early, "2010-06-01")["termination"]["valid"] is False
    spec = agreement(
        in_force("2000-01-01"), ev("denunciation_notice", "XXX", "2012-03-15"), **sections
    )
    data = js(spec, "2013-03-15")
    assert data["status"] == "terminated"
    assert data["surviving_obligations"][0]["until_date"] == "2028-03-15"


def test_germany_spain_tax_convention_article_31_calendar_year_clause() -> None:
    """Germany–Spain double taxation convention 2011, art. 31 (English text as published at
    https://www.orbitax.com/taxhub/taxtreaties/DE/Germany/ES/Spain/): "This Convention shall
    remain in force until it is terminated by one of the Contracting States. Any of the
    Contracting States may notify the termination of the Convention in writing through
    diplomatic channels to the other Contracting State, with at least a six month advance
    notice prior to the end of any calendar year, subsequent to a five year period from the date
    of entry into force of the Convention. In such cases, the Convention shall no longer be
    binding: (a) as regards to taxes collected by the withholding system, relating to amounts
    paid subsequent to the first day of January, inclusive, of the calendar year following the
    one in which the termination is notified; … The notification of termination shall be deemed
    executed by a Contracting State on the date of its receipt by the other Contracting State."

    In force 18 Oct 2012 → notices allowed as from 18 Oct 2017. Six months before 31 Dec =
    30 Jun (C5). Received 30 Jun 2020 → no longer binding from 1 Jan 2021. Received 1 Jul 2020 →
    too late for 2021: deferred to 1 Jan 2022, with a warning naming the literal reading.
    Received 1 Mar 2017 → premature.
    """
    sections = {
        "parties": ["DEU", "ESP"],
        "term": {"initial": "indefinite"},
        "denunciation": {
            "notice_by": "06-30",
            "effect": "next_calendar_year",
            "not_before": "P5Y",
            "article": "31",
        },
    }
    for received, timely, effective in (
        ("2020-06-30", True, "2021-01-01"),
        ("2020-07-01", False, "2022-01-01"),
    ):
        spec = agreement(
            in_force("2012-10-18"), ev("denunciation_notice", "DEU", received), **sections
        )
        termination = js(spec, "2020-12-31")["termination"]
        assert (termination["timely"], termination["effective"]) == (timely, effective)
    premature = agreement(
        in_force("2012-10-18"), ev("denunciation_notice", "DEU", "2017-03-01"), **sections
    )
    assert js(premature, "2017-06-01")["termination"]["valid"] is False
    upcoming = js(agreement(in_force("2012-10-18"), **sections), "2026-11-29")["deadlines"]
    assert upcoming[0]["date"] == "2027-06-30"


def test_turkey_azerbaijan_defence_industry_agreement_2017() -> None:
    """TR–AZ defence-industry cooperation agreement (Baku, 31 Oct 2017). The treaty text is not
    published; public reporting (reference/treaty-lifecycle.md §1.2, DESIGN.md) gives the
    clause: valid five years, "renewed automatically for successive one-year periods; either
    party may end it by notifying the other at least three months in advance", and Nordic
    Monitor (9 Apr 2021): "The agreement, put into effect with the approval of President Recep
    Tayyip Erdoğan on April 6, 2021 …".

    Recorded entry into force 6 Apr 2021 → initial term to 5 Apr 2026; period 1: 6 Apr 2026 –
    5 Apr 2027; last timely notice 5 Apr 2027 − 3 months = 5 Jan 2027. A notice received
    6 Jan 2027 is late: the agreement then ends with period 2, on 5 Apr 2028.
    """
    folder = Path(__file__).resolve().parents[4] / "examples/agreements"
    file = folder / "tr-az-defence-industry-2017.toml"
    spec = parse_agreement(file.read_text(encoding="utf-8"), source=file.name)
    assert js(spec, "2026-11-29")["non_renewal_deadline"]["date"] == "2027-01-05"
    notice = Event(kind="non_renewal_notice", party="AZE", received=PartialDate.parse("2027-01-06"))
    result = state(spec.with_events((notice,)), "2027-02-01").termination
    assert result is not None
    assert (result.timely, result.last_day_in_force) == (False, date(2028, 4, 5))
