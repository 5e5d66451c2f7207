"""Reading a file someone else chose: a regular file of bounded size, or a clear refusal.

Commands read the files a person names (agreement and scheme files, label XML, verifier keys),
and `comity audit verify-export` reads the files the other party sent; both go through
`read_bytes` (or `read_text_file`) with an `InputKind` saying what the file is and the most
bytes such a file may hold.

Invariant: devices, FIFOs, sockets and directories are refused before anything is read (a FIFO
is opened without blocking, so a pipe with no writer cannot hang the reader), and no more than
`InputKind.limit` + 1 bytes are ever read, whatever the file's size claims to be. Every refusal
is an `InvalidInput` naming the file and the reason, with a stable code for the cases a caller
tells apart: ``file.not_found``, ``file.not_regular``, ``file.too_large``.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from comity.errors import InvalidInput

__all__ = ["KIB", "MIB", "NOT_FOUND", "InputKind", "read_bytes", "read_text_file"]

KIB: Final = 1024
MIB: Final = 1024 * KIB

#: The code of the refusal of a path where there is no file.
NOT_FOUND: Final = "file.not_found"


@dataclass(frozen=True)
class InputKind:
    """A kind of file comity reads, and the most bytes such a file may hold."""

    name: str
    limit: int


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
    """The UTF-8 text of a regular file of at most `kind.limit` bytes (see `read_bytes`)."""
    data = read_bytes(path, kind)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            "cannot read the file", location=f"{path}: byte {exc.start}", reason="not UTF-8"
        ) from None


def read_bytes(path: Path, kind: InputKind) -> bytes:
    """The bytes of the regular file `path`, of at most `kind.limit` bytes."""
    try:
        _require_regular(path, os.stat(path).st_mode)
        # O_NONBLOCK: if the path became a FIFO since the stat, opening does not wait for a
        # writer; fstat below then refuses it. It changes nothing for a regular file.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise _unreadable(path, "no such file", code=NOT_FOUND) from None
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


def _unreadable(path: Path, reason: str, *, code: str | None = None) -> InvalidInput:
    return InvalidInput("cannot read the file", location=str(path), reason=reason, code=code)


def _size(limit: int) -> str:
    if limit % MIB == 0:
        return f"{limit // MIB} MiB"
    if limit % KIB == 0:
        return f"{limit // KIB} KiB"
    return f"{limit} bytes"
