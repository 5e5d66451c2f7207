"""The audit log's Ed25519 checkpoint key, and signing and verifying C2SP signed notes.

The key lives in the data directory as PKCS#8 PEM (``audit-log-key.pem``, mode 0600 whatever
the umask, in a 0700 directory: `comity.private_files`), encrypted with the configured
passphrase when there is one, and is created on first use; a key file open to other users is
used, with a warning. The public half is kept beside it (``audit-log-key.pub``, raw key in
base64, also written 0600) so that verifying needs no passphrase.

Invariant: a note is accepted only when a *known* key (name and key id both match a pinned
verifier key) verifies its signature; signatures from unknown keys are ignored, as C2SP
signed-note requires, and no signature at all from a known key is a failure.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from comity import private_files
from comity.domain.audit import note
from comity.errors import IntegrityFailure, InvalidInput, Unavailable

KEY_FILE = "audit-log-key.pem"
PUBLIC_FILE = "audit-log-key.pub"


@dataclass(frozen=True)
class NoteSigner:
    """An Ed25519 key that signs notes under `name` (for checkpoints: the log origin)."""

    name: str
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def vkey(self) -> str:
        return note.format_vkey(self.name, self.public_key)

    def signature(self, text: str) -> note.NoteSignature:
        note.check_text(text)
        key_id = note.key_id(self.name, note.SIG_ED25519, self.public_key)
        return note.NoteSignature(self.name, key_id, self.private_key.sign(text.encode()))

    def sign(self, text: str) -> str:
        """The signed note: `text`, a blank line, this key's signature line."""
        return note.Note(text, (self.signature(text),)).encode()


def verify_note(signed: str | bytes, vkeys: Sequence[str | note.VerifierKey]) -> note.Note:
    """Open a signed note with pinned verifier keys; raise `IntegrityFailure` unless one of them
    verifies its signature. Returns the note (its text is now trustworthy)."""
    parsed = note.parse_note(signed)
    keys = [note.parse_vkey(k) if isinstance(k, str) else k for k in vkeys]
    verified = False
    for sig in parsed.signatures:
        for key in keys:
            if key.name != sig.name or key.key_id != sig.key_id:
                continue  # an unknown key: ignored
            if key.sig_type != note.SIG_ED25519:
                continue
            try:
                Ed25519PublicKey.from_public_bytes(key.public_key).verify(
                    sig.signature, parsed.text.encode()
                )
            except InvalidSignature as exc:
                raise IntegrityFailure(
                    f"the signature of {sig.name} on the note does not verify",
                    code="audit.bad_signature",
                ) from exc
            verified = True
    if not verified:
        raise IntegrityFailure(
            "no known key signed the note", code="audit.unknown_signer", reason="pin the vkey"
        )
    return parsed


def load_or_create(data_dir: Path, name: str, passphrase: str = "") -> NoteSigner:
    """The log's signing key from the data directory, generated on first use."""
    path = data_dir / KEY_FILE
    if not path.exists():
        _create(data_dir, passphrase)
    else:
        private_files.warn_if_shared(data_dir)
        private_files.warn_if_shared(path)
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise Unavailable(f"cannot read the signing key {path}", reason=str(exc)) from exc
    try:
        key = serialization.load_pem_private_key(pem, passphrase.encode() or None)
    except (TypeError, ValueError) as exc:
        raise Unavailable(
            f"cannot open the signing key {path}",
            reason="wrong or missing passphrase (COMITY_KEY_PASSPHRASE)",
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise Unavailable(f"{path} does not hold an Ed25519 key")
    signer = NoteSigner(name, key)
    _write_public(data_dir, signer.public_key)
    return signer


def public_key(data_dir: Path) -> bytes | None:
    """The raw public key, without opening the private key (None: no key yet)."""
    path = data_dir / PUBLIC_FILE
    if not path.exists():
        return None
    try:
        raw = base64.b64decode(path.read_text().strip(), validate=True)
    except (OSError, ValueError) as exc:
        raise Unavailable(f"cannot read the public key {path}", reason=str(exc)) from exc
    if len(raw) != 32:
        raise InvalidInput(f"{path} does not hold a 32-byte Ed25519 public key")
    return raw


def _create(data_dir: Path, passphrase: str) -> None:
    try:
        if not private_files.ensure_private_directory(data_dir):
            private_files.warn_if_shared(data_dir)
    except OSError as exc:
        raise Unavailable(f"cannot create data directory {data_dir}", reason=str(exc)) from exc
    key = Ed25519PrivateKey.generate()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption()
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    temporary = data_dir / f".{KEY_FILE}.{os.getpid()}"
    try:
        private_files.write_private_file(temporary, pem)
        # link() fails if the key exists: two processes creating it at once end with one key,
        # and nobody ever reads a half-written file.
        os.link(temporary, data_dir / KEY_FILE)
    except FileExistsError:
        pass
    except OSError as exc:
        raise Unavailable(f"cannot write the signing key in {data_dir}", reason=str(exc)) from exc
    finally:
        temporary.unlink(missing_ok=True)


def _write_public(data_dir: Path, raw: bytes) -> None:
    path = data_dir / PUBLIC_FILE
    text = base64.b64encode(raw).decode() + "\n"
    if not path.exists() or path.read_text() != text:
        private_files.write_private_file(path, text.encode())
