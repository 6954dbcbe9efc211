"""API keys: only a hash of each secret is stored; the secret is shown once, at creation."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, BigId, UTCDateTime


class KeyScope(enum.StrEnum):
    read = "read"
    # write implies read
    write = "write"


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # The first characters of the secret after `lens_`: enough to recognise a key in a listing.
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    # sha256 hex of the whole key: the keys are random, so a slow password hash buys nothing.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[KeyScope] = mapped_column(
        Enum(
            KeyScope,
            name="api_key_scope",
            native_enum=False,
            create_constraint=True,
            length=8,
            values_callable=lambda members: [member.value for member in members],
        )
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: KeyScope) -> bool:
        return self.scope is KeyScope.write or scope is KeyScope.read
