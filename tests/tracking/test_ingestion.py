"""Accepted hits reach the raw logs through the queue exactly once, whatever goes wrong."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.app import create_app
from analytics_server.cli.main import main
from analytics_server.config import Settings, get_settings
from analytics_server.db import create_db_engine, make_session_factory
from analytics_server.models import IngestKey, LogLinkVisitAction, TrackingFailure
from analytics_server.tracking import messages
from analytics_server.tracking.context import TrackerContext
from analytics_server.tracking.processor import BatchProcessor, DatabaseUnavailableError
from analytics_server.tracking.queue import Delivery
from analytics_server.tracking.request import ServerFacts
from tests.conftest import FakeClock, make_app
from tests.factories import actions, count, create_site, failures, visits
from tests.tracking.helpers import js_hit, send
from tests.tracking.test_queue_backends import forget, redis_queue


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def delivery(idsite: int, token: str = "1", **params: str) -> Delivery:
    facts = ServerFacts(
        ip="198.51.100.1",
        user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
        accept_language="en",
        referer_header="",
        received_at=datetime(2026, 3, 10, 12, 0, tzinfo=UTC),
        source="browser",
    )
    body = messages.encode(kind=messages.KIND_HIT, params=js_hit(idsite, **params), facts=facts)
    return Delivery(token, body, 0.0)


def processor(engine: Engine, settings: Settings, clock: FakeClock) -> BatchProcessor:
    ctx = TrackerContext.from_settings(settings, clock=clock)
    return BatchProcessor(make_session_factory(engine), ctx)


def test_a_batch_delivered_twice_is_counted_once(
    engine: Engine, settings: Settings, clock: FakeClock, db: Session
) -> None:
    site = create_site(db)
    batch = [delivery(site.idsite, str(i), url=f"https://portal.example.com/{i}") for i in range(5)]
    first = processor(engine, settings, clock).process(batch)
    assert (first.stored, first.duplicates, len(first.done)) == (5, 0, 5)
    again = processor(engine, settings, clock).process(batch)  # e.g. the worker died before ack
    assert (again.stored, again.duplicates, len(again.done)) == (0, 5, 5)
    assert count(db, LogLinkVisitAction) == 5
    assert count(db, IngestKey) == 5


def test_a_poison_hit_is_dead_lettered_and_the_rest_stored(
    engine: Engine, settings: Settings, clock: FakeClock, db: Session
) -> None:
    site = create_site(db)
    good = delivery(site.idsite, "1")
    bad_key = Delivery("2", delivery(site.idsite).body.replace(b'"k":"', b'"k":"zz'), 0.0)
    undecodable = Delivery("3", b"\xff not json", 0.0)
    result = processor(engine, settings, clock).process([good, bad_key, undecodable])
    assert result.done == ["1"]
    assert sorted(d.token for d, _ in result.poison) == ["2", "3"]
    assert any("undecodable" in reason for _, reason in result.poison)
    assert count(db, LogLinkVisitAction) == 1


def test_a_hit_rejected_by_the_worker_is_listed_not_lost(
    engine: Engine, settings: Settings, clock: FakeClock, db: Session
) -> None:
    result = processor(engine, settings, clock).process([delivery(idsite=4242)])
    assert (result.rejected, result.done) == (1, ["1"])
    assert "4242" in failures(db)[0].reason


def test_database_down_keeps_the_batch_for_later(settings: Settings, clock: FakeClock) -> None:
    unreachable = create_db_engine("mysql+pymysql://root@127.0.0.1:1/nothing")
    with pytest.raises(DatabaseUnavailableError):
        processor(unreachable, settings, clock).process([delivery(1)])


def test_embedded_server_processes_in_the_background(
    engine: Engine, settings: Settings, clock: FakeClock, db: Session
) -> None:
    settings.ingest.inline = False
    settings.ingest.consumer = "thread"  # shares this test's engine and clock
    site = create_site(db)
    with make_app(engine, settings, clock) as client:
        for i in range(20):
            assert (
                send(client, js_hit(site.idsite, url=f"https://p.example/{i}")).status_code == 204
            )
        wait_for(lambda: count(db, LogLinkVisitAction) == 20)
        queue = client.app.state.ingest.queue  # type: ignore[attr-defined]
        # Counters are written just after the commit, and with the next queue write (or within
        # a second) on the endpoint side.
        wait_for(lambda: queue.counts().get("processed") == 20)
        wait_for(lambda: queue.counts().get("accepted") == 20)
        metrics = client.get("/metrics").text
    assert 'analytics_ingest_hits_total{stage="accepted"} 20' in metrics
    assert 'analytics_ingest_hits_total{stage="processed"} 20' in metrics
    assert "analytics_ingest_queue_depth 0" in metrics


def test_hits_queued_when_the_server_stopped_are_processed_at_the_next_start(
    engine: Engine, settings: Settings, clock: FakeClock, db: Session
) -> None:
    settings.ingest.inline = False
    settings.ingest.consume_in_process = False  # a server that accepts but has no consumer yet
    site = create_site(db)
    with make_app(engine, settings, clock) as client:
        send(client, js_hit(site.idsite))
        assert client.app.state.ingest.queue.depth() == 1  # type: ignore[attr-defined]
    settings.ingest.consume_in_process = True
    settings.ingest.consumer = "thread"
    with make_app(engine, settings, clock):
        wait_for(lambda: len(visits(db)) == 1)


def use_redis(settings: Settings) -> None:
    """Queue in Redis under a prefix of the test's own (`forget` it afterwards)."""
    settings.ingest.backend = "redis"
    settings.ingest.redis_prefix = f"test-{secrets.token_hex(4)}"
    redis_queue(settings.ingest.redis_prefix).close()  # skips when Redis is absent


