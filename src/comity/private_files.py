"""The data directory and the files in it that hold secrets: private to the account running comity.

The SQLite database holds argon2 password hashes, API token digests and audit salts; the signing
key signs the audit log's checkpoints. Invariant: whatever the process umask, comity creates the
data directory with mode 0700 and those files with mode 0600 (SQLite gives its -wal and -shm
files the database file's mode, so they follow). A directory or file that already exists with
wider permissions is left as the operator made it, with a warning on the ``comity`` logger (one
line on stderr for a command, a log warning for the server) saying how to narrow it; comity
never widens or silently changes an operator's choice.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import Final

__all__ = [
    "PRIVATE_DIRECTORY_MODE",
    "PRIVATE_FILE_MODE",
    "create_private_file",
    "ensure_private_directory",
    "warn_if_shared",
    "write_private_file",
]

PRIVATE_DIRECTORY_MODE: Final = 0o700
PRIVATE_FILE_MODE: Final = 0o600

log = logging.getLogger(__name__)

#: Paths already warned about in this process: a command or a server says it once.
_warned: set[Path] = set()


def ensure_private_directory(path: Path) -> bool:
    """Create `path` (and any missing parents) so that it ends with mode 0700; True when it was
    created. An existing one is left alone: the caller warns (`warn_if_shared`) once it knows
    the directory is usable, so that an unusable one gets one clear error, not a warning too.
    Raises OSError as `Path.mkdir` does."""
    try:
        path.mkdir(mode=PRIVATE_DIRECTORY_MODE, parents=True)
    except FileExistsError:
        return False
    # mkdir's mode passes through the umask (which may even take the owner's bits): set it.
    os.chmod(path, PRIVATE_DIRECTORY_MODE)
    return True


def create_private_file(path: Path) -> bool:
    """Create `path` empty with mode 0600 unless it exists (then warn if it is shared).
    True when it was created. Raises OSError for anything but its existing."""
    try:
        descriptor = os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, PRIVATE_FILE_MODE
        )
    except FileExistsError:
        warn_if_shared(path)
        return False
    try:
        os.fchmod(descriptor, PRIVATE_FILE_MODE)
    finally:
        os.close(descriptor)
    return True


def write_private_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` (created, or truncated and narrowed to 0600), flushed to disk."""
    descriptor = os.open(
        path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, PRIVATE_FILE_MODE
    )
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(descriptor, PRIVATE_FILE_MODE)
        handle.write(data)
        handle.flush()
        os.fsync(descriptor)


def warn_if_shared(path: Path) -> None:
    """Log a warning when `path` exists and its group or other users have any permission."""
    try:
        info = os.stat(path)
    except OSError:
        return  # gone or unreadable: whoever uses it next reports that
    mode = stat.S_IMODE(info.st_mode)
    key = path.resolve()
    if not mode & 0o077 or key in _warned:
        return
    _warned.add(key)
    private = PRIVATE_DIRECTORY_MODE if stat.S_ISDIR(info.st_mode) else PRIVATE_FILE_MODE
    what = "directory" if stat.S_ISDIR(info.st_mode) else "file"
    log.warning(
        "%s %s is open to other users (mode %04o) and holds comity's secrets: "
        "narrow it with `chmod %o %s`, or choose another data directory",
        what,
        path,
        mode,
        private,
        path,
    )
