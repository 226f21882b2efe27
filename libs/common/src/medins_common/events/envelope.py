"""The one envelope every message travels in, and the base class of every event payload."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field


class Event(BaseModel):
    """An event payload. Subclasses fix their name, schema version, topic and message key.

    Within a version a payload only gains optional fields, so older consumers keep working.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    version: ClassVar[int] = 1
    topic: ClassVar[str]
    key_field: ClassVar[str]

    @property
    def key(self) -> str:
        """The aggregate id: Kafka's message key, so one aggregate's events stay in order."""
        return str(getattr(self, self.key_field))


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    event_id: uuid.UUID = Field(description="Unique id; the consumers' dedup key.")
    event_type: str
    version: int
    occurred_at: datetime
    producer: str
    correlation_id: str
    payload: dict[str, Any]
