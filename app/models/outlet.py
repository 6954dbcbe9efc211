"""Outlets: the publications articles come from."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, BigId


class Outlet(Base):
    __tablename__ = "outlets"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # normalize_key(name): "China Daily" and "china  daily" are one outlet
    key: Mapped[str] = mapped_column(String(200), unique=True)
