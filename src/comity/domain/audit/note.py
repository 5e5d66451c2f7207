"""C2SP signed notes and tlog checkpoints: the text formats, without the cryptography.

A signed note (https://c2sp.org/signed-note) is UTF-8 text ending in a newline, a blank line,
and signature lines ``— <name> <base64(key id || signature)>``. A checkpoint
(https://c2sp.org/tlog-checkpoint) is a note whose text is ``origin``, ``tree size`` and
``base64(root)`` lines. A verifier key (vkey) is ``<name>+<hex key id>+<base64(type || key)>``.

Invariant: every parser here rejects what the specifications reject (control characters, a
missing blank line, names with spaces or ``+``, sizes with leading zeros, roots that are not 32
bytes, key ids that do not match their key), so text that parses is text a Go verifier would
also accept. Signing and signature checks live in ``comity.crypto.signing``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field

from comity.errors import InvalidInput

EM_DASH = "\u2014"
SIG_ED25519 = 0x01
#: Verifiers must accept at least 16 signatures; more than this is treated as abuse.
MAX_SIGNATURES = 100

_DECIMAL = re.compile(r"0|[1-9][0-9]*")


def valid_key_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def key_id(name: str, sig_type: int, public_key: bytes) -> bytes:
    """C2SP key id: SHA-256(name || 0x0A || type || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + public_key).digest()[:4]


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(f"{what} is not standard base64", reason=str(exc)) from exc


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """A parsed verifier key: the name it signs as, its key id, its type and raw public key."""

    name: str
    key_id: bytes
    sig_type: int
    public_key: bytes

    def encode(self) -> str:
        encoded = base64.b64encode(bytes([self.sig_type]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"


def format_vkey(name: str, public_key: bytes, sig_type: int = SIG_ED25519) -> str:
    if not valid_key_name(name):
        raise InvalidInput(f"key name {name!r} is empty or contains a space or '+'")
    return VerifierKey(name, key_id(name, sig_type, public_key), sig_type, public_key).encode()


def parse_vkey(text: str) -> VerifierKey:
    """Parse ``name+hexid+base64(type||key)``; the key id must match the key."""
    parts = text.strip().split("+", 2)  # base64 may contain '+'; names may not
    if len(parts) != 3:
        raise InvalidInput("a verifier key reads NAME+KEYID+KEY", location="key")
    name, hex_id, encoded = parts
    if not valid_key_name(name) or not re.fullmatch(r"[0-9a-f]{8}", hex_id):
        raise InvalidInput("a verifier key needs a name and an 8-digit hex key id", location="key")
    raw = _b64decode(encoded, "the verifier key")
    if not raw:
        raise InvalidInput("the verifier key is empty", location="key")
    sig_type, public_key = raw[0], raw[1:]
    if sig_type == SIG_ED25519 and len(public_key) != 32:
        raise InvalidInput("an Ed25519 verifier key holds 32 bytes", location="key")
    if key_id(name, sig_type, public_key) != bytes.fromhex(hex_id):
        raise InvalidInput("the verifier key's id does not match its key", location="key")
    return VerifierKey(name, bytes.fromhex(hex_id), sig_type, public_key)


@dataclass(frozen=True, slots=True)
class NoteSignature:
    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        encoded = base64.b64encode(self.key_id + self.signature).decode()
        return f"{EM_DASH} {self.name} {encoded}\n"


@dataclass(frozen=True, slots=True)
class Note:
    """A signed note split into the signed text and its signatures."""

    text: str
    signatures: tuple[NoteSignature, ...] = field(default_factory=tuple)

    def encode(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)


def check_text(text: str) -> None:
    """A note's text: non-empty, newline-terminated, no control characters but newline."""
    if not text.endswith("\n"):
        raise InvalidInput("a note's text must end with a newline")
    if any((ord(c) < 0x20 and c != "\n") or ord(c) == 0x7F for c in text):
        raise InvalidInput("a note's text may contain no control character but newline")


def parse_note(data: str | bytes) -> Note:
    """Split a signed note into text and signatures, checking the C2SP syntax."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput("a signed note must be UTF-8", reason=str(exc)) from exc
    split = data.rfind("\n\n")
    if split < 0:
        raise InvalidInput("a signed note needs a blank line before its signatures")
    text, signature_block = data[: split + 1], data[split + 2 :]
    check_text(text)
    if not signature_block.endswith("\n"):
        raise InvalidInput("a signed note must end with a newline")
    signatures: list[NoteSignature] = []
    for line in signature_block[:-1].split("\n"):
        prefix = EM_DASH + " "
        if not line.startswith(prefix):
            raise InvalidInput(f"malformed signature line {line[:40]!r}")
        name, _, encoded = line[len(prefix) :].partition(" ")
        if not valid_key_name(name) or not encoded or " " in encoded:
            raise InvalidInput(f"malformed signature line {line[:40]!r}")
        raw = _b64decode(encoded, "a note signature")
        if len(raw) < 5:
            raise InvalidInput("a note signature is shorter than its key id")
        signatures.append(NoteSignature(name, raw[:4], raw[4:]))
    if not signatures:
        raise InvalidInput("a signed note carries no signature")
    if len(signatures) > MAX_SIGNATURES:
        raise InvalidInput(f"a signed note carries more than {MAX_SIGNATURES} signatures")
    return Note(text, tuple(signatures))


# --- Checkpoints ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        return checkpoint_body(self.origin, self.size, self.root, self.extensions)


def valid_origin(origin: str) -> bool:
    return valid_key_name(origin) and not any(ord(c) < 0x20 for c in origin)


def checkpoint_body(
    origin: str, size: int, root_hash: bytes, extensions: tuple[str, ...] = ()
) -> str:
    """``origin\\nsize\\nbase64(root)\\n`` (comity writes no extension lines)."""
    if not valid_origin(origin):
        raise InvalidInput(f"log origin {origin!r} is empty or contains a space or '+'")
    if size < 0 or len(root_hash) != 32:
        raise InvalidInput("a checkpoint needs a size >= 0 and a 32-byte root")
    lines = [origin, str(size), base64.b64encode(root_hash).decode(), *extensions]
    return "".join(line + "\n" for line in lines)


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint's note text (not its signatures)."""
    check_text(text)
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise InvalidInput("a checkpoint has an origin, a size and a root line")
    origin, size_text, root_text, *extensions = lines
    if not origin:
        raise InvalidInput("a checkpoint's origin line is empty")
    if not _DECIMAL.fullmatch(size_text):
        raise InvalidInput(f"checkpoint size {size_text!r} is not a decimal without leading zeros")
    root_hash = _b64decode(root_text, "the checkpoint root")
    if len(root_hash) != 32 or base64.b64encode(root_hash).decode() != root_text:
        raise InvalidInput("a checkpoint root is the standard base64 of 32 bytes")
    if any(not line for line in extensions):
        raise InvalidInput("a checkpoint has an empty extension line")
    return Checkpoint(origin, int(size_text), root_hash, tuple(extensions))
