"""Settings, read once at an entry point and passed explicitly.

Services never read the environment: the CLI or the web app builds a `Settings` and hands the
pieces down. Environment variables use the ``COMITY_`` prefix.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("comity", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COMITY_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    #: SQLAlchemy URL; empty means the embedded SQLite file ``comity.db`` in the data directory.
    database_url: str = ""
    #: Origin line of the audit log's checkpoints (C2SP signed-note), e.g. "comity.example/tr-az".
    log_origin: str = "comity/local"
    #: Passphrase that encrypts the checkpoint signing key at rest (PKCS#8); empty: unencrypted.
    key_passphrase: SecretStr = SecretStr("")

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'comity.db'}"
