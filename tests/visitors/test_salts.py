"""Daily salts: every worker of an installation fingerprints a visitor with the same salt."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from analytics_server.db import make_session_factory
from analytics_server.models import Option
from analytics_server.visitors.service import SaltStore

NOON = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_two_workers_creating_the_same_salt_agree(engine: Engine) -> None:
    factory = make_session_factory(engine)
    with factory() as first, factory() as second:
        if engine.dialect.name != "sqlite":
            # The second worker's snapshot predates the first one's salt: it cannot see it.
            second.scalar(sa.select(sa.func.count()).select_from(Option))
        mine = SaltStore().daily(first, idsite=1, moment=NOON, timezone="UTC")
        first.commit()
        theirs = SaltStore().daily(second, idsite=1, moment=NOON, timezone="UTC")
        second.commit()
    assert theirs == mine


def test_a_salt_of_a_rolled_back_batch_is_forgotten(engine: Engine) -> None:
    factory = make_session_factory(engine)
    salts = SaltStore()
    with factory() as session:
        lost = salts.daily(session, idsite=1, moment=NOON, timezone="UTC")
        session.rollback()
    salts.clear()
    with factory() as session:
        kept = salts.daily(session, idsite=1, moment=NOON, timezone="UTC")
        session.commit()
    with factory() as session:
        assert SaltStore().daily(session, idsite=1, moment=NOON, timezone="UTC") == kept
    assert kept != lost
