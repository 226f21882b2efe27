"""Settings shared by every service.

Each service subclasses ``ServiceSettings`` with its own ``env_prefix`` (``FILING_`` …) and
builds it in its composition root; nothing here reads the environment at import time.
Infrastructure settings shared by the whole suite (broker, token secret) have one
un-prefixed name so a deployment sets them once.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "dev-only-jwt-secret-change-me-in-production"
DEV_ID_HASH_KEY = "dev-only-id-hash-key-change-me"


def _shared(name: str) -> AliasChoices:
    return AliasChoices(name)


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: str = "service"
    database_url: str = "sqlite+aiosqlite:///./service.db"
    database_pool_size: int = 10

    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092", validation_alias=_shared("KAFKA_BOOTSTRAP_SERVERS")
    )
    # Tansu (the embedded broker) rejects the idempotent-producer handshake; real Kafka takes it.
    kafka_enable_idempotence: bool = Field(
        False, validation_alias=_shared("KAFKA_ENABLE_IDEMPOTENCE")
    )
    jwt_secret: SecretStr = Field(SecretStr(DEV_JWT_SECRET), validation_alias=_shared("JWT_SECRET"))
    id_hash_key: SecretStr = Field(
        SecretStr(DEV_ID_HASH_KEY), validation_alias=_shared("ID_HASH_KEY")
    )
    log_level: str = Field("INFO", validation_alias=_shared("LOG_LEVEL"))

    relay_batch_size: int = 200
    relay_idle_seconds: float = 0.1
    consumer_max_attempts: int = 8
    consumer_retry_base_seconds: float = 0.2
