"""A day's records from the raw logs, on one connection or, on MySQL, on two at once.

The visit side (visit, dimension, referrer and goal records, entries and exits) reads only the
staged visits; the action side (hits, time on page, load times, events, contents) only the
staged actions. On MySQL each side stages its own half on its own connection and both run at
the same time; SQLite, a single writer in one file, runs them one after the other.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from analytics_server.archiving import actions, registry, repository
from analytics_server.archiving.records import Record
from analytics_server.archiving.scope import Scope, stage, unstage
from analytics_server.kit.dialect import is_mysql, prepare_archiving_session
from analytics_server.kit.periods import day_bounds_utc
from analytics_server.sites.service import SiteConfig

PARALLEL = True  # two connections per day on MySQL


def _run(scope: Scope, builders: tuple[tuple[str, registry.Builder], ...]) -> dict[str, Record]:
    records: dict[str, Record] = {}
    for _, build in builders:
        records.update(build(scope))
    return records


def _visit_side(scope: Scope) -> tuple[dict[str, Record], actions.VisitPart]:
    return _run(scope, registry.VISIT_BUILDERS), actions.visit_part(scope)


def _action_side(scope: Scope) -> tuple[dict[str, Record], actions.ActionPart]:
    return _run(scope, registry.ACTION_BUILDERS), actions.action_part(scope)


def _action_side_apart(
    factory: sessionmaker[Session], site: SiteConfig, day: date, segment: Any
) -> tuple[dict[str, Record], actions.ActionPart]:
    """The action side on a connection of its own."""
    with factory() as session:
        prepare_archiving_session(session)
        scope = stage(session, site=site, day=day, segment=segment, visits=False)
        try:
            return _action_side(scope)
        finally:
            unstage(session, scope)
            session.rollback()


def _together(
    session: Session, site: SiteConfig, day: date, segment: ColumnElement[bool] | None
) -> dict[str, Record]:
    scope = stage(session, site=site, day=day, segment=segment)
    try:
        found, visit_part = _visit_side(scope)
        more, action_part = _action_side(scope)
    finally:
        unstage(session, scope)
    return {**found, **more, **actions.combine(session, visit_part, action_part)}


def _apart(
    session: Session, site: SiteConfig, day: date, segment: ColumnElement[bool] | None
) -> dict[str, Record]:
    factory = sessionmaker(bind=session.get_bind())
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive-actions") as pool:
        other = pool.submit(_action_side_apart, factory, site, day, segment)
        scope = stage(session, site=site, day=day, segment=segment, actions=False)
        try:
            found, visit_part = _visit_side(scope)
        finally:
            unstage(session, scope)
        more, action_part = other.result()
    return {**found, **more, **actions.combine(session, visit_part, action_part)}


def compute_day(
    session: Session, *, site: SiteConfig, day: date, segment: ColumnElement[bool] | None
) -> dict[str, Record]:
    """All records of one day (nothing stored); call at the start of a transaction."""
    start, end = day_bounds_utc(day, site.timezone)
    prepare_archiving_session(session)
    if not repository.has_traffic(session, idsite=site.idsite, start=start, end=end):
        return {}
    bind = session.get_bind()
    # A second connection needs an engine to take it from (not a session on one connection).
    parallel = PARALLEL and is_mysql(bind.dialect) and isinstance(bind, Engine)
    records = (_apart if parallel else _together)(session, site, day, segment)
    return registry.finalize(records)
