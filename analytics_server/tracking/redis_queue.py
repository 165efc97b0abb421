"""Redis-streams backend of the ingest queue: one stream per partition, one consumer group.

A stream entry holds every hit one group-commit write had for its partition, one message per
line (a message is JSON: no raw newline in it), so a write costs one XADD per partition rather
than one per hit: half of the web process's queue time and most of Redis's own. A hit's
delivery token is `<entry id>/<index>`; an entry is acknowledged once its hits are settled,
which they all are in the batch that fetched them. Depth counts hits, in a hash next to the
streams that every append and acknowledgement updates in the same transaction.
"""

from __future__ import annotations

import json
import math
import os
import socket
import time
from collections.abc import Mapping, Sequence
from typing import Any

import redis

from analytics_server.tracking.queue import DeadLetter, Delivery, QueueUnavailableError

GROUP = "ingest"
MAX_PER_ENTRY = 200  # hits in one stream entry, so one entry stays a reasonable batch share


def _hits_in(fields: dict[bytes, bytes]) -> int:
    return fields[b"m"].count(b"\n") + 1 if b"m" in fields else 1


def _resp(*args: bytes) -> bytes:
    """One command in the Redis protocol (RESP): an array of bulk strings."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        parts += (b"$%d\r\n" % len(arg), arg, b"\r\n")
    return b"".join(parts)


_MULTI, _EXEC = _resp(b"MULTI"), _resp(b"EXEC")


def _entry_time(entry_id: str) -> float:
    return int(entry_id.split("-", 1)[0]) / 1000


class RedisStreamQueue:
    """Streams `<prefix>:p<n>`; a partition is consumed by one worker at a time (see consumer)."""

    def __init__(self, url: str, *, partitions: int, prefix: str = "ingest") -> None:
        self.partitions = partitions
        self.prefix = prefix  # several installations (or test runs) can share one Redis
        self._dead_key = f"{prefix}:dead"
        self._stats_key = f"{prefix}:stats"
        self._depth_key = f"{prefix}:depth"  # hits waiting, per partition
        self._redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
        self.consumer = f"{socket.gethostname()}-{os.getpid()}"
        self._groups: set[str] = set()
        # Partitions where none of our entries is pending, so `fetch` need not look for them
        # first (one round trip per batch less), and the entries delivered but not yet acked.
        self._clear: set[int] = set()
        self._outstanding: dict[int, set[str]] = {}
        # Hits per entry lately, to fetch about `limit` hits; a high first guess keeps the
        # first batch of a backlog of full entries small.
        self._per_entry = 10.0

    def _stream(self, partition: int) -> str:
        return f"{self.prefix}:p{partition}"

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except redis.RedisError as exc:
            self._groups.clear()  # a restarted Redis may have lost nothing, but check again
            self._clear.clear()
            raise QueueUnavailableError(f"redis: {exc}") from exc

    def _ensure_group(self, key: str) -> None:
        if key in self._groups:
            return
        try:
            self._call(self._redis.xgroup_create, key, GROUP, id="0", mkstream=True)
        except QueueUnavailableError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._groups.add(key)

    def append(
        self, messages: Sequence[tuple[int, bytes]], counts: Mapping[str, int] | None = None
    ) -> None:
        by_partition: dict[int, list[bytes]] = {}
        for partition, body in messages:
            by_partition.setdefault(partition, []).append(body)
        commands = []  # in one MULTI/EXEC: the depth moves with the entries
        for partition, bodies in by_partition.items():
            stream = self._stream(partition).encode()
            for at in range(0, len(bodies), MAX_PER_ENTRY):
                chunk = bodies[at : at + MAX_PER_ENTRY]
                commands.append(_resp(b"XADD", stream, b"*", b"m", b"\n".join(chunk)))
            commands.append(self._depth_change(partition, len(bodies)))
        self._write([*commands, *self._counted(counts)])

    def _write(self, commands: list[bytes]) -> None:
        if commands:
            self._call(self._transaction, commands)

    def _depth_change(self, partition: int, hits: int) -> bytes:
        return _resp(b"HINCRBY", self._depth_key.encode(), b"%d" % partition, b"%d" % hits)

    def _counted(self, counts: Mapping[str, int] | None) -> list[bytes]:
        """The commands that add `counts` to the shared counters."""
        key = self._stats_key.encode()
        return [
            _resp(b"HINCRBY", key, name.encode(), b"%d" % value)
            for name, value in (counts or {}).items()
            if value
        ]

    def _transaction(self, commands: list[bytes]) -> list[Any]:
        """MULTI, `commands`, EXEC as one socket write, then the replies: every write of the
        queue (appends, acknowledgements, dead letters, counters) goes this way.

        redis-py's pipeline encodes every argument through its encoder and sends the commands
        in pieces: a write of 24 hits cost the web process 258-273 us of CPU that way, 154-188
        us this way (`append` timed in a loop against a local Redis, best of 7 runs).
        """
        packed = b"".join([_MULTI, *commands, _EXEC])
        pool = self._redis.connection_pool
        conn: Any = pool.get_connection()  # redis-py types few of its connection methods
        try:  # (the pool replaces a connection Redis dropped meanwhile before handing it out)
            conn.send_packed_command([packed])
            for _ in range(len(commands) + 1):  # +OK for MULTI, then QUEUED for each command
                conn.read_response()
            replies = conn.read_response()
        except BaseException:
            conn.disconnect()  # unread replies, or a transaction left open: the server drops it
            raise
        finally:
            pool.release(conn)
        if not isinstance(replies, list):
            raise redis.ResponseError(f"transaction not executed: {replies!r}")
        for reply in replies:
            if isinstance(reply, redis.ResponseError):
                raise reply
        return replies

    def claim_orphans(self, partition: int) -> int:
        """Take over entries delivered to consumers that died (we hold the partition lock);
        returns how many hits they hold."""
        key = self._stream(partition)
        self._ensure_group(key)
        self._clear.discard(partition)  # what we claim is pending for us now
        cursor, claimed = "0-0", 0
        while True:
            result = self._call(
                self._redis.xautoclaim, key, GROUP, self.consumer, 0, cursor, count=1000
            )
            cursor, entries = result[0], result[1]
            claimed += sum(_hits_in(fields) for _, fields in entries if fields)
            cursor = cursor.decode() if isinstance(cursor, bytes) else cursor
            if cursor == "0-0" or not entries:
                return claimed

    def fetch(self, partition: int, limit: int, *, block_ms: int = 0) -> list[Delivery]:
        key = self._stream(partition)
        self._ensure_group(key)
        entries: list[Any] = []
        count = max(1, math.ceil(limit / self._per_entry))
        if partition not in self._clear or self._outstanding.get(partition):
            # Our own unacknowledged entries first: a batch that failed is retried, in order.
            result = self._call(
                self._redis.xreadgroup, GROUP, self.consumer, {key: "0"}, count=count
            )
            entries = result[0][1] if result else []
            if not entries:
                self._outstanding.pop(partition, None)
                self._clear.add(partition)
        if not entries:
            result = self._call(
                self._redis.xreadgroup,
                GROUP,
                self.consumer,
                {key: ">"},
                count=count,
                block=block_ms or None,
            )
            entries = result[0][1] if result else []
        deliveries = []
        for entry_id, fields in entries:
            entry = entry_id.decode()
            at = _entry_time(entry)
            if b"m" in fields:
                for index, body in enumerate(fields[b"m"].split(b"\n")):
                    deliveries.append(Delivery(f"{entry}/{index}", body, at))
            else:  # an entry of one hit, as written before entries held several
                deliveries.append(Delivery(entry, fields[b"b"], at))
        if entries:
            self._per_entry = 0.8 * self._per_entry + 0.2 * (len(deliveries) / len(entries))
            self._outstanding.setdefault(partition, set()).update(d.token for d in deliveries)
        return deliveries

    def _settled(self, partition: int, tokens: Sequence[str]) -> None:
        outstanding = self._outstanding.get(partition)
        if outstanding is not None:
            outstanding.difference_update(tokens)

    def ack(
        self, partition: int, tokens: Sequence[str], counts: Mapping[str, int] | None = None
    ) -> None:
        self._write([*self._removed(partition, tokens), *self._counted(counts)])
        self._settled(partition, tokens)

    def dead_letter(self, partition: int, deliveries: Sequence[tuple[Delivery, str]]) -> None:
        now = time.time()
        commands = []
        for delivery, reason in deliveries:
            record = {
                "body": delivery.body.decode("utf-8", "surrogatepass"),
                "reason": reason,
                "failed_at": now,
                "token": delivery.token,
            }
            # json.dumps escapes what is not ASCII (lone surrogates too): encodable as it is
            commands.append(_resp(b"RPUSH", self._dead_key.encode(), json.dumps(record).encode()))
        tokens = [d.token for d, _ in deliveries]
        self._write([*commands, *self._removed(partition, tokens)])
        self._settled(partition, tokens)

    def _removed(self, partition: int, tokens: Sequence[str]) -> list[bytes]:
        """The commands that acknowledge and delete the entries of settled hits (each entry
        once) and take them off the depth."""
        if not tokens:
            return []
        key = self._stream(partition).encode()
        entries = [entry.encode() for entry in dict.fromkeys(t.split("/", 1)[0] for t in tokens)]
        return [
            _resp(b"XACK", key, GROUP.encode(), *entries),
            _resp(b"XDEL", key, *entries),
            self._depth_change(partition, -len(tokens)),
        ]

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        rows = self._call(self._redis.lrange, self._dead_key, 0, limit - 1)
        letters = []
        for raw in rows:
            data = json.loads(raw)
            letters.append(
                DeadLetter(
                    data["token"],
                    data["body"].encode("utf-8", "surrogatepass"),
                    data["reason"],
                    data["failed_at"],
                )
            )
        return letters

    def retry_dead_letters(self) -> int:
        from analytics_server.tracking.messages import partition_of

        moved = 0
        # Copy, then remove: a crash in between queues a hit twice, and its idempotency key
        # makes the second copy a no-op; removing first could lose it.
        while (raw := self._call(self._redis.lindex, self._dead_key, 0)) is not None:
            body = json.loads(raw)["body"].encode("utf-8", "surrogatepass")
            self.append([(partition_of(body, self.partitions), body)])
            self._call(self._redis.lpop, self._dead_key)
            moved += 1
        return moved

    def depth(self) -> int:
        """Hits waiting. An entry holds at least one hit, so the entry count bounds it below
        (entries written before the depth hash existed); no entries at all means none."""
        pipe = self._redis.pipeline(transaction=False)
        for partition in range(self.partitions):
            pipe.xlen(self._stream(partition))
        pipe.hvals(self._depth_key)
        *lengths, counted = self._call(pipe.execute)
        entries = int(sum(lengths))
        if entries == 0:
            return 0
        return max(entries, sum(int(v) for v in counted))

    def oldest_age(self) -> float | None:
        oldest = None
        for partition in range(self.partitions):
            first = self._call(self._redis.xrange, self._stream(partition), count=1)
            if first:
                at = _entry_time(first[0][0].decode())
                oldest = at if oldest is None else min(oldest, at)
        return None if oldest is None else max(0.0, time.time() - oldest)

    def add_counts(self, counts: Mapping[str, int]) -> None:
        self._write(self._counted(counts))

    def counts(self) -> dict[str, int]:
        raw = self._call(self._redis.hgetall, self._stats_key)
        return {k.decode(): int(v) for k, v in raw.items()}

    def dead_count(self) -> int:
        return int(self._call(self._redis.llen, self._dead_key))

    def swap_holder(self, partition: int, holder: str) -> str | None:
        key = f"{self.prefix}:holder:p{partition}"
        previous = self._call(self._redis.set, key, holder, get=True, ex=86_400)
        return previous.decode() if isinstance(previous, bytes) else None

    def lock(self, name: str, ttl_ms: int) -> bool:
        return bool(
            self._call(
                self._redis.set, f"{self.prefix}:lock:{name}", self.consumer, nx=True, px=ttl_ms
            )
        )

    def renew(self, name: str, ttl_ms: int) -> bool:
        key = f"{self.prefix}:lock:{name}"
        if self._call(self._redis.get, key) != self.consumer.encode():
            return False
        return bool(self._call(self._redis.pexpire, key, ttl_ms))

    def unlock(self, name: str) -> None:
        key = f"{self.prefix}:lock:{name}"
        if self._call(self._redis.get, key) == self.consumer.encode():
            self._call(self._redis.delete, key)

    def release(self, name: str) -> None:
        """Drop a lock or flag whoever set it."""
        self._call(self._redis.delete, f"{self.prefix}:lock:{name}")

    def close(self) -> None:
        self._redis.close()
