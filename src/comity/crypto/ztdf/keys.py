"""Key access for sealed containers: who wraps a payload key (or a share of it), who unwraps it.

A `KeyProvider` is one key access service: it wraps a key share under its current key and
unwraps a share given the key id it was wrapped under. The interface is the whole contract, so
an HSM or a KMS fits behind it (wrap may use only a public key; unwrap needs the private one).

Implementations here:

* `LocalKeyProvider` — the node's key-access key ring in the data directory: RSA-2048 key pairs,
  one PKCS#8 PEM file each (``ztdf-keys/<kid>.pem``, 0600 in a 0700 directory, encrypted with
  the passphrase when there is one, like the audit signing key) and a ``current`` file naming
  the key new containers are wrapped for. Wrapping is RSA-OAEP with SHA-1 and MGF1-SHA-1, as
  every OpenTDF SDK does for ``wrapped`` key access (OAEP's security does not rest on SHA-1's
  collision resistance).
* `MemoryKeyProvider` — the same key ring held in memory: the test implementation, and the
  other party's service in split-key tests.
* `DocumentKeyVault` — a fresh AES-256 key-encryption key per wrapped share, kept in a
  `KekStore`, destroyable one by one: sealing with a split over the node's provider and a vault
  makes each document version shreddable on its own (destroy its vault key and no one, the
  operator included, can rebuild its payload key).

Rotation: `rotate()` makes a new key pair current; the old ones keep unwrapping until
`retire(kid)` deletes them. Key ids are the first 16 hex digits of SHA-256 over the public
key's DER SubjectPublicKeyInfo, so a key id names one key wherever it travels.

Invariants: a share is only ever unwrapped with the key its key id names; an unknown, retired
or destroyed key id is `Unavailable` (``ztdf.key_unavailable``), a share that does not unwrap
under its key is `IntegrityFailure` (``ztdf.unwrap_failed``); the current key cannot be retired;
no key material is ever logged or put in an error.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from comity import private_files
from comity.errors import Conflict, IntegrityFailure, InvalidInput, Unavailable

__all__ = [
    "KEY_DIRECTORY",
    "DocumentKeyVault",
    "KekStore",
    "KeyProvider",
    "LocalKeyProvider",
    "MemoryKekStore",
    "MemoryKeyProvider",
    "WrappedShare",
    "key_id_of",
    "rsa_oaep_encrypt",
]

KEY_DIRECTORY: Final = "ztdf-keys"
_CURRENT_FILE: Final = "current"
_RSA_BITS: Final = 2048
# OpenTDF's wrapping: every SDK and KAS uses SHA-1 here; OAEP needs no collision resistance.
_SHA1: Final = hashes.SHA1()  # noqa: S303
_OAEP: Final = padding.OAEP(mgf=padding.MGF1(_SHA1), algorithm=_SHA1, label=None)


@dataclass(frozen=True, slots=True)
class WrappedShare:
    """A key share wrapped by a provider, and the id of the key that unwraps it."""

    key_id: str
    wrapped: bytes


@runtime_checkable
class KeyProvider(Protocol):
    """One key access service (see the module docstring)."""

    @property
    def url(self) -> str:
        """The service's URL, written into the key access objects it wraps for."""
        ...

    def current_key_id(self) -> str: ...

    def key_ids(self) -> tuple[str, ...]:
        """Every key that can still unwrap (current first)."""
        ...

    def wrap(self, share: bytes) -> WrappedShare:
        """Wrap `share` under the current key."""
        ...

    def unwrap(self, key_id: str, wrapped: bytes) -> bytes:
        """The share `wrapped` under `key_id`; `Unavailable` when that key is gone."""
        ...


def key_id_of(public_key: rsa.RSAPublicKey) -> str:
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()[:16]


def rsa_oaep_encrypt(public_key: rsa.RSAPublicKey, data: bytes) -> bytes:
    """RSA-OAEP as OpenTDF wraps keys (SHA-1, MGF1-SHA-1, no label)."""
    return public_key.encrypt(data, _OAEP)


def key_unavailable(key_id: str, url: str) -> Unavailable:
    return Unavailable(
        f"key {key_id} is not available at {url}",
        location="keyAccess",
        reason="unknown, retired or destroyed: the share cannot be unwrapped",
        code="ztdf.key_unavailable",
        key_id=key_id,
    )


