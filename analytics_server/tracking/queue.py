"""The ingest queue: durable storage of accepted hits until a worker has committed them.

Two backends with one interface: a SQLite spool file for the embedded mode (no Redis needed) and
Redis streams, one per partition, for production. Messages are opaque bytes (see `messages`).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

DEAD_LETTER_LIMIT = 100_000
_ADD_COUNT = (
    "INSERT INTO counter (name, value) VALUES (?, ?) "
    "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value"
)


@dataclass(frozen=True)
class Delivery:
    """A message handed to a consumer; `ack` it only after its batch is committed."""

    token: str  # backend id: spool sequence number or stream entry id
    body: bytes
    enqueued_at: float


@dataclass(frozen=True)
class DeadLetter:
    token: str
    body: bytes
    reason: str
    failed_at: float


class QueueUnavailableError(Exception):
    """The queue cannot take or give messages now (Redis down, disk full)."""


class QueueFullError(QueueUnavailableError):
    """The queue holds as many hits as `ingest.max_queued_hits` allows (workers behind)."""


class IngestQueue(Protocol):
    partitions: int

    # `counts` are added to the shared counters in the same write (one round trip, not two).
    def append(
        self, messages: Sequence[tuple[int, bytes]], counts: Mapping[str, int] | None = None
    ) -> None: ...
    def fetch(self, partition: int, limit: int, *, block_ms: int = 0) -> list[Delivery]: ...
    def ack(
        self, partition: int, tokens: Sequence[str], counts: Mapping[str, int] | None = None
    ) -> None: ...
    def dead_letter(self, partition: int, deliveries: Sequence[tuple[Delivery, str]]) -> None: ...
    def dead_letters(self, limit: int = 100) -> list[DeadLetter]: ...
    def retry_dead_letters(self) -> int: ...
    def depth(self) -> int: ...
    def dead_count(self) -> int: ...
    def oldest_age(self) -> float | None: ...
    def add_counts(self, counts: Mapping[str, int]) -> None: ...
    def counts(self) -> dict[str, int]: ...
    def claim_orphans(self, partition: int) -> int: ...
    def lock(self, name: str, ttl_ms: int) -> bool: ...
    # Record `holder` as the partition's consumer; returns the previous one (None: unknown).
    def swap_holder(self, partition: int, holder: str) -> str | None: ...
    def renew(self, name: str, ttl_ms: int) -> bool: ...
    def unlock(self, name: str) -> None: ...
    def release(self, name: str) -> None: ...
    def close(self) -> None: ...


class SpoolQueue:
    """A SQLite file used as a queue; one consumer, order kept by sequence number.

    It has a single partition; the `partition` arguments exist for the shared interface.

    Writes come from the group-commit thread and the consumer, so each thread gets its own
    connection; WAL lets the consumer read while hits are appended.
    """

    partitions = 1

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._appended = threading.Condition()  # wakes a waiting consumer in this process
        with self._conn() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS queue (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
                "body BLOB NOT NULL, enqueued_at REAL NOT NULL)"
            )
            conn.execute(
                "CREATE TABLE IF NOT EXISTS dead (seq INTEGER PRIMARY KEY, body BLOB NOT NULL, "
                "reason TEXT NOT NULL, failed_at REAL NOT NULL)"
            )
            conn.execute(
                "CREATE TABLE IF NOT EXISTS counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL)"
            )

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")  # answered means on disk
            self._local.conn = conn
        return conn

    def _tx(
        self,
        sql: str,
        rows: Sequence[tuple[Any, ...]],
        counts: Mapping[str, int] | None = None,
    ) -> None:
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(sql, rows)
            counted = [(name, value) for name, value in (counts or {}).items() if value]
            if counted:
                conn.executemany(_ADD_COUNT, counted)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise QueueUnavailableError(f"spool write failed: {exc}") from exc

    def append(
        self, messages: Sequence[tuple[int, bytes]], counts: Mapping[str, int] | None = None
    ) -> None:
        now = time.time()
        self._tx(
            "INSERT INTO queue (body, enqueued_at) VALUES (?, ?)",
            [(b, now) for _, b in messages],
            counts,
        )
        with self._appended:
            self._appended.notify_all()

    def fetch(self, partition: int, limit: int, *, block_ms: int = 0) -> list[Delivery]:  # noqa: ARG002
        deadline = time.monotonic() + block_ms / 1000
        while True:
            rows = (
                self._conn()
                .execute("SELECT seq, body, enqueued_at FROM queue ORDER BY seq LIMIT ?", (limit,))
                .fetchall()
            )
            remaining = deadline - time.monotonic()
            if rows or remaining <= 0:
                return [Delivery(str(seq), bytes(body), at) for seq, body, at in rows]
            with self._appended:
                self._appended.wait(min(remaining, 0.05))

    def ack(
        self,
        partition: int,  # noqa: ARG002
        tokens: Sequence[str],
        counts: Mapping[str, int] | None = None,
    ) -> None:
        self._tx("DELETE FROM queue WHERE seq = ?", [(int(t),) for t in tokens], counts)

    def dead_letter(
        self,
        partition: int,  # noqa: ARG002
        deliveries: Sequence[tuple[Delivery, str]],
    ) -> None:
        now = time.time()
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT OR REPLACE INTO dead (seq, body, reason, failed_at) VALUES (?, ?, ?, ?)",
            [(int(d.token), d.body, reason, now) for d, reason in deliveries],
        )
        conn.executemany(
            "DELETE FROM queue WHERE seq = ?", [(int(d.token),) for d, _ in deliveries]
        )
        conn.execute("COMMIT")

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        rows = self._conn().execute(
            "SELECT seq, body, reason, failed_at FROM dead ORDER BY seq LIMIT ?", (limit,)
        )
        return [DeadLetter(str(s), bytes(b), r, f) for s, b, r, f in rows]

    def retry_dead_letters(self) -> int:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        count = conn.execute(
            "INSERT INTO queue (body, enqueued_at) SELECT body, failed_at FROM dead ORDER BY seq"
        ).rowcount
        conn.execute("DELETE FROM dead")
        conn.execute("COMMIT")
        return int(count)

    def depth(self) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM queue").fetchone()[0])

    def dead_count(self) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM dead").fetchone()[0])

    def add_counts(self, counts: Mapping[str, int]) -> None:
        if any(counts.values()):
            self._tx(_ADD_COUNT, [], counts)

    def counts(self) -> dict[str, int]:
        rows = self._conn().execute("SELECT name, value FROM counter")
        return {name: int(value) for name, value in rows}

    # One process consumes a spool, so partitions need no lock and nothing is orphaned.
    def claim_orphans(self, partition: int) -> int:  # noqa: ARG002
        return 0

    def swap_holder(self, partition: int, holder: str) -> str | None:  # noqa: ARG002
        return None  # cheap to reset: the embedded consumer's tenures are short anyway

    def lock(self, name: str, ttl_ms: int) -> bool:  # noqa: ARG002
        return True

    def renew(self, name: str, ttl_ms: int) -> bool:  # noqa: ARG002
        return True

    def unlock(self, name: str) -> None:
        pass

    def release(self, name: str) -> None:
        pass

    def oldest_age(self) -> float | None:
        row = self._conn().execute("SELECT MIN(enqueued_at) FROM queue").fetchone()
        return None if row[0] is None else max(0.0, time.time() - float(row[0]))

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
