"""Agreement files and actors shared by the agreement service tests."""

from __future__ import annotations

from datetime import UTC, datetime

from comity.domain.actors import Actor

OFFICER = Actor(person="ayse", party="TUR", roles=frozenset({"treaty_officer"}))
MEMBER = Actor(person="murad", party="AZE", roles=frozenset({"member"}))
NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)

#: Entry into force on receipt of the last notification; TUR's notification is left out so
#: that a test can record it. Five years, automatic one-year renewals, three months' notice.
COOPERATION = """\
id = "tr-az-cooperation"
kind = "bilateral"
parties = ["TUR", "AZE"]
authentic_languages = ["tr", "az"]

[title]
en = "Cooperation agreement"
tr = "İşbirliği anlaşması"

[entry_into_force]
trigger = "last_notification"

[term]
initial = "P5Y"
renewal = "automatic"
renewal_period = "P1Y"

[non_renewal]
notice_before_expiry = "P3M"

[[survival]]
article = "9"
text = "Classified information stays protected."

[[events]]
kind = "signature"
party = "TUR"
date = 2017-10-31
evidence = "signed in Baku"

[[events]]
kind = "signature"
party = "AZE"
date = 2017-10-31
evidence = "signed in Baku"

[[events]]
kind = "notification"
party = "AZE"
received = 2018-03-01
evidence = "note verbale 1"
"""

#: The notification by TUR that completes the exchange: entry into force on 6 Apr 2021.
TUR_NOTIFICATION = {
    "kind": "notification",
    "party": "TUR",
    "dispatched": "2021-04-05",
    "received": "2021-04-06",
    "evidence": "note verbale 2",
}

#: A second agreement with a fixed entry-into-force date and a two-year term.
SCIENCE = """\
id = "science-2025"
kind = "bilateral"
parties = ["TUR", "GEO"]
authentic_languages = ["en"]

[title]
en = "Science cooperation"

[entry_into_force]
trigger = "date"
date = 2025-01-01

[term]
initial = "P2Y"
renewal = "automatic"
renewal_period = "P1Y"

[non_renewal]
notice_before_expiry = "P6M"

[[events]]
kind = "signature"
party = "TUR"
date = 2024-12-01
evidence = "signed"

[[events]]
kind = "signature"
party = "GEO"
date = 2024-12-01
evidence = "signed"
"""
