"""Moderator feedback stored with SQLAlchemy: SQLite by default, PostgreSQL via DATABASE_URL.

One decision per passage (or page) per moderator: sending feedback again on the same target
changes the stored decision instead of adding a row. The target is identified by the audit it
judges (audit id, else article id, else a hash of the text) and its offsets.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from sqlalchemy import DateTime, Integer, String, Text, create_engine, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import StaticPool


class Base(DeclarativeBase):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    decision_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    target: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(16))
    predicted_label: Mapped[str] = mapped_column(String(64))
    corrected_label: Mapped[str | None] = mapped_column(String(64), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int | None] = mapped_column(Integer, nullable=True)
    end: Mapped[int | None] = mapped_column(Integer, nullable=True)
    audit_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    article_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    moderator: Mapped[str | None] = mapped_column(String(200), nullable=True)
    model_version: Mapped[str] = mapped_column(String(64))

    def to_dict(self) -> dict:
        row = {column.name: getattr(self, column.name) for column in Feedback.__table__.columns}
        for name in ("created_at", "updated_at"):
            row[name] = row[name].isoformat() if row[name] is not None else None
        return row


def decision_key(fields: dict) -> str:
    """What makes two feedback requests the same decision: who, on which audit, which span."""
    where = fields.get("audit_id") or fields.get("article_id") or hashlib.sha256(fields["text"].encode()).hexdigest()
    parts = [fields.get("moderator") or "", where, fields["target"], fields.get("start"), fields.get("end")]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


_MUTABLE = ("decision", "predicted_label", "corrected_label", "note", "model_version", "text")


class FeedbackStore:
    def __init__(self, url: str) -> None:
        kwargs: dict = {"pool_pre_ping": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False}
            if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
                # One shared connection, or every session would see its own empty database.
                kwargs["poolclass"] = StaticPool
            else:
                Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(url, **kwargs)
        Base.metadata.create_all(self.engine)
        self._check_columns()

    def _check_columns(self) -> None:
        # create_all does not alter an existing table: a database from an older version would
        # fail on every insert, so refuse it at start-up instead.
        present = {c["name"] for c in inspect(self.engine).get_columns(Feedback.__tablename__)}
        missing = sorted({c.name for c in Feedback.__table__.columns} - present)
        if missing:
            raise RuntimeError(
                f"the feedback table in {self.engine.url.render_as_string(hide_password=True)} is from an older "
                f"version (no {', '.join(missing)}); export its rows and point DATABASE_URL at a new database"
            )

    def upsert(self, **fields) -> tuple[int, bool]:
        """Store a decision; returns (row id, created). A repeated decision updates its row."""
        key = decision_key(fields)
        for _ in range(2):  # a concurrent insert of the same key loses the race once, then updates
            with Session(self.engine) as session:
                row = session.scalars(select(Feedback).where(Feedback.decision_key == key)).first()
                if row is not None:
                    for name in _MUTABLE:
                        setattr(row, name, fields.get(name))
                    row.updated_at = _now()
                    session.commit()
                    return row.id, False
                row = Feedback(decision_key=key, **fields)
                session.add(row)
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()
                    continue
                return row.id, True
        raise RuntimeError("feedback row could neither be inserted nor found")

    def all(self) -> list[Feedback]:
        with Session(self.engine) as session:
            return list(session.scalars(select(Feedback).order_by(Feedback.id)))

    def close(self) -> None:
        self.engine.dispose()
