"""The one settings object. Read from the environment (and ``.env``); secrets only from there."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    store: Literal["embedded", "neo4j"] = Field(
        default="embedded", validation_alias="TSUNAGARI_STORE", description="embedded (default) or neo4j"
    )
    data_dir: Path = Field(default=Path("data"), validation_alias="TSUNAGARI_DATA_DIR")
    out_dir: Path = Field(default=Path("out"), validation_alias="TSUNAGARI_OUT_DIR")
    default_town: str = Field(default="toba", validation_alias="TSUNAGARI_TOWN")

    neo4j_uri: str | None = Field(default=None, validation_alias="NEO4J_URI")
    neo4j_user: str = Field(default="neo4j", validation_alias="NEO4J_USER")
    neo4j_password: SecretStr = Field(default=SecretStr(""), validation_alias="NEO4J_PASSWORD")
    neo4j_database: str | None = Field(default=None, validation_alias="NEO4J_DATABASE")
    neo4j_batch_rows: int = Field(
        default=2000,
        ge=1,
        validation_alias="TSUNAGARI_NEO4J_BATCH_ROWS",
        description="rows per UNWIND statement when writing to Neo4j (bench/bench_bolt_ingest.py measures it)",
    )
    neo4j_max_retry_time: float = Field(default=15.0, ge=0, validation_alias="TSUNAGARI_NEO4J_MAX_RETRY_TIME")
    neo4j_acquisition_timeout: float = Field(
        default=60.0,
        gt=0,
        validation_alias="TSUNAGARI_NEO4J_ACQUISITION_TIMEOUT",
        description="seconds to wait for a connection from the pool (the driver's connection_acquisition_timeout)",
    )

    # -- HTTP API (graphsvc.api)
    system_db: Path | None = Field(
        default=None,
        validation_alias="TSUNAGARI_SYSTEM_DB",
        description="API keys, consent register and audit log (SQLite); default <data_dir>/_system/system.sqlite3",
    )
    api_key_secret: SecretStr = Field(
        default=SecretStr(""),
        validation_alias="TSUNAGARI_API_KEY_SECRET",
        description="server secret mixed into API key hashes (HMAC-SHA256); from the environment only",
    )
    api_max_body_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1024, validation_alias="TSUNAGARI_API_MAX_BODY"
    )
    api_rate_per_second: float = Field(
        default=20.0, gt=0, validation_alias="TSUNAGARI_API_RATE", description="token bucket refill per key"
    )
    api_rate_burst: int = Field(
        default=100, ge=1, validation_alias="TSUNAGARI_API_BURST", description="token bucket size per key"
    )
    api_cors_origins: list[str] = Field(
        default_factory=list,
        validation_alias="TSUNAGARI_API_CORS_ORIGINS",
        description="CORS allow-list (JSON list); empty = closed",
    )
    api_max_page: int = Field(default=500, ge=1, le=10_000, validation_alias="TSUNAGARI_API_MAX_PAGE")

    def system_db_path(self) -> Path:
        return self.system_db or self.data_dir / "_system" / "system.sqlite3"
