"""The zip archive around a ZTDF container: written as a stream, read by offsets.

Layout, as OpenTDF's Go SDK writes it when streaming: ``0.payload`` first (stored, general
purpose bit 3 set: CRC-32 and sizes follow the data in a data descriptor, 64-bit sizes once the
payload reaches 4 GiB), then ``0.manifest.json`` (stored, sizes in its header), then the central
directory, with the zip64 end records when an offset or size needs them. Nothing is ever seeked
back to, so the output may be a pipe or a socket, and a 2 GiB payload passes through in
segment-sized writes. Entries carry the fixed date 1980-01-01 00:00 (the zip epoch): a
container says nothing about when it was written.

Reading parses the central directory with the standard library, then reads the payload by
offset, as the Go SDK does; the payload's CRC-32 is not recomputed on read (every segment is
authenticated by its AES-GCM tag, which is stronger), the manifest's is.

Invariants: the writer produces exactly one payload entry and one manifest entry, in that
order; the reader accepts an archive only if it names each of the two once, the payload is
stored (not compressed) and lies wholly before the central directory, and the manifest is no
larger than `MAX_MANIFEST_BYTES`.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from typing import BinaryIO, Final

from isal import isal_zlib

from comity.errors import InvalidInput

__all__ = [
    "MANIFEST_NAME",
    "MAX_MANIFEST_BYTES",
    "PAYLOAD_NAME",
    "ContainerEntries",
    "ZipStreamWriter",
    "read_entries",
]

PAYLOAD_NAME: Final = "0.payload"
MANIFEST_NAME: Final = "0.manifest.json"
#: A manifest grows by about 110 bytes per segment: 32 MiB is 64 GiB of payload in 1 MiB
#: segments (the Go SDK's largest supported payload), and bounds what a reader parses.
MAX_MANIFEST_BYTES: Final = 32 * 1024 * 1024

_LOCAL_HEADER: Final = struct.Struct("<IHHHHHIIIHH")
_DATA_DESCRIPTOR_32: Final = struct.Struct("<IIII")
_DATA_DESCRIPTOR_64: Final = struct.Struct("<IIQQ")
_CENTRAL_HEADER: Final = struct.Struct("<IHHHHHHIIIHHHHHII")
_ZIP64_END: Final = struct.Struct("<IQHHIIQQQQ")
_ZIP64_LOCATOR: Final = struct.Struct("<IIQI")
_END: Final = struct.Struct("<IHHHHIIH")

_LOCAL_SIGNATURE: Final = 0x04034B50
_DESCRIPTOR_SIGNATURE: Final = 0x08074B50
_CENTRAL_SIGNATURE: Final = 0x02014B50
_ZIP64_END_SIGNATURE: Final = 0x06064B50
_ZIP64_LOCATOR_SIGNATURE: Final = 0x07064B50
_END_SIGNATURE: Final = 0x06054B50
_ZIP64_EXTRA_ID: Final = 0x0001
_LIMIT_32: Final = 0xFFFFFFFF
_LIMIT_16: Final = 0xFFFF
_DATA_DESCRIPTOR_FLAG: Final = 0x0008
_VERSION_DEFAULT: Final = 20
_VERSION_ZIP64: Final = 45
_MADE_BY_UNIX: Final = 3 << 8
_FILE_MODE: Final = 0o100644 << 16
#: 1980-01-01 00:00:00 in MS-DOS date and time fields.
_DOS_DATE: Final = (0 << 9) | (1 << 5) | 1
_DOS_TIME: Final = 0


@dataclass(slots=True)
class _Entry:
    name: bytes
    offset: int
    crc: int = 0
    size: int = 0
    streamed: bool = False


class ZipStreamWriter:
    """Writes the payload entry as a stream, then the manifest entry and the directory.

    The payload's CRC-32 is ISA-L's (the same value as zlib's, about fifteen times faster: at
    zlib's speed the checksum alone took longer than the AES-GCM encryption)."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._offset = 0
        self._entries: list[_Entry] = []
        self._payload: _Entry | None = None

    def copy_payload_entry(self, source: BinaryIO, entries: ContainerEntries) -> None:
        """Copy another container's payload entry byte for byte (rewrapping keys never reads
        or changes a payload)."""
        if self._entries or self._payload is not None:
            raise RuntimeError("the payload is the first entry")
        entry = _Entry(
            PAYLOAD_NAME.encode(),
            self._offset,
            entries.payload_crc,
            entries.payload_size,
            streamed=entries.payload_streamed,
        )
        source.seek(entries.payload_entry_start)
        remaining = entries.payload_entry_end - entries.payload_entry_start
        while remaining:
            chunk = source.read(min(remaining, 1 << 20))
            if not chunk:
                raise _malformed(f"{PAYLOAD_NAME} is cut short")
            self._write(chunk)
            remaining -= len(chunk)
        self._entries.append(entry)

    @property
    def offset(self) -> int:
        """Bytes written so far."""
        return self._offset

    def _write(self, data: bytes | memoryview) -> None:
        self._out.write(data)
        self._offset += len(data)

    def _local_header(self, entry: _Entry, *, flags: int, crc: int, size: int) -> None:
        header = _LOCAL_HEADER.pack(
            _LOCAL_SIGNATURE,
            _VERSION_ZIP64 if flags else _VERSION_DEFAULT,
            flags,
            zipfile.ZIP_STORED,
            _DOS_TIME,
            _DOS_DATE,
            crc,
            size,
            size,
            len(entry.name),
            0,
        )
        self._write(header + entry.name)

    def begin_payload(self) -> None:
        if self._entries:
            raise RuntimeError("the payload is the first entry")
        entry = _Entry(PAYLOAD_NAME.encode(), self._offset, streamed=True)
        self._local_header(entry, flags=_DATA_DESCRIPTOR_FLAG, crc=0, size=0)
        self._payload = entry

    def write_payload(self, data: bytes | memoryview) -> None:
        entry = self._payload
        if entry is None:
            raise RuntimeError("begin_payload first")
        entry.crc = isal_zlib.crc32(data, entry.crc)
        entry.size += len(data)
        self._write(data)

    def end_payload(self) -> None:
        entry = self._payload
        if entry is None:
            raise RuntimeError("begin_payload first")
        if entry.size >= _LIMIT_32:
            descriptor = _DATA_DESCRIPTOR_64.pack(
                _DESCRIPTOR_SIGNATURE, entry.crc, entry.size, entry.size
            )
        else:
            descriptor = _DATA_DESCRIPTOR_32.pack(
                _DESCRIPTOR_SIGNATURE, entry.crc, entry.size, entry.size
            )
        self._write(descriptor)
        self._entries.append(entry)
        self._payload = None

    def add_manifest(self, data: bytes) -> None:
        if len(data) > MAX_MANIFEST_BYTES:
            raise InvalidInput(
                "the manifest is too large",
                location=MANIFEST_NAME,
                reason=f"at most {MAX_MANIFEST_BYTES} bytes: use larger segments",
                code="ztdf.manifest_too_large",
            )
        entry = _Entry(MANIFEST_NAME.encode(), self._offset, isal_zlib.crc32(data), len(data))
        self._local_header(entry, flags=0, crc=entry.crc, size=entry.size)
        self._write(data)
        self._entries.append(entry)

    def finish(self) -> int:
        """Write the central directory and end records; return the archive's size."""
        directory_offset = self._offset
        for entry in self._entries:
            self._write(self._central_header(entry))
        directory_size = self._offset - directory_offset
        count = len(self._entries)
        if directory_offset >= _LIMIT_32 or directory_size >= _LIMIT_32 or count >= _LIMIT_16:
            zip64_end_offset = self._offset
            self._write(
                _ZIP64_END.pack(
                    _ZIP64_END_SIGNATURE,
                    _ZIP64_END.size - 12,
                    _MADE_BY_UNIX | _VERSION_ZIP64,
                    _VERSION_ZIP64,
                    0,
                    0,
                    count,
                    count,
                    directory_size,
                    directory_offset,
                )
            )
            self._write(_ZIP64_LOCATOR.pack(_ZIP64_LOCATOR_SIGNATURE, 0, zip64_end_offset, 1))
        self._write(
            _END.pack(
                _END_SIGNATURE,
                0,
                0,
                min(count, _LIMIT_16),
                min(count, _LIMIT_16),
                min(directory_size, _LIMIT_32),
                min(directory_offset, _LIMIT_32),
                0,
            )
        )
        return self._offset

    @staticmethod
    def _central_header(entry: _Entry) -> bytes:
        extra_fields: list[int] = []
        size_field = entry.size
        offset_field = entry.offset
        if entry.size >= _LIMIT_32:
            extra_fields += [entry.size, entry.size]
            size_field = _LIMIT_32
        if entry.offset >= _LIMIT_32:
            extra_fields.append(entry.offset)
            offset_field = _LIMIT_32
        extra = b""
        if extra_fields:
            extra = struct.pack(
                f"<HH{len(extra_fields)}Q", _ZIP64_EXTRA_ID, 8 * len(extra_fields), *extra_fields
            )
        version = _VERSION_ZIP64 if extra or entry.streamed else _VERSION_DEFAULT
        header = _CENTRAL_HEADER.pack(
            _CENTRAL_SIGNATURE,
            _MADE_BY_UNIX | version,
            version,
            _DATA_DESCRIPTOR_FLAG if entry.streamed else 0,
            zipfile.ZIP_STORED,
            _DOS_TIME,
            _DOS_DATE,
            entry.crc,
            size_field,
            size_field,
            len(entry.name),
            len(extra),
            0,
            0,
            0,
            _FILE_MODE,
            offset_field,
        )
        return header + entry.name + extra


@dataclass(frozen=True, slots=True)
class ContainerEntries:
    """Where a container's payload lies, and its manifest's bytes."""

    payload_offset: int
    payload_size: int
    manifest: bytes
    #: Where the payload entry (local header, data, descriptor) starts and ends in the archive:
    #: the span `rewrap` copies verbatim.
    payload_entry_start: int
    payload_entry_end: int
    payload_crc: int
    payload_streamed: bool


def _malformed(reason: str) -> InvalidInput:
    return InvalidInput(
        "not a ZTDF container", location="container", reason=reason, code="ztdf.malformed"
    )


def read_entries(stream: BinaryIO) -> ContainerEntries:
    """Locate the payload and read the manifest of a container (`stream` must be seekable)."""
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise _malformed(f"not a zip archive ({exc})") from None
    with archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        for name in (PAYLOAD_NAME, MANIFEST_NAME):
            if names.count(name) != 1:
                raise _malformed(f"{name} must appear exactly once (found {names.count(name)})")
        payload = archive.getinfo(PAYLOAD_NAME)
        manifest = archive.getinfo(MANIFEST_NAME)
        if (
            payload.compress_type != zipfile.ZIP_STORED
            or payload.compress_size != payload.file_size
        ):
            raise _malformed(f"{PAYLOAD_NAME} is compressed; ZTDF stores it")
        if manifest.file_size > MAX_MANIFEST_BYTES:
            raise _malformed(f"{MANIFEST_NAME} is larger than {MAX_MANIFEST_BYTES} bytes")
        payload_offset = _data_offset(stream, payload)
        end = payload_offset + payload.file_size
        following = [i.header_offset for i in infos if i.header_offset > payload.header_offset]
        if end > min([archive.start_dir, *following]):
            raise _malformed(f"{PAYLOAD_NAME} overlaps what follows it")
        try:
            manifest_bytes = archive.read(manifest)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise _malformed(f"{MANIFEST_NAME} cannot be read ({exc})") from None
    return ContainerEntries(
        payload_offset,
        payload.file_size,
        manifest_bytes,
        payload.header_offset,
        min([archive.start_dir, *following]),
        payload.CRC,
        bool(payload.flag_bits & _DATA_DESCRIPTOR_FLAG),
    )


def _data_offset(stream: BinaryIO, info: zipfile.ZipInfo) -> int:
    stream.seek(info.header_offset)
    header = stream.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size:
        raise _malformed(f"{info.filename}'s local header is cut short")
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != _LOCAL_SIGNATURE:
        raise _malformed(f"{info.filename}'s local header has a bad signature")
    name_length: int = fields[9]
    extra_length: int = fields[10]
    name = stream.read(name_length)
    if name != info.filename.encode():
        raise _malformed(f"{info.filename}'s local header names another file")
    return info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
