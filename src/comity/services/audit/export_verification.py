"""Verifying an export as the other party would: with nothing but the files and the log's
verifier key, never the database.

Invariant: `verify_export` accepts an export only if the checkpoint is signed by the key, its
origin is the key's name, every leaf names its own index and that log, every hash tile matches
the leaves, and the leaves produce the signed root. Every file is read as files a person names
are read (`comity.input_files`): a regular file of at most its kind's size, so a hostile export
cannot make the reader wait on a FIFO or hold more than the limit in memory.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from comity import input_files
from comity.crypto import signing
from comity.domain.audit import merkle, tiles
from comity.domain.audit import note as notes
from comity.domain.audit.leaves import MAX_LEAF_BYTES, Leaf, LeafShape
from comity.errors import IntegrityFailure, InvalidInput
from comity.input_files import KIB, InputKind

#: The files of an export and the most bytes each may hold (docs/cli.md, "Input files"): a
#: signed note is a few hundred bytes; a hash tile holds at most 256 hashes; an entry bundle at
#: most 256 leaves, each at most 64 KiB with its 2-byte length.
CHECKPOINT_NOTE: Final = InputKind("export checkpoint", 16 * KIB)
HASH_TILE: Final = InputKind("export hash tile", tiles.TILE_WIDTH * merkle.HASH_SIZE)
ENTRY_BUNDLE: Final = InputKind("export entry bundle", tiles.TILE_WIDTH * (2 + MAX_LEAF_BYTES))


@dataclass(frozen=True)
class ExportReport:
    origin: str
    size: int
    root: bytes
    leaves: int
    tiles: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "origin": self.origin,
            "size": self.size,
            "root": base64.b64encode(self.root).decode(),
            "leaves_checked": self.leaves,
            "tiles_checked": self.tiles,
        }


def _read_export(directory: Path, relative: str, kind: InputKind) -> bytes:
    path = directory / relative
    try:
        return input_files.read_bytes(path, kind)
    except InvalidInput as exc:
        if exc.code != input_files.NOT_FOUND:
            raise
        raise IntegrityFailure(
            f"the export lacks {relative}", code="audit.export_incomplete", location=str(path)
        ) from exc


def _check_exported_leaves(leaves: Sequence[bytes], start: int, origin: str) -> None:
    """Each leaf names its own index and the log; raises at the first that does not."""
    for offset, data in enumerate(leaves):
        index = start + offset
        try:
            leaf = Leaf.parse(data)
            placed = leaf.index == index and leaf.log == origin
        except ValueError:
            placed = False
        if not placed:
            raise IntegrityFailure(
                f"leaf {index} does not name index {index} of log {origin}",
                code="audit.tampered",
                index=index,
            )


def verify_export(directory: Path, vkey: str) -> ExportReport:
    """Check an export as the other party would, with nothing but the log's verifier key: the
    checkpoint's signature, every leaf's place and log, every tile, and the root."""
    if not directory.is_dir():
        raise InvalidInput(f"{directory} is not a directory", location=str(directory))
    key = notes.parse_vkey(vkey)
    opened = signing.verify_note(_read_export(directory, "checkpoint", CHECKPOINT_NOTE), [key])
    cp = notes.parse_checkpoint(opened.text)
    if cp.origin != key.name:
        raise IntegrityFailure(
            f"checkpoint origin {cp.origin!r} is not the key's name {key.name!r}",
            code="audit.wrong_log",
        )
    shape = LeafShape(cp.origin)
    # The frontier of the tree whose leaves are whole tiles (subtrees of 2^8 leaves), and the
    # complete subtrees at the heights that hash tiles carry (8, 16, …), per tile level.
    upper_frontier: list[bytes] = []
    upper: dict[int, list[bytes]] = {}
    last_tile_frontier: list[bytes] = []
    checked_tiles = 0
    for tile_index in range((cp.size + tiles.TILE_WIDTH - 1) // tiles.TILE_WIDTH):
        start = tile_index * tiles.TILE_WIDTH
        width = min(tiles.TILE_WIDTH, cp.size - start)
        bundle = _read_export(directory, tiles.entries_path(tile_index, width), ENTRY_BUNDLE)
        try:
            leaves = tiles.decode_bundle(bundle)
        except InvalidInput as exc:
            raise IntegrityFailure(
                f"entry bundle {tile_index}: {exc.message}", code="audit.tampered", index=start
            ) from exc
        if len(leaves) != width:
            raise IntegrityFailure(
                f"entry bundle {tile_index} holds {len(leaves)} leaves, not {width}",
                code="audit.tampered",
                index=start + min(len(leaves), width),
            )
        # Canonical leaves are placed in bulk (as `verify` does); any other is parsed, one by one.
        fields = shape.fields(leaves)
        if fields is None or [field[1] for field in fields] != list(
            map(str, range(start, start + width))
        ):
            _check_exported_leaves(leaves, start, cp.origin)
        hashes = merkle.leaf_hashes(leaves)
        tile = _read_export(directory, tiles.tile_path(0, tile_index, width), HASH_TILE)
        if tile != b"".join(hashes):
            bad = next(
                (i for i, h in enumerate(hashes) if tile[32 * i : 32 * i + 32] != h), width - 1
            )
            raise IntegrityFailure(
                f"hash tile 0/{tile_index} does not match leaf {start + bad}",
                code="audit.tampered",
                index=start + bad,
            )
        checked_tiles += 1
        if width == tiles.TILE_WIDTH:
            top = merkle.subtree_levels(hashes, tiles.TILE_HEIGHT)[tiles.TILE_HEIGHT][0]
            upper.setdefault(1, []).append(top)
            completed: dict[int, dict[int, bytes]] = {}
            merkle.push(upper_frontier, tile_index, top, completed)
            for level, nodes in sorted(completed.items()):
                if level % tiles.TILE_HEIGHT == 0:
                    upper.setdefault(level // tiles.TILE_HEIGHT + 1, []).extend(nodes.values())
        else:
            # Only the last tile can be partial: its own frontier ends the tree's frontier.
            for offset, hashed in enumerate(hashes):
                merkle.push(last_tile_frontier, offset, hashed)
    frontier = upper_frontier + last_tile_frontier
    for tile_level, tile_index, width in tiles.tiles_of(cp.size):
        if tile_level == 0:
            continue
        first = tile_index * tiles.TILE_WIDTH
        expected = b"".join(upper.get(tile_level, [])[first : first + width])
        tile = _read_export(directory, tiles.tile_path(tile_level, tile_index, width), HASH_TILE)
        if tile != expected:
            raise IntegrityFailure(
                f"hash tile {tile_level}/{tile_index} does not match the leaves",
                code="audit.tampered",
                index=first << (tile_level * tiles.TILE_HEIGHT),
            )
        checked_tiles += 1
    if merkle.root_from_frontier(frontier) != cp.root:
        raise IntegrityFailure(
            f"the {cp.size} leaves do not produce the signed root", code="audit.tampered"
        )
    return ExportReport(cp.origin, cp.size, cp.root, cp.size, checked_tiles)
