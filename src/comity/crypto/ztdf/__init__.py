"""Sealed content in the allies' own format: OpenTDF / ZTDF containers (NATO ACP-240).

`seal` a document version into a container and `open_container` one, as streams; keys come
from `KeyProvider`s (`keys`); `rewrap_container` moves a container to a provider's current key
without touching its payload; `kas` answers a key access service's rewrap request. The layout
and what is bound to what: docs/exchange-format.md.
"""

from comity.crypto.ztdf.container import (
    DEFAULT_SEGMENT_SIZE,
    ExpectedBinding,
    KeyAccessRecord,
    OpenedContainer,
    SealedInfo,
    open_container,
    read_manifest,
    rewrap_container,
    rewrap_manifest,
    seal,
)
from comity.crypto.ztdf.keys import (
    DocumentKeyVault,
    KekStore,
    KeyProvider,
    LocalKeyProvider,
    MemoryKekStore,
    MemoryKeyProvider,
    WrappedShare,
)

__all__ = [
    "DEFAULT_SEGMENT_SIZE",
    "DocumentKeyVault",
    "ExpectedBinding",
    "KekStore",
    "KeyAccessRecord",
    "KeyProvider",
    "LocalKeyProvider",
    "MemoryKekStore",
    "MemoryKeyProvider",
    "OpenedContainer",
    "SealedInfo",
    "WrappedShare",
    "open_container",
    "read_manifest",
    "rewrap_container",
    "rewrap_manifest",
    "seal",
]
