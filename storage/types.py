"""Column types that behave the same on SQLite and PostgreSQL: aware UTC timestamps and compressed blobs."""

from __future__ import annotations

import zlib
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import DateTime, LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An aware timestamp: ``timestamptz`` on PostgreSQL, naive UTC text on SQLite; always read back aware UTC.

    Storing UTC on SQLite keeps the stored strings in time order, so comparisons and ORDER BY in SQL
    agree with the instants. A naive datetime is refused: its meaning would depend on the machine; so is
    one with no UTC equivalent (``0001-01-01T00:00+14:00``), which PostgreSQL would store as a date Python
    cannot read back.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        offset = value.utcoffset() if isinstance(value, datetime) else None
        if offset is None:
            raise ValueError(f"timestamps must be aware datetimes, not {value!r}")
        try:
            utc = value - offset
        except OverflowError:
            raise ValueError(f"timestamp {value.isoformat()} is out of range in UTC") from None
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc.replace(tzinfo=timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class ZlibBytes(TypeDecorator[bytes]):
    """Bytes stored zlib-compressed; ``str`` values are stored as their UTF-8 encoding and read back as bytes."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        return zlib.compress(data, 6)

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        return None if value is None else zlib.decompress(value)
