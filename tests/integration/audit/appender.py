"""A separate process that changes a record and appends its leaf in one transaction, repeatedly.

Run as ``python -m tests.integration.audit.appender URL NAME COUNT GO_FILE HOLD_SECONDS``:
prints ``ready``, waits for GO_FILE to exist (so that all appenders start together), then
COUNT times inserts a row into ``probe`` and records ``probe.create`` for it, committing each
time. HOLD_SECONDS > 0
sleeps inside the transaction, between the change and its leaf, so that a kill lands mid-change.
COUNT 0 means forever.
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

from sqlalchemy import text

from comity.domain.actors import Actor
from comity.persistence.db import make_engine, write_session
from comity.services import audit


def main(url: str, name: str, count: int, go_file: Path, hold: float) -> None:
    engine = make_engine(url)
    actor = Actor(person=name, party="TUR")
    with engine.connect():
        pass  # connect before the start line, so that connecting is not part of the race
    print("ready", flush=True)
    while not go_file.exists():
        time.sleep(0.005)
    numbers = itertools.count() if count == 0 else range(count)
    for number in numbers:
        ident = f"{name}-{number}"
        with write_session(engine) as session, session.begin():
            session.execute(text("INSERT INTO probe (id) VALUES (:id)"), {"id": ident})
            if hold:
                time.sleep(hold)
            audit.record(session, actor, "probe.create", audit.Target("probe", ident))
            if hold:
                time.sleep(hold)
        print(ident, flush=True)
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]), float(sys.argv[5]))