def _unwrap_failed(key_id: str) -> IntegrityFailure:
    return IntegrityFailure(
        f"the wrapped key does not open under key {key_id}",
        location="keyAccess.wrappedKey",
        reason="the wrapped key was altered or wrapped for another key",
        code="ztdf.unwrap_failed",
        key_id=key_id,
    )


class _RsaKeyRing:
    """RSA key-access keys by id, one of them current (shared by the local and memory rings)."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._keys: dict[str, rsa.RSAPrivateKey] = {}
        self._current = ""

    @property
    def url(self) -> str:
        return self._url

    def current_key_id(self) -> str:
        return self._current

    def key_ids(self) -> tuple[str, ...]:
        return (self._current, *sorted(k for k in self._keys if k != self._current))

    def public_key(self, key_id: str) -> rsa.RSAPublicKey:
        return self._key(key_id).public_key()

    def public_key_pem(self, key_id: str | None = None) -> str:
        """The PEM public key (for other SDKs to wrap for this service)."""
        return (
            self.public_key(key_id or self._current)
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode("ascii")
        )

    def _key(self, key_id: str) -> rsa.RSAPrivateKey:
        try:
            return self._keys[key_id]
        except KeyError:
            raise key_unavailable(key_id, self._url) from None

    def wrap(self, share: bytes) -> WrappedShare:
        return WrappedShare(self._current, rsa_oaep_encrypt(self.public_key(self._current), share))

    def unwrap(self, key_id: str, wrapped: bytes) -> bytes:
        key = self._key(key_id)
        try:
            return key.decrypt(wrapped, _OAEP)
        except ValueError:
            raise _unwrap_failed(key_id) from None

    def _adopt(self, key: rsa.RSAPrivateKey) -> str:
        if key.key_size < _RSA_BITS:
            raise InvalidInput(
                f"a {key.key_size}-bit RSA key is too small",
                location="key",
                reason=f"key-access keys are at least {_RSA_BITS} bits",
                code="ztdf.weak_key",
            )
        key_id = key_id_of(key.public_key())
        self._keys[key_id] = key
        return key_id

    def _check_retirable(self, key_id: str) -> None:
        self._key(key_id)
        if key_id == self._current:
            raise Conflict(
                f"key {key_id} is the current key",
                location="key",
                reason="rotate to a new key first, and rewrap the containers that use this one",
                code="ztdf.retire_current",
            )


class MemoryKeyProvider(_RsaKeyRing):
    """The key ring in memory (tests; the other party's service in split-key tests)."""

    def __init__(
        self, url: str = "https://kas.test/kas", *, keys: Iterable[rsa.RSAPrivateKey] = ()
    ) -> None:
        super().__init__(url)
        for key in keys:
            self._current = self._adopt(key)
        if not self._current:
            self.rotate()

    def rotate(self) -> str:
        """Make a new key pair current; return its id."""
        self._current = self._adopt(rsa.generate_private_key(65537, _RSA_BITS))
        return self._current

    def retire(self, key_id: str) -> None:
        """Forget a key: what only it wrapped can no longer be opened."""
        self._check_retirable(key_id)
        del self._keys[key_id]

    def private_key_pem(self, key_id: str | None = None) -> str:
        """The unencrypted PKCS#8 private key (tests hand it to another SDK's offline reader)."""
        return (
            self._key(key_id or self._current)
            .private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            .decode("ascii")
        )


class LocalKeyProvider(_RsaKeyRing):
    """The node's key ring in ``<data dir>/ztdf-keys/`` (see the module docstring)."""

    def __init__(self, data_dir: Path, url: str, passphrase: str = "") -> None:
        super().__init__(url)
        self._directory = data_dir / KEY_DIRECTORY
        self._passphrase = passphrase
        try:
            if not private_files.ensure_private_directory(self._directory):
                private_files.warn_if_shared(self._directory)
        except OSError as exc:
            raise Unavailable(
                f"cannot create the key directory {self._directory}", reason=str(exc)
            ) from exc
        for path in sorted(self._directory.glob("*.pem")):
            private_files.warn_if_shared(path)
            self._adopt(self._load(path))
        current = self._directory / _CURRENT_FILE
        if current.exists():
            key_id = current.read_text(encoding="ascii").strip()
            self._key(key_id)
            self._current = key_id
        else:
            self.rotate()

    def _load(self, path: Path) -> rsa.RSAPrivateKey:
        try:
            key = serialization.load_pem_private_key(
                path.read_bytes(), self._passphrase.encode() or None
            )
        except OSError as exc:
            raise Unavailable(f"cannot read the key file {path}", reason=str(exc)) from exc
        except (TypeError, ValueError) as exc:
            raise Unavailable(
                f"cannot open the key file {path}",
                reason="wrong or missing passphrase (COMITY_KEY_PASSPHRASE)",
            ) from exc
        if not isinstance(key, rsa.RSAPrivateKey):
            raise Unavailable(f"{path} does not hold an RSA key")
        if path.stem != key_id_of(key.public_key()):
            raise Unavailable(f"{path} does not hold the key its name says", code="ztdf.key_file")
        return key

    def rotate(self) -> str:
        """Generate a key pair, store it, make it current; return its id."""
        key = rsa.generate_private_key(65537, _RSA_BITS)
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(self._passphrase.encode())
            if self._passphrase
            else serialization.NoEncryption()
        )
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )
        key_id = key_id_of(key.public_key())
        self._replace(f"{key_id}.pem", pem)
        self._adopt(key)
        # The pointer moves only once the key is safely on disk.
        self._replace(_CURRENT_FILE, (key_id + "\n").encode("ascii"))
        self._current = key_id
        return key_id

    def retire(self, key_id: str) -> None:
        """Delete a key's file: whatever only it wrapped can no longer be opened."""
        self._check_retirable(key_id)
        try:
            (self._directory / f"{key_id}.pem").unlink()
        except OSError as exc:
            raise Unavailable(f"cannot delete key {key_id}", reason=str(exc)) from exc
        del self._keys[key_id]

    def _replace(self, name: str, data: bytes) -> None:
        temporary = self._directory / f".{name}.{os.getpid()}"
        try:
            private_files.write_private_file(temporary, data)
            os.replace(temporary, self._directory / name)
        except OSError as exc:
            raise Unavailable(f"cannot write {name} in {self._directory}", reason=str(exc)) from exc
        finally:
            temporary.unlink(missing_ok=True)


