"""A batch of hits stores exactly what the same hits store when processed one at a time.

The worker defers work to the end of a batch (new visits inserted together, changed visit
columns written together, action rows in bulk); these tests hold it to the hit-by-hit result.
"""

from __future__ import annotations

import gc
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from analytics_server.config import Settings
from analytics_server.db import make_session_factory
from analytics_server.sites import service as sites_service
from analytics_server.tracking import messages
from analytics_server.tracking.context import TrackerContext
from analytics_server.tracking.processor import BatchProcessor
from analytics_server.tracking.queue import Delivery
from analytics_server.tracking.request import ServerFacts
from tests.conftest import FakeClock
from tests.factories import actions, conversions, create_site, items, visits
from tests.tracking.helpers import js_hit

START = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
CART = json.dumps([["SKU-1", "Cement", "Building", 9.5, 2], ["SKU-2", "Sand", "", 3, 1]])
ORDER = json.dumps([["SKU-1", "Cement", ["Building", "Dry"], 9.5, 2]])
A, B, C, D, E = (f"{n:016x}" for n in (0xA, 0xB, 0xC, 0xD, 0xE))


def _hits() -> list[tuple[int, str, dict[str, str]]]:
    """(seconds after START, client IP, parameters without idsite) of a mixed day."""
    page = "https://portal.example.com"
    late = int((START - timedelta(hours=2)).timestamp())
    return [
        (0, "198.51.100.1", {"_id": A, "url": f"{page}/docs/1", "pv_id": "aaa001"}),
        (1, "198.51.100.2", {"_id": B, "url": f"{page}/pricing", "pv_id": "bbb001"}),
        (2, "198.51.100.5", {"_id": E, "uid": "erin@example.com", "url": f"{page}/a"}),
        (3, "198.51.100.4", {"_id": D, "url": f"{page}/?pk_campaign=spring&pk_kwd=k1"}),
        (5, "198.51.100.1", {"_id": A, "url": f"{page}/docs/2", "pv_id": "aaa002"}),
        (6, "198.51.100.3", {"_id": C, "idgoal": "0", "revenue": "22", "ec_items": CART}),
        (7, "198.51.100.9", {"_id": "", "url": f"{page}/nocookie/1"}),
        (8, "198.51.100.9", {"_id": "", "url": f"{page}/nocookie/2"}),
        (10, "198.51.100.3", {"_id": C, "idgoal": "0", "ec_id": "A-1", "ec_items": ORDER}),
        (12, "198.51.100.2", {"_id": B, "download": f"{page}/setup.zip"}),
        (15, "198.51.100.4", {"_id": D, "url": f"{page}/?pk_campaign=summer"}),
        (20, "198.51.100.1", {"_id": A, "ping": "1", "pv_id": "aaa002", "pf_srv": "120"}),
        (25, "198.51.100.1", {"_id": A, "cdt": str(late), "url": f"{page}/docs/late"}),
        (30, "198.51.100.1", {"_id": A, "idgoal": "3", "revenue": "7"}),
        (31, "198.51.100.5", {"_id": E, "uid": "erin@example.com", "e_c": "Video", "e_a": "Play"}),
        (40, "198.51.100.2", {"_id": B, "search": "cement", "search_cat": "shop"}),
    ]


def _deliveries(idsite: int) -> list[Delivery]:
    result = []
    for n, (seconds, ip, params) in enumerate(_hits()):
        facts = ServerFacts(
            ip=ip,
            user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
            accept_language="en",
            referer_header="",
            received_at=START + timedelta(seconds=seconds),
            source="browser",
        )
        hit = {k: v for k, v in js_hit(idsite, **params).items() if v != ""}
        body = messages.encode(kind=messages.KIND_HIT, params=hit, facts=facts)
        result.append(Delivery(str(n), body, 0.0))
    return result


def _site(db: Session) -> int:
    site = create_site(db, ecommerce=True)
    add = sites_service.add_goal
    add(db, idsite=site.idsite, name="Pricing", match_attribute="url", pattern="/pricing")
    add(db, idsite=site.idsite, name="Zip", match_attribute="file", pattern=".zip")
    add(db, idsite=site.idsite, name="Registration", revenue=5)
    db.commit()
    return site.idsite


def _stored(db: Session, idsite: int) -> dict[str, list[dict[str, Any]]]:
    """The site's rows with database ids replaced by their order (salts differ per site)."""
    own = [v for v in visits(db) if v["idsite"] == idsite]
    ordinal = {v["idvisit"]: n for n, v in enumerate(own)}
    visitor: dict[bytes, int] = {}  # a visitor without a cookie gets a random id
    for v in own:
        visitor.setdefault(v["idvisitor"], len(visitor))
    drop = {"idsite", "idvisit", "idvisitor", "idlink_va", "config_id", "buster"}

    def norm(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {
                "visit": ordinal[r["idvisit"]],
                "visitor": visitor.get(r.get("idvisitor", b"")),
                **{k: v for k, v in r.items() if k not in drop},
            }
            for r in rows
            if r["idsite"] == idsite
        ]

    return {
        "visits": norm(own),
        "actions": sorted(norm(actions(db)), key=repr),
        "conversions": sorted(norm(conversions(db)), key=repr),
        "items": sorted(norm(items(db)), key=repr),
    }


def test_one_batch_stores_what_hit_by_hit_processing_stores(
    engine: Engine, settings: Settings, db: Session
) -> None:
    clock = FakeClock(START + timedelta(minutes=5))
    ctx = TrackerContext.from_settings(settings, clock=clock)
    batched, one_by_one = _site(db), _site(db)

    result = BatchProcessor(make_session_factory(engine), ctx).process(_deliveries(batched))
    assert (result.stored, result.rejected, result.poison) == (len(_hits()), 0, [])
    single = BatchProcessor(make_session_factory(engine), ctx)
    for delivery in _deliveries(one_by_one):
        assert single.process([delivery]).stored == 1

    expected = _stored(db, one_by_one)
    assert len(expected["visits"]) >= 6  # new visits mid-batch: campaign change, late hit
    assert expected["conversions"]
    assert expected["items"]
    assert _stored(db, batched) == expected


def test_a_batch_continues_visits_written_by_the_previous_one(
    engine: Engine, settings: Settings, db: Session
) -> None:
    clock = FakeClock(START + timedelta(minutes=5))
    ctx = TrackerContext.from_settings(settings, clock=clock)
    in_two, one_by_one = _site(db), _site(db)

    processor = BatchProcessor(make_session_factory(engine), ctx)
    first, second = _deliveries(in_two)[:7], _deliveries(in_two)[7:]
    assert processor.process(first).stored + processor.process(second).stored == len(_hits())
    single = BatchProcessor(make_session_factory(engine), ctx)
    for delivery in _deliveries(one_by_one):
        single.process([delivery])

    assert _stored(db, in_two) == _stored(db, one_by_one)


def test_the_cyclic_collector_is_paused_during_a_batch_only(
    engine: Engine, settings: Settings, db: Session
) -> None:
    seen: list[bool] = []

    class Clock(FakeClock):
        def __call__(self) -> datetime:
            seen.append(gc.isenabled())
            return super().__call__()

    ctx = TrackerContext.from_settings(settings, clock=Clock(START + timedelta(minutes=5)))
    processor = BatchProcessor(make_session_factory(engine), ctx)
    processor.process(_deliveries(_site(db))[:3])
    assert seen
    assert not any(seen)
    assert gc.isenabled()

    gc.disable()  # a process that runs without it keeps it off
    try:
        processor.process(_deliveries(_site(db))[:3])
        assert not gc.isenabled()
    finally:
        gc.enable()
