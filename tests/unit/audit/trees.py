"""Test doubles for the audit log: an in-memory Merkle tree, and signers from fixed seeds.

Production code reads stored subtrees and keeps its key in the data directory; tests compare it
against these, built from nothing but the definitions.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from comity.crypto.signing import NoteSigner
from comity.domain.audit import merkle


class MemoryTree:
    """All complete subtrees of a list of leaf hashes (a `merkle.NodeReader` in `node`)."""

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        self.levels: list[list[bytes]] = [list(leaf_hashes)]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append(
                [merkle.node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            )

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def node(self, level: int, index: int) -> bytes:
        return self.levels[level][index]

    def root(self, size: int | None = None) -> bytes:
        return merkle.range_hash(0, self.size if size is None else size, self.node)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """RFC 6962 PATH(index, D[0:size]), as the log computes it from stored subtrees."""
        return merkle.hashes_for(merkle.inclusion_proof_ranges(index, size), self.node)


def signer_from_seed(name: str, seed: bytes) -> NoteSigner:
    """A note signer whose Ed25519 key is `seed` (32 bytes)."""
    return NoteSigner(name, Ed25519PrivateKey.from_private_bytes(seed))


def parse_skey(text: str) -> tuple[str, bytes]:
    """The name and 32-byte seed of a Go ``PRIVATE+KEY+name+hexid+base64(type||seed)`` signer
    key (the note test vectors publish theirs)."""
    prefix, key, name, _key_id, encoded = text.strip().split("+", 4)
    assert (prefix, key) == ("PRIVATE", "KEY"), text
    raw = base64.b64decode(encoded)
    assert (len(raw), raw[0]) == (33, 1), "an Ed25519 signer key: type 1, then a 32-byte seed"
    return name, raw[1:]