@pytest.mark.redis
def test_redis_backend_end_to_end(
    engine: Engine, settings: Settings, clock: FakeClock, db: Session
) -> None:
    use_redis(settings)
    site = create_site(db)
    try:
        with make_app(engine, settings, clock) as client:
            for path in ("/a", "/b", "/c"):
                send(client, js_hit(site.idsite, url=f"https://portal.example.com{path}"))
                clock.advance(seconds=10)
        [visit] = visits(db)
        assert visit["visit_total_actions"] == 3
    finally:
        forget(settings.ingest.redis_prefix)


def test_queue_unreachable_answers_503_and_stores_nothing(
    engine: Engine, settings: Settings, clock: FakeClock, db: Session
) -> None:
    settings.ingest.backend = "redis"
    settings.ingest.redis_url = "redis://127.0.0.1:1/0"
    site = create_site(db)
    with make_app(engine, settings, clock) as client:
        browser = send(client, js_hit(site.idsite))
        hit = js_hit(site.idsite)
        del hit["send_image"]
        sdk = send(client, hit)
    assert browser.status_code == 503  # the JS tracker keeps the hit and retries
    assert sdk.status_code == 503
    assert actions(db) == []


@pytest.mark.parametrize("backend", ["embedded", pytest.param("redis", marks=pytest.mark.redis)])
def test_a_full_queue_answers_503_until_the_workers_catch_up(
    engine: Engine, settings: Settings, clock: FakeClock, db: Session, backend: str
) -> None:
    settings.ingest.inline = False
    settings.ingest.consume_in_process = False  # the workers are stopped
    settings.ingest.max_queued_hits = 3
    if backend == "redis":
        use_redis(settings)
    site = create_site(db)
    try:
        with make_app(engine, settings, clock) as client:
            ingest = client.app.state.ingest  # type: ignore[attr-defined]
            answers = [
                send(client, js_hit(site.idsite, url=f"https://p.example/{i}")).status_code
                for i in range(5)
            ]
            bulk = client.post(
                "/matomo.php",
                json={"requests": [f"?idsite={site.idsite}&rec=1&url=https://p.example/b"] * 2},
            )
            assert ingest.queue.depth() == 3
            wait_for(lambda: ingest.queue.counts().get("refused:queue_full") == 4)
            metrics = client.get("/metrics").text
            ingest.drain_now()  # the workers are back and empty the queue
            after = send(client, js_hit(site.idsite, url="https://p.example/after"))
            ingest.drain_now()
        assert answers == [204, 204, 204, 503, 503]  # the tracker keeps the last two, retries
        assert bulk.status_code == 503
        assert "analytics_ingest_queue_limit 3" in metrics
        assert 'analytics_ingest_refused_total{reason="queue_full"} 4' in metrics
        assert after.status_code == 204
        assert count(db, LogLinkVisitAction) == 4
    finally:
        if backend == "redis":
            forget(settings.ingest.redis_prefix)


def test_queue_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANALYTICS_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        settings = get_settings()
        app = create_app(settings, engine=create_db_engine(f"sqlite:///{tmp_path}/x.sqlite3"))
        queue = app.state.ingest.queue
        queue.append([(0, b"garbage")])
        [item] = queue.fetch(0, 1)
        queue.dead_letter(0, [(item, "undecodable message: bad")])
        assert main(["queue", "status"]) == 0
        out = capsys.readouterr().out
        assert "queued hits:      0 (limit: none)" in out
        assert "dead letters:     1" in out
        assert main(["queue", "dead"]) == 0
        assert "undecodable message" in capsys.readouterr().out
        assert main(["queue", "retry"]) == 0
        assert "1 dead-lettered hits put back" in capsys.readouterr().out
        assert queue.depth() == 1
        app.state.ingest.stop()
    finally:
        get_settings.cache_clear()


def test_failure_messages_travel_through_the_queue(client: TestClient, db: Session) -> None:
    send(client, js_hit(idsite=31337))
    assert [f.idsite for f in failures(db)] == [31337]
    assert count(db, TrackingFailure) == 1


def test_old_idempotency_keys_and_failures_are_pruned(
    engine: Engine, settings: Settings, clock: FakeClock, db: Session
) -> None:
    site = create_site(db)
    worker = processor(engine, settings, clock)
    worker.process([delivery(site.idsite, "1"), delivery(idsite=999, token="2")])
    assert (count(db, IngestKey), count(db, TrackingFailure)) == (2, 1)
    clock.advance(days=8)
    worker.process([delivery(site.idsite, "3")])
    assert count(db, IngestKey) == 1  # a week later nothing old can come back twice
    assert count(db, TrackingFailure) == 1  # failures are kept for 30 days
    clock.advance(days=30)
    worker.process([delivery(site.idsite, "4")])
    assert count(db, TrackingFailure) == 0
