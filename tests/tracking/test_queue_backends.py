"""Both ingest-queue backends keep messages until acknowledged, in order, with dead letters."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from analytics_server.tracking.queue import IngestQueue, QueueUnavailableError, SpoolQueue
from analytics_server.tracking.redis_queue import RedisStreamQueue
from tests.conftest import service_reachable, skip_or_fail

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_queue(prefix: str, partitions: int = 2) -> RedisStreamQueue:
    if not service_reachable("127.0.0.1", 6379):
        skip_or_fail("Redis is not reachable on 127.0.0.1:6379")
    return RedisStreamQueue(REDIS_URL, partitions=partitions, prefix=prefix)


def forget(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(params=["spool", pytest.param("redis", marks=pytest.mark.redis)])
def queue(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[IngestQueue]:
    if request.param == "spool":
        spool = SpoolQueue(tmp_path / "spool.sqlite3")
        yield spool
        spool.close()
        return
    prefix = f"test-{secrets.token_hex(4)}"
    backend = redis_queue(prefix)
    yield backend
    backend.close()
    forget(prefix)


def test_messages_stay_until_acknowledged_in_order(queue: IngestQueue) -> None:
    for body in (b"one", b"two", b"three"):  # three writes: three Redis entries
        queue.append([(0, body)])
    assert queue.depth() == 3
    first = queue.fetch(0, 2)
    assert [d.body for d in first] == [b"one", b"two"][: len(first)]
    again = queue.fetch(0, 2)  # not acknowledged: delivered again, in order
    assert [d.body for d in again] == [d.body for d in first]
    queue.ack(0, [d.token for d in again])
    assert [d.body for d in queue.fetch(0, 10)] == [b"one", b"two", b"three"][len(first) :]
    assert queue.depth() == 3 - len(first)
    assert queue.oldest_age() is not None


@pytest.mark.redis
def test_one_write_is_one_redis_entry_per_partition_settled_hit_by_hit() -> None:
    prefix = f"test-{secrets.token_hex(4)}"
    queue = redis_queue(prefix)
    try:
        queue.append([(0, b"a"), (1, b"x"), (0, b"b"), (0, b"c")])
        client = redis.Redis.from_url(REDIS_URL)
        assert client.xlen(f"{prefix}:p0") == 1  # one XADD for the three hits of partition 0
        assert queue.depth() == 4  # hits, not entries
        hits = queue.fetch(0, 500)
        assert [d.body for d in hits] == [b"a", b"b", b"c"]
        assert len({d.token for d in hits}) == 3
        queue.dead_letter(0, [(hits[1], "poison")])  # one hit of the entry is dead
        queue.ack(0, [hits[0].token, hits[2].token])
        assert client.xlen(f"{prefix}:p0") == 0
        assert queue.depth() == 1  # partition 1's hit
        assert [letter.body for letter in queue.dead_letters()] == [b"b"]
        assert queue.fetch(0, 500, block_ms=10) == []
        client.close()
    finally:
        queue.close()
        forget(prefix)


def test_dead_letters_keep_the_reason_and_can_be_retried(queue: IngestQueue) -> None:
    queue.append([(0, b'{"broken": true}')])
    [delivery] = queue.fetch(0, 10)
    queue.dead_letter(0, [(delivery, "undecodable message")])
    assert queue.depth() == 0
    assert queue.dead_count() == 1
    [letter] = queue.dead_letters()
    assert (letter.body, letter.reason) == (b'{"broken": true}', "undecodable message")


def test_counters_add_up(queue: IngestQueue) -> None:
    queue.add_counts({"accepted": 3, "excluded:bot": 1})
    queue.add_counts({"accepted": 2})
    assert queue.counts() == {"accepted": 5, "excluded:bot": 1}


def test_an_empty_queue_answers_after_blocking_briefly(queue: IngestQueue) -> None:
    assert queue.fetch(0, 10, block_ms=50) == []
    assert queue.oldest_age() is None


@pytest.fixture
def on_redis() -> Iterator[tuple[RedisStreamQueue, redis.Redis, str]]:
    """A Redis queue of its own, a plain client beside it, and their key prefix."""
    prefix = f"test-{secrets.token_hex(4)}"
    queue = redis_queue(prefix)
    client = redis.Redis.from_url(REDIS_URL)
    yield queue, client, prefix
    client.close()
    queue.close()
    forget(prefix)


@pytest.mark.redis
def test_a_write_on_a_connection_redis_dropped_is_written_once(
    on_redis: tuple[RedisStreamQueue, redis.Redis, str],
) -> None:
    """Redis dropped the pooled connection while the web process was idle: the write goes
    through on a new one, once."""
    queue, client, prefix = on_redis
    queue.append([(0, b"a")])
    queue._redis.client_setname(prefix)  # the pooled connection, named to find it
    [victim] = [c["id"] for c in client.client_list() if c["name"] == prefix]
    client.client_kill_filter(_id=victim)
    queue.append([(0, b"b"), (0, b"c")], {"accepted": 2})
    assert client.xlen(f"{prefix}:p0") == 2  # one entry per write, none twice
    assert [d.body for d in queue.fetch(0, 100)] == [b"a", b"b", b"c"]
    assert queue.depth() == 3
    assert queue.counts() == {"accepted": 2}


@pytest.mark.redis
def test_a_write_redis_refuses_is_an_error_and_the_next_one_works(
    on_redis: tuple[RedisStreamQueue, redis.Redis, str],
) -> None:
    queue, client, prefix = on_redis
    client.set(f"{prefix}:p1", "not a stream")  # XADD fails inside the transaction
    with pytest.raises(QueueUnavailableError, match="WRONGTYPE"):
        queue.append([(1, b"lost")])
    queue.append([(0, b"kept")])  # the connection is still in step with its replies
    assert [d.body for d in queue.fetch(0, 10)] == [b"kept"]


@pytest.mark.redis
def test_entries_of_a_dead_consumer_are_claimed_by_the_next() -> None:
    prefix = f"test-{secrets.token_hex(4)}"
    dead, alive = redis_queue(prefix), redis_queue(prefix)
    alive.consumer = "another-worker"
    try:
        dead.append([(1, b"a"), (1, b"b")])
        assert len(dead.fetch(1, 10)) == 2  # delivered, never acknowledged: the worker died
        assert alive.fetch(1, 10) == []  # pending elsewhere, not offered again...
        assert alive.claim_orphans(1) == 2  # ...until the partition's new owner claims them
        assert [d.body for d in alive.fetch(1, 10)] == [b"a", b"b"]
    finally:
        dead.close()
        alive.close()
        forget(prefix)


@pytest.mark.redis
def test_redis_partition_lock_has_one_owner() -> None:
    prefix = f"test-{secrets.token_hex(4)}"
    one, two = redis_queue(prefix), redis_queue(prefix)
    two.consumer = "other"
    try:
        assert one.lock("p0", 5000)
        assert not two.lock("p0", 5000)
        assert not two.renew("p0", 5000)
        one.unlock("p0")
        assert two.lock("p0", 5000)
    finally:
        one.close()
        two.close()
        forget(prefix)


@pytest.mark.redis
def test_dead_letters_go_back_to_their_partition_on_retry() -> None:
    prefix = f"test-{secrets.token_hex(4)}"
    backend = redis_queue(prefix, partitions=4)
    body = b'{"v": "_id:0123456789abcdef"}'
    try:
        backend.append([(0, body)])
        [delivery] = backend.fetch(0, 10)
        backend.dead_letter(0, [(delivery, "boom")])
        assert backend.retry_dead_letters() == 1
        assert backend.dead_count() == 0
        assert backend.depth() == 1
    finally:
        backend.close()
        forget(prefix)


def test_spool_retry_puts_dead_letters_back(tmp_path: Path) -> None:
    spool = SpoolQueue(tmp_path / "s.sqlite3")
    spool.append([(0, b"x")])
    [delivery] = spool.fetch(0, 1)
    spool.dead_letter(0, [(delivery, "boom")])
    assert spool.retry_dead_letters() == 1
    assert [d.body for d in spool.fetch(0, 10)] == [b"x"]
    spool.close()


def test_idempotency_keys_never_repeat_across_a_fork() -> None:
    import os

    from analytics_server.tracking.messages import new_key

    parent = {new_key() for _ in range(1000)}
    assert len(parent) == 1000
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a forked worker must not reuse the parent's keys
        os.write(write, new_key().encode())
        os._exit(0)
    os.waitpid(pid, 0)
    child = os.read(read, 64).decode()
    os.close(read)
    os.close(write)
    assert child[:16] != next(iter(parent))[:16]


def test_a_resent_hit_with_a_client_request_id_keeps_its_idempotency_key() -> None:
    from datetime import UTC, datetime

    from analytics_server.tracking.messages import hit_key
    from analytics_server.tracking.request import ServerFacts

    facts = ServerFacts("1.2.3.4", "ua", "en", "", datetime.now(UTC), "browser")
    hit = {"idsite": "1", "_id": "0123456789abcdef", "r": "00112233445566aa"}
    assert hit_key(hit, facts) == hit_key(dict(hit), facts)  # resent: the same key
    assert hit_key({**hit, "r": "00112233445566ab"}, facts) != hit_key(hit, facts)
    short = {**hit, "r": "123456"}  # Matomo's tracker: too short to trust, a fresh key each time
    assert hit_key(short, facts) != hit_key(short, facts)
