"""Key providers: the node's key ring on disk, rotation and retirement, the document vault."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from comity.crypto import ztdf
from comity.crypto.ztdf.keys import KEY_DIRECTORY
from comity.errors import Conflict, IntegrityFailure, Unavailable

URL = "https://tur.comity.example/kas"


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_local_key_ring_is_created_private_and_read_back(tmp_path: Path) -> None:
    ring = ztdf.LocalKeyProvider(tmp_path, URL)
    directory = tmp_path / KEY_DIRECTORY
    key_file = directory / f"{ring.current_key_id()}.pem"
    assert _mode(directory) == 0o700
    assert _mode(key_file) == 0o600
    assert b"ENCRYPTED" not in key_file.read_bytes()
    share = os.urandom(32)
    wrapped = ring.wrap(share)
    again = ztdf.LocalKeyProvider(tmp_path, URL)
    assert again.current_key_id() == ring.current_key_id()
    assert again.unwrap(wrapped.key_id, wrapped.wrapped) == share


def test_with_a_passphrase_the_keys_are_encrypted_at_rest(tmp_path: Path) -> None:
    ring = ztdf.LocalKeyProvider(tmp_path, URL, passphrase="correct horse")
    key_file = tmp_path / KEY_DIRECTORY / f"{ring.current_key_id()}.pem"
    assert b"BEGIN ENCRYPTED PRIVATE KEY" in key_file.read_bytes()
    with pytest.raises(Unavailable) as caught:
        ztdf.LocalKeyProvider(tmp_path, URL, passphrase="wrong")
    assert "passphrase" in (caught.value.reason or "")
    assert ztdf.LocalKeyProvider(tmp_path, URL, passphrase="correct horse").key_ids()


def test_rotation_makes_a_new_key_current_and_keeps_the_old_one_until_it_retires(
    tmp_path: Path,
) -> None:
    ring = ztdf.LocalKeyProvider(tmp_path, URL)
    old = ring.current_key_id()
    wrapped = ring.wrap(b"s" * 32)
    new = ring.rotate()
    assert new != old
    assert ring.key_ids() == (new, old)
    assert ring.wrap(b"t" * 32).key_id == new
    assert ring.unwrap(old, wrapped.wrapped) == b"s" * 32
    with pytest.raises(Conflict) as refused:
        ring.retire(new)
    assert refused.value.code == "ztdf.retire_current"
    ring.retire(old)
    assert not (tmp_path / KEY_DIRECTORY / f"{old}.pem").exists()
    with pytest.raises(Unavailable) as caught:
        ring.unwrap(old, wrapped.wrapped)
    assert caught.value.code == "ztdf.key_unavailable"
    reloaded = ztdf.LocalKeyProvider(tmp_path, URL)
    assert reloaded.key_ids() == (new,)


def test_a_wrapped_key_altered_or_wrapped_for_another_key_does_not_unwrap() -> None:
    ring = ztdf.MemoryKeyProvider(URL)
    wrapped = ring.wrap(b"k" * 32)
    altered = bytes([wrapped.wrapped[0] ^ 1]) + wrapped.wrapped[1:]
    with pytest.raises(IntegrityFailure) as caught:
        ring.unwrap(wrapped.key_id, altered)
    assert caught.value.code == "ztdf.unwrap_failed"


def test_key_ids_name_the_public_key_wherever_it_travels() -> None:
    ring = ztdf.MemoryKeyProvider(URL)
    other = ztdf.MemoryKeyProvider("https://aze.comity.example/kas", keys=[])
    assert ring.current_key_id() != other.current_key_id()
    assert len(ring.current_key_id()) == 16
    assert "BEGIN PUBLIC KEY" in ring.public_key_pem()


def test_the_document_vault_makes_one_key_per_share_and_destroys_it_for_good() -> None:
    store = ztdf.MemoryKekStore()
    vault = ztdf.DocumentKeyVault("https://tur.comity.example/vault", store)
    first, second = vault.wrap(b"a" * 32), vault.wrap(b"b" * 32)
    assert first.key_id != second.key_id
    vault.destroy(first.key_id)
    with pytest.raises(Unavailable):
        vault.unwrap(first.key_id, first.wrapped)
    assert vault.unwrap(second.key_id, second.wrapped) == b"b" * 32
    # A wrapped share moved under another document's key does not open.
    with pytest.raises(IntegrityFailure):
        vault.unwrap(second.key_id, vault.wrap(b"c" * 32).wrapped)
