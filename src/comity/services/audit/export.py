"""Exporting the log for the other party: the latest checkpoint, its entry bundles and its
C2SP hash tiles (https://c2sp.org/tlog-tiles), written into a directory.

Invariant: an export holds exactly the leaves and subtrees of its checkpoint's tree; a row
missing from the database stops the export (it is never written with a hole).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from comity.domain.audit import tiles
from comity.errors import IntegrityFailure, InvalidTransition, Unavailable
from comity.persistence.repositories import audit as repo
from comity.services.audit.append import DEFAULT_ORIGIN, read_head


@dataclass(frozen=True)
class ExportSummary:
    directory: str
    origin: str
    size: int
    root: bytes
    files: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "directory": self.directory,
            "origin": self.origin,
            "size": self.size,
            "root": base64.b64encode(self.root).decode(),
            "files": self.files,
        }


def _write(directory: Path, relative: str, data: bytes) -> None:
    path = directory / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _missing(message: str, location: str) -> IntegrityFailure:
    return IntegrityFailure(message, code="audit.tampered", location=location)


def export(session: Session, directory: Path) -> ExportSummary:
    """Write the latest checkpoint, its entry bundles and its C2SP hash tiles into `directory`."""
    row = repo.latest_checkpoint(session)
    if row is None:
        raise InvalidTransition(
            "the log has no checkpoint to export", reason="run `comity audit checkpoint` first"
        )
    origin = read_head(session).origin or DEFAULT_ORIGIN
    size = row.size
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Unavailable(f"cannot create {directory}", reason=str(exc)) from exc
    files = 0
    for tile_index in range((size + tiles.TILE_WIDTH - 1) // tiles.TILE_WIDTH):
        start = tile_index * tiles.TILE_WIDTH
        end = min(start + tiles.TILE_WIDTH, size)
        rows = repo.leaves_between(session, start, end)
        if [r[0] for r in rows] != list(range(start, end)):
            raise _missing(f"leaves missing in {start}..{end - 1}", "audit_leaf")
        width = end - start
        _write(
            directory,
            tiles.entries_path(tile_index, width),
            tiles.encode_bundle([r[1] for r in rows]),
        )
        _write(directory, tiles.tile_path(0, tile_index, width), b"".join(r[2] for r in rows))
        files += 2
    for tile_level, tile_index, width in tiles.tiles_of(size):
        if tile_level == 0:
            continue
        level = tile_level * tiles.TILE_HEIGHT
        first = tile_index * tiles.TILE_WIDTH
        hashes = repo.nodes_between(session, level, first, first + width - 1)
        if len(hashes) != width:
            raise _missing(f"subtrees missing at level {level}", "audit_node")
        _write(
            directory,
            tiles.tile_path(tile_level, tile_index, width),
            b"".join(h[1] for h in hashes),
        )
        files += 1
    _write(directory, "checkpoint", row.note.encode())
    return ExportSummary(str(directory), origin, size, row.root, files + 1)
