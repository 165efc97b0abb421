"""Idempotency keys of processed hits, so a batch delivered twice is counted once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from analytics_server.kit.sqltypes import UTCDateTime, binary
from analytics_server.models.base import Base


class IngestKey(Base):
    __tablename__ = "ingest_key"

    key: Mapped[bytes] = mapped_column(binary(16), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
