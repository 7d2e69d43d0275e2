"""Moderator feedback stored with SQLAlchemy: SQLite by default, PostgreSQL via DATABASE_URL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String, Text, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import StaticPool


class Base(DeclarativeBase):
    pass


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=lambda: dt.datetime.now(dt.UTC))
    target: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(16))
    predicted_label: Mapped[str] = mapped_column(String(64))
    corrected_label: Mapped[str | None] = mapped_column(String(64), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int | None] = mapped_column(Integer, nullable=True)
    end: Mapped[int | None] = mapped_column(Integer, nullable=True)
    article_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    moderator: Mapped[str | None] = mapped_column(String(200), nullable=True)
    model_version: Mapped[str] = mapped_column(String(64))


class FeedbackStore:
    def __init__(self, url: str) -> None:
        kwargs: dict = {"pool_pre_ping": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False}
            if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
                # One shared connection, or every session would see its own empty database.
                kwargs["poolclass"] = StaticPool
        self.engine = create_engine(url, **kwargs)
        Base.metadata.create_all(self.engine)

    def add(self, **fields) -> int:
        with Session(self.engine) as session:
            row = Feedback(**fields)
            session.add(row)
            session.commit()
            return row.id

    def all(self) -> list[Feedback]:
        with Session(self.engine) as session:
            return list(session.scalars(select(Feedback).order_by(Feedback.id)))
