"""Reading what a person types or names on the command line: dates and files.

One place, so that every command rejects a bad date or an unreadable file with the same clear
line (the option or file, what is wrong, what is expected). The clock is read only here, at the
edge: services and the domain take dates as values.

Invariant: every file a command reads goes through `read_text_file` with its `InputKind`, so it
is a regular file of at most that kind's documented size (docs/cli.md, "Input files"), read
without ever holding more than the limit and one byte.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

from comity.errors import InvalidInput


def parse_date(text: str | None, option: str) -> date | None:
    """An optional ISO calendar date (`YYYY-MM-DD`) given to `option`."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"bad date {text!r}", location=option, reason="expected a calendar date YYYY-MM-DD"
        ) from None


def as_of_date(text: str | None, option: str = "--on") -> date:
    """The as-of date of a command: the date given, or today."""
    return parse_date(text, option) or date.today()


@dataclass(frozen=True)
class InputKind:
    """A kind of file a command reads, and the most bytes such a file may hold (docs/cli.md)."""

    name: str
    limit: int


KIB: Final = 1024
MIB: Final = 1024 * KIB

AGREEMENT_FILE: Final = InputKind("agreement file", 1 * MIB)
SCHEME_FILE: Final = InputKind("scheme file", 256 * KIB)
EQUIVALENCE_FILE: Final = InputKind("equivalence file", 256 * KIB)
LABEL_XML: Final = InputKind("label XML file", 64 * KIB)
VERIFIER_KEY_FILE: Final = InputKind("verifier key file", 4 * KIB)

_CHUNK: Final = 64 * KIB

#: What a path that is not a regular file is, for the refusal (`stat.S_IFMT` → words).
_NOT_REGULAR: Final = {
    stat.S_IFDIR: "it is a directory",
    stat.S_IFIFO: "it is a FIFO (named pipe), not a regular file",
    stat.S_IFCHR: "it is a character device, not a regular file",
    stat.S_IFBLK: "it is a block device, not a regular file",
    stat.S_IFSOCK: "it is a socket, not a regular file",
}


def read_text_file(path: Path, kind: InputKind) -> str:
    """The UTF-8 text of a regular file the person named, of at most `kind.limit` bytes.

    Devices, FIFOs, sockets and directories are refused before anything is read (a FIFO is
    opened without blocking, so a pipe with no writer cannot hang the command), and no more
    than `kind.limit` + 1 bytes are ever read, whatever the file's size claims to be."""
    data = _read_bytes(path, kind)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            "cannot read the file", location=f"{path}: byte {exc.start}", reason="not UTF-8"
        ) from None


def _read_bytes(path: Path, kind: InputKind) -> bytes:
    try:
        _require_regular(path, os.stat(path).st_mode)
        # O_NONBLOCK: if the path became a FIFO since the stat, opening does not wait for a
        # writer; fstat below then refuses it. It changes nothing for a regular file.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise _unreadable(path, "no such file") from None
    except OSError as exc:
        raise _unreadable(path, exc.strerror or str(exc)) from None
    with os.fdopen(descriptor, "rb", buffering=0) as handle:
        _require_regular(path, os.fstat(descriptor).st_mode)
        chunks: list[bytes] = []
        size = 0
        try:
            while size <= kind.limit and (chunk := handle.read(min(_CHUNK, kind.limit + 1 - size))):
                chunks.append(chunk)
                size += len(chunk)
        except OSError as exc:
            raise _unreadable(path, exc.strerror or str(exc)) from None
    if size > kind.limit:
        raise InvalidInput(
            "cannot read the file",
            location=str(path),
            reason=f"larger than {_size(kind.limit)}, the limit for {kind.name}s",
            code="file.too_large",
        )
    return b"".join(chunks)


def _require_regular(path: Path, mode: int) -> None:
    if not stat.S_ISREG(mode):
        reason = _NOT_REGULAR.get(stat.S_IFMT(mode), "not a regular file")
        raise InvalidInput(
            "cannot read the file", location=str(path), reason=reason, code="file.not_regular"
        )


def _unreadable(path: Path, reason: str) -> InvalidInput:
    return InvalidInput("cannot read the file", location=str(path), reason=reason)


def _size(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit % MIB == 0 else f"{limit // KIB} KiB"
