"""Shared pieces of the container tests: key providers made once, a labelled seal, and the
tools to take a container apart and put a tampered one back together."""

from __future__ import annotations

import io
import json
from functools import cache
from typing import Any, BinaryIO

from comity.crypto import ztdf
from comity.crypto.ztdf.zipio import ZipStreamWriter, read_entries
from comity.domain.security import labels

NAMESPACE = "comity.example"
LABEL = labels.parse(
    "TUR | GİZLİ | Need To Know (restrictive): ALPHA | Releasable To (permissive): AZE, TUR"
    " | Handling (informative): Commission only"
)
DOCUMENT = "doc-2026-0042"
VERSION = 3
EXPECTED = ztdf.ExpectedBinding(DOCUMENT, VERSION, LABEL)


@cache
def provider(url: str = "https://tur.comity.example/kas") -> ztdf.MemoryKeyProvider:
    """One RSA key ring per URL for the whole run (generating RSA keys is slow)."""
    return ztdf.MemoryKeyProvider(url)


def seal_to(
    plaintext: bytes,
    out: BinaryIO,
    *,
    key_provider: ztdf.KeyProvider | list[ztdf.KeyProvider] | None = None,
    segment_size: int = 64,
) -> ztdf.SealedInfo:
    """Seal `plaintext` as version VERSION of DOCUMENT under LABEL into `out`."""
    return ztdf.seal(
        io.BytesIO(plaintext),
        out,
        label=LABEL,
        namespace=NAMESPACE,
        document_id=DOCUMENT,
        version=VERSION,
        key_provider=key_provider if key_provider is not None else provider(),
        segment_size=segment_size,
    )


def seal_bytes(
    plaintext: bytes,
    *,
    key_provider: ztdf.KeyProvider | list[ztdf.KeyProvider] | None = None,
    segment_size: int = 64,
) -> bytes:
    out = io.BytesIO()
    seal_to(plaintext, out, key_provider=key_provider, segment_size=segment_size)
    return out.getvalue()


def open_bytes(
    container: bytes,
    *,
    key_provider: ztdf.KeyProvider | list[ztdf.KeyProvider] | None = None,
    expected: ztdf.ExpectedBinding | None = EXPECTED,
) -> bytes:
    opened = ztdf.open_container(
        io.BytesIO(container),
        key_provider=key_provider if key_provider is not None else provider(),
        expected=expected,
    )
    sink = io.BytesIO()
    opened.copy_to(sink)
    return sink.getvalue()


def take_apart(container: bytes) -> tuple[bytes, dict[str, Any]]:
    """The payload's bytes and the manifest as data."""
    entries = read_entries(io.BytesIO(container))
    payload = container[entries.payload_offset : entries.payload_offset + entries.payload_size]
    manifest: dict[str, Any] = json.loads(entries.manifest)
    return payload, manifest


def put_together(payload: bytes, manifest: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    writer = ZipStreamWriter(out)
    writer.begin_payload()
    writer.write_payload(payload)
    writer.end_payload()
    writer.add_manifest(json.dumps(manifest).encode())
    writer.finish()
    return out.getvalue()