class KekStore(Protocol):
    """Where a `DocumentKeyVault` keeps its key-encryption keys (a database table in a node)."""

    def put(self, key_id: str, kek: bytes) -> None: ...

    def get(self, key_id: str) -> bytes | None: ...

    def delete(self, key_id: str) -> None: ...


class MemoryKekStore:
    def __init__(self) -> None:
        self._keks: dict[str, bytes] = {}

    def put(self, key_id: str, kek: bytes) -> None:
        self._keks[key_id] = kek

    def get(self, key_id: str) -> bytes | None:
        return self._keks.get(key_id)

    def delete(self, key_id: str) -> None:
        self._keks.pop(key_id, None)


class DocumentKeyVault:
    """A key provider with one key per wrapped share, destroyable one by one (shredding)."""

    def __init__(self, url: str, store: KekStore) -> None:
        self._url = url
        self._store = store

    @property
    def url(self) -> str:
        return self._url

    def current_key_id(self) -> str:
        # Every wrap makes its own key; there is no standing current key.
        return ""

    def key_ids(self) -> tuple[str, ...]:
        return ()

    def wrap(self, share: bytes) -> WrappedShare:
        key_id = "doc-" + uuid.uuid4().hex
        kek = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(12)
        wrapped = nonce + AESGCM(kek).encrypt(nonce, share, key_id.encode("ascii"))
        self._store.put(key_id, kek)
        return WrappedShare(key_id, wrapped)

    def unwrap(self, key_id: str, wrapped: bytes) -> bytes:
        kek = self._store.get(key_id)
        if kek is None:
            raise key_unavailable(key_id, self._url)
        try:
            return AESGCM(kek).decrypt(wrapped[:12], wrapped[12:], key_id.encode("ascii"))
        except InvalidTag:
            raise _unwrap_failed(key_id) from None

    def destroy(self, key_id: str) -> None:
        """Shred: the share wrapped under `key_id` (and so its document) is gone for good."""
        self._store.delete(key_id)
