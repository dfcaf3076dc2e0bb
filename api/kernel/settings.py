"""Service settings, from ``ANBIAO_*`` environment variables (pydantic-settings)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="ANBIAO_", extra="ignore")

    database_url: str = Field(
        default="sqlite+aiosqlite:///anbiao.sqlite3",
        description="SQLAlchemy async URL; default an SQLite file in the working directory.",
    )
    database_pool_size: int = Field(
        default=20,
        description="Connections each worker keeps open: requests beyond it wait "
        "for one to be returned (each request holds one).",
    )
    database_max_overflow: int = Field(
        default=0,
        description="Extra connections a worker may open for a burst; each is "
        "closed again when returned, so a steady load past the pool reconnects per request.",
    )
    database_transaction_pooler: bool = Field(
        default=False,
        description="PostgreSQL is reached through a pooler in transaction mode that cannot "
        "keep prepared statements (PgBouncer < 1.21): asyncpg keeps none and every request "
        "runs in a transaction (docs/deployment.md).",
    )
    secret_key: str = Field(
        default_factory=lambda: secrets.token_urlsafe(32),
        description="JWT signing key; set it for more than one worker or a restart-safe login.",
    )
    token_minutes: int = Field(default=8 * 60, description="JWT lifetime in minutes.")
    account_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How long a worker reuses a token's account as read from "
        "the database (0: read it on every request). Accounts change only at log-in today; a "
        "future change (e.g. a disabled account) takes effect within this time.",
    )
    upload_dir: Path = Field(default=Path("anbiao-uploads"), description="Evidence storage folder.")
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, description="Largest evidence file.")
    argon2_time_cost: int = Field(
        default=2, ge=1, description="argon2id passes (OWASP's minimum configuration: 2)."
    )
    argon2_memory_kib: int = Field(
        default=19 * 1024, ge=8, description="argon2id memory in KiB (OWASP: 19 MiB)."
    )
    argon2_parallelism: int = Field(
        default=1,
        ge=1,
        description="argon2id lanes (OWASP: 1). A stored hash made with other "
        "parameters keeps verifying and is hashed again with these at its next log-in.",
    )
    login_max_failures: int = Field(default=5, description="Failed logins before a lock-out.")
    login_lock_minutes: int = Field(default=15, description="Lock-out length after failures.")
    cookie_secure: bool = Field(
        default=False, description="Send session cookies over HTTPS only (set it in production)."
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where the public reaches the service (certificate QR codes).",
    )
    debug: bool = False


@lru_cache
def get_settings() -> Settings:
    return Settings()
