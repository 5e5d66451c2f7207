"""C2SP tlog-tiles layout: tile paths, index encoding, which tiles a tree size has, bundles.

A tile at level L, index N holds the hashes of the tree nodes at height 8·L with indices
256·N … 256·N+W-1 (W = 256 for a full tile, fewer for a partial one, path suffix ``.p/W``).
Level 0 tiles hold leaf hashes; ``tile/entries/N`` holds the leaves themselves as an entry
bundle (each leaf prefixed by its big-endian uint16 length).

Invariant: a tile has one path: `tile_path` and `entries_path` write the index one way
(3-digit groups, all but the last prefixed with x) and the width only for a partial tile, so two
parties can never name one tile two ways.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from comity.errors import InvalidInput

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
_PATH_BASE = 1000


def encode_index(n: int) -> str:
    """``1234067`` → ``x001/x234/067``: 3-digit groups, all but the last prefixed with x."""
    if n < 0:
        raise ValueError("a tile index is not negative")
    text = f"{n % _PATH_BASE:03d}"
    while n >= _PATH_BASE:
        n //= _PATH_BASE
        text = f"x{n % _PATH_BASE:03d}/{text}"
    return text


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """C2SP path of a hash tile (``tile/<L>/<N>[.p/<W>]``)."""
    return f"tile/{level}/{encode_index(index)}{_partial(width)}"


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """C2SP path of an entry bundle (``tile/entries/<N>[.p/<W>]``)."""
    return f"tile/entries/{encode_index(index)}{_partial(width)}"


def _partial(width: int) -> str:
    if not 0 < width <= TILE_WIDTH:
        raise ValueError(f"tile width {width} is not in 1..{TILE_WIDTH}")
    return "" if width == TILE_WIDTH else f".p/{width}"


@dataclass(frozen=True, slots=True)
class TileShape:
    """The tiles of one level for a tree size: `full` full tiles then one of width `partial`."""

    level: int
    full: int
    partial: int


def tree_tiles(size: int) -> list[TileShape]:
    """Which tiles make up a tree of `size` leaves, level by level (C2SP, height 8)."""
    shapes: list[TileShape] = []
    level = 0
    nodes = size
    while nodes > 0:
        shapes.append(TileShape(level, nodes // TILE_WIDTH, nodes % TILE_WIDTH))
        nodes >>= TILE_HEIGHT
        level += 1
    return shapes


def tiles_of(size: int) -> Iterator[tuple[int, int, int]]:
    """Every ``(level, index, width)`` hash tile of a tree of `size` leaves."""
    for shape in tree_tiles(size):
        for index in range(shape.full):
            yield shape.level, index, TILE_WIDTH
        if shape.partial:
            yield shape.level, shape.full, shape.partial


def encode_bundle(entries: list[bytes]) -> bytes:
    """An entry bundle: each entry as big-endian uint16 length then its bytes."""
    out = bytearray()
    for entry in entries:
        if len(entry) >= 1 << 16:
            raise ValueError("an entry of 64 KiB or more cannot go into a tile bundle")
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def decode_bundle(data: bytes) -> list[bytes]:
    entries: list[bytes] = []
    position = 0
    while position < len(data):
        if position + 2 > len(data):
            raise InvalidInput("an entry bundle ends inside a length prefix")
        length = int.from_bytes(data[position : position + 2], "big")
        position += 2
        if position + length > len(data):
            raise InvalidInput("an entry bundle ends inside an entry")
        entries.append(data[position : position + length])
        position += length
    return entries
