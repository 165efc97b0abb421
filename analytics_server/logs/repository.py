"""All queries on the raw log tables used while tracking."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult, Dialect
from sqlalchemy.orm import Session

from analytics_server.kit.dialect import insert_ignore, is_mysql, temporary_table_options
from analytics_server.kit.hashing import crc32
from analytics_server.logs import bulk
from analytics_server.models import (
    IngestKey,
    LogAction,
    LogConversion,
    LogConversionItem,
    LogLinkVisitAction,
    LogVisit,
    Option,
    TrackingFailure,
)

visit_t = cast(sa.Table, LogVisit.__table__)
action_t = cast(sa.Table, LogLinkVisitAction.__table__)
dictionary_t = cast(sa.Table, LogAction.__table__)
conversion_t = cast(sa.Table, LogConversion.__table__)
item_t = cast(sa.Table, LogConversionItem.__table__)


def _insert_id(session: Session, table: sa.Table, values: Mapping[str, Any]) -> int:
    """Insert one row and return its new auto-increment key."""
    result = cast(CursorResult[Any], session.execute(sa.insert(table).values(**values)))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


ActionKey = tuple[int, str]  # (type, name)


class ActionDictionary:
    """Resolves (type, name) to idaction, inserting new names; caches what is committed.

    Ids found or created inside a hit's savepoint only join the shared cache once that hit is
    kept (`keep`), so a rolled-back hit never leaves a dangling id in the cache.
    """

    def __init__(self, max_size: int = 50_000) -> None:
        self._cache: dict[ActionKey, int] = {}
        self._pending: dict[ActionKey, int] = {}
        self._max_size = max_size

    def resolve(
        self, session: Session, action_type: int, name: str, url_prefix: int | None = None
    ) -> int:
        key = (action_type, name)
        found = self._cache.get(key) or self._pending.get(key)
        if found is not None:
            return found
        digest = hashlib.md5(name.encode("utf-8"), usedforsecurity=False).digest()
        lookup = sa.select(dictionary_t.c.idaction).where(
            dictionary_t.c.type == action_type, dictionary_t.c.digest == digest
        )
        idaction = session.scalar(lookup)
        if idaction is None:
            # Another worker may insert the same name at the same moment: the unique key keeps
            # one row, and both read back its id.
            session.execute(
                insert_ignore(dictionary_t, session.get_bind().dialect.name).values(
                    name=name,
                    hash=crc32(name),
                    type=action_type,
                    url_prefix=url_prefix,
                    digest=digest,
                )
            )
            # A locking read sees a row another transaction committed after our snapshot.
            idaction = session.scalar(lookup.with_for_update(read=True))
            if idaction is None:
                raise RuntimeError(f"action {name[:80]!r} vanished right after insert")
        self._pending[key] = int(idaction)
        return int(idaction)

    def keep(self) -> None:
        if len(self._cache) + len(self._pending) > self._max_size:
            self._cache.clear()
        self._cache.update(self._pending)
        self._pending.clear()

    def discard(self) -> None:
        self._pending.clear()

    def forget_all(self) -> None:
        """After a failed batch commit, nothing pending or cached can be trusted."""
        self._cache.clear()
        self._pending.clear()


def _newest_visit(session: Session, *conditions: Any) -> dict[str, Any] | None:
    row = (
        session.execute(
            sa.select(visit_t)
            .where(*conditions)
            .order_by(visit_t.c.visit_last_action_time.desc(), visit_t.c.idvisit.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


@lru_cache(maxsize=8)
def _newest_visits_query(column: str, *, since: bool) -> sa.Select[Any]:
    """Built once: making the ranked subquery's columns cost more than running the query."""
    key_col = visit_t.c[column]
    rank = (
        sa.func.row_number()
        .over(
            partition_by=key_col,
            order_by=(visit_t.c.visit_last_action_time.desc(), visit_t.c.idvisit.desc()),
        )
        .label("rank_")
    )
    conditions = [
        visit_t.c.idsite == sa.bindparam("idsite"),
        key_col.in_(sa.bindparam("keys", expanding=True)),
    ]
    if since:
        conditions.append(visit_t.c.visit_last_action_time >= sa.bindparam("after"))
    ranked = sa.select(visit_t, rank).where(*conditions).subquery()
    return sa.select(*[ranked.c[c.name] for c in visit_t.columns]).where(ranked.c.rank_ == 1)


def newest_visits(
    session: Session,
    *,
    idsite: int,
    column: str,
    keys: Collection[bytes],
    after: datetime | None = None,
) -> dict[bytes, dict[str, Any]]:
    """The newest visit for each of many visitor ids or fingerprints, in one query."""
    if not keys:
        return {}
    params: dict[str, Any] = {"idsite": idsite, "keys": list(keys)}
    if after is not None:
        params["after"] = after
    query = _newest_visits_query(column, since=after is not None)
    rows = session.execute(query, params).mappings()
    return {row[column]: dict(row) for row in rows}


def newest_visit_by_visitor(
    session: Session, *, idsite: int, idvisitor: bytes, before: datetime
) -> dict[str, Any] | None:
    return _newest_visit(
        session,
        visit_t.c.idsite == idsite,
        visit_t.c.idvisitor == idvisitor,
        visit_t.c.visit_last_action_time <= before,
    )


def newest_visit_by_config(
    session: Session,
    *,
    idsite: int,
    config_id: bytes,
    after: datetime,
    before: datetime,
    user_id: str | None,
) -> dict[str, Any] | None:
    conditions = [
        visit_t.c.idsite == idsite,
        visit_t.c.config_id == config_id,
        visit_t.c.visit_last_action_time >= after,
        visit_t.c.visit_last_action_time <= before,
    ]
    if user_id is not None:
        conditions.append(sa.or_(visit_t.c.user_id.is_(None), visit_t.c.user_id == user_id))
    return _newest_visit(session, *conditions)


def insert_visit(session: Session, values: Mapping[str, Any]) -> int:
    return _insert_id(session, visit_t, values)


def _defaults(table: sa.Table) -> dict[str, Any]:
    """Each insertable column with its Python-side default (None when it has none)."""
    values: dict[str, Any] = {}
    for column in table.columns:
        if column.primary_key and column.autoincrement is True:
            continue
        default = column.default
        values[column.name] = getattr(default, "arg", None) if default is not None else None
    return values


_ACTION_DEFAULTS = _defaults(action_t)
_ACTION_SET_DEFAULTS = {c: d for c, d in _ACTION_DEFAULTS.items() if d is not None}
_VISIT_DEFAULTS = _defaults(visit_t)

# Changed columns of existing visits go through this scratch table, then one UPDATE ... JOIN:
# re-sending all ~80 columns of every touched visit was a third of a worker's time on MySQL.


@lru_cache(maxsize=4)
def _changes_table(dialect: Dialect) -> sa.Table:
    return sa.Table(
        "tmp_visit_changes",
        sa.MetaData(),
        *(
            sa.Column(c.name, c.type, primary_key=c.name == "idvisit", autoincrement=False)
            for c in visit_t.columns
        ),
        **temporary_table_options(dialect),
    )


_CHANGES_READY = "analytics.tmp_visit_changes"
# The visit columns an action moves, written together when any of them changed: each of them
# changes only with some hits (a second later or not, an exit page or not), and the batch's
# updates came in eight shapes, each three statements (fill, update, clear). The tracker alone
# writes these columns, so writing one unchanged costs nothing and undoes nobody's change.
_ACTION_COLUMNS = frozenset(
    (
        "visit_exit_idaction_name",
        "visit_exit_idaction_url",
        "visit_last_action_time",
        "visit_total_actions",
        "visit_total_interactions",
        "visit_total_time",
    )
)


@lru_cache(maxsize=256)
def _visit_update(columns: tuple[str, ...], dialect: Dialect) -> Any:
    """UPDATE ... JOIN the scratch table (MySQL)."""
    changes = _changes_table(dialect)
    return (
        sa.update(visit_t)
        .where(visit_t.c.idvisit == changes.c.idvisit)
        .values({c: changes.c[c] for c in columns})
    )


def _insert_visits(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert new visits and set their `idvisit`; one statement where the database returns ids."""
    dialect = session.get_bind().dialect
    if len(rows) == 1 or not dialect.insert_executemany_returning_sort_by_parameter_order:
        for row in rows:  # MySQL has no INSERT ... RETURNING
            row["idvisit"] = insert_visit(session, row)
        return
    # Only the columns with a value, or whose default is not NULL: a new visit leaves half of
    # its ~90 columns NULL, and escaping them was a third of the insert's time. Rows of one
    # shape go in one statement; a batch has few shapes.
    shapes: dict[frozenset[str], tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for row in rows:
        values = {}
        for column, default in _VISIT_DEFAULTS.items():
            value = row.get(column, default)
            if value is not None or default is not None:
                values[column] = value
        targets, params = shapes.setdefault(frozenset(values), ([], []))
        targets.append(row)
        params.append(values)
    for shape, (targets, params) in shapes.items():
        ids = bulk.insert_returning_ids(session, visit_t, sorted(shape), params)
        for row, idvisit in zip(targets, ids, strict=True):
            row["idvisit"] = idvisit


def _update_visits(session: Session, changed: list[tuple[dict[str, Any], set[str]]]) -> None:
    """Write the changed columns of existing visits: one statement per set of changed columns
    (a row's other columns may not be loaded, so a row never writes a column it did not
    change; a batch has few such shapes)."""
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row, names in changed:
        shapes.setdefault(tuple(sorted(names)), []).append(row)
    for columns, rows in shapes.items():
        _update_shape(session, columns, rows)


def _update_shape(session: Session, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    dialect = session.get_bind().dialect
    if not is_mysql(dialect):  # SQLite: executemany of UPDATEs runs in-process
        bulk.update_rows(session, visit_t, key="idvisit", columns=columns, rows=rows)
        return
    stmt = _visit_update(columns, dialect)
    changes = _changes_table(dialect)
    conn = session.connection()
    if not conn.info.get(_CHANGES_READY):
        conn.execute(sa.schema.CreateTable(changes, if_not_exists=True))
        conn.info[_CHANGES_READY] = True
    # Aria is not transactional: whatever a failed batch left in the table goes first.
    conn.execute(sa.delete(changes))
    bulk.insert_rows(session, changes, ("idvisit", *columns), rows)
    conn.execute(stmt)


class PendingWrites:
    """Rows a batch writes at its end in a few bulk statements instead of one per hit.

    Visits opened by the batch are inserted whole (their ids are needed only then, or earlier
    through `visit_id`); visits that existed get only the columns the batch changed.
    """

    def __init__(self) -> None:
        self.actions: list[tuple[dict[str, Any], Mapping[str, Any]]] = []
        self.new_visits: list[dict[str, Any]] = []
        self.visits: dict[int, tuple[dict[str, Any], set[str]]] = {}

    def add_visit(self, row: dict[str, Any]) -> None:
        """A new visit, inserted with the next write that needs visit ids."""
        row["idvisit"] = None
        self.new_visits.append(row)

    def visit_id(self, session: Session, row: dict[str, Any]) -> int:
        """The row's idvisit, inserting the pending new visits first when it has none yet."""
        if row["idvisit"] is None:
            self.insert_visits(session)
        return int(row["idvisit"])

    def insert_visits(self, session: Session) -> None:
        if self.new_visits:
            rows, self.new_visits = self.new_visits, []
            _insert_visits(session, rows)

    def add_action(self, values: Mapping[str, Any], *, visit: Mapping[str, Any]) -> None:
        """An action row; its idvisit is taken from `visit` when the rows are written."""
        # Only the columns that have a value: rows of one kind share a shape (see flush).
        row = dict(_ACTION_SET_DEFAULTS)
        row.update({k: v for k, v in values.items() if v is not None and k in _ACTION_DEFAULTS})
        self.actions.append((row, visit))

    def touch_visit(self, row: dict[str, Any], changed: Iterable[str]) -> None:
        """Remember the columns a hit changed in a visit row (a live dict, saved at the end)."""
        if row["idvisit"] is None:
            return  # a new visit, inserted whole
        columns = set(changed)
        if not columns.isdisjoint(_ACTION_COLUMNS) and _ACTION_COLUMNS.issubset(row):
            columns |= _ACTION_COLUMNS
        entry = self.visits.get(row["idvisit"])
        if entry is None:
            self.visits[row["idvisit"]] = (row, columns)
        else:
            entry[1].update(columns)

    def flush_actions(self, session: Session) -> None:
        """One multi-row INSERT per row shape: page views, events... carry few of the columns,
        and escaping the unused ones cost a quarter of a worker's time."""
        self.insert_visits(session)
        shapes: dict[frozenset[str], list[dict[str, Any]]] = {}
        for row, visit in self.actions:
            row["idvisit"] = visit["idvisit"]
            shapes.setdefault(frozenset(row), []).append(row)
        for shape, rows in shapes.items():
            bulk.insert_rows(session, action_t, sorted(shape), rows)
        self.actions = []

    def flush(self, session: Session) -> None:
        self.flush_actions(session)
        changed = [(row, cols) for row, cols in self.visits.values() if cols]
        if changed:
            _update_visits(session, changed)
        self.visits = {}


def update_pageview(
    session: Session, *, idvisit: int, idpageview: str, values: Mapping[str, Any]
) -> None:
    """Fill columns of a visit's page view by its page-view id (heartbeat performance data)."""
    session.execute(
        sa.update(action_t)
        .where(action_t.c.idvisit == idvisit, action_t.c.idpageview == idpageview)
        .values(**values)
    )


def conversion_exists(session: Session, *, idvisit: int, idgoal: int) -> bool:
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(conversion_t)
            .where(conversion_t.c.idvisit == idvisit, conversion_t.c.idgoal == idgoal)
        )
        or 0
    ) > 0


def order_exists(session: Session, *, idsite: int, idorder: str) -> bool:
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(conversion_t)
            .where(conversion_t.c.idsite == idsite, conversion_t.c.idorder == idorder)
        )
        or 0
    ) > 0


def insert_conversion(session: Session, values: Mapping[str, Any]) -> None:
    session.execute(sa.insert(conversion_t).values(**values))


def replace_cart(
    session: Session,
    *,
    idvisit: int,
    conversion: Mapping[str, Any] | None,
    items: Iterable[Mapping[str, Any]],
) -> None:
    """The open cart of a visit: one conversion row (idgoal -1) and items with idorder '0'."""
    session.execute(
        sa.delete(conversion_t).where(
            conversion_t.c.idvisit == idvisit, conversion_t.c.idgoal == -1
        )
    )
    session.execute(sa.delete(item_t).where(item_t.c.idvisit == idvisit, item_t.c.idorder == "0"))
    if conversion is not None:
        session.execute(sa.insert(conversion_t).values(**conversion))
    rows = list(items)
    if rows:
        session.execute(sa.insert(item_t), rows)


def insert_items(session: Session, rows: Iterable[Mapping[str, Any]]) -> None:
    batch = list(rows)
    if batch:
        session.execute(sa.insert(item_t), batch)


def get_option(session: Session, name: str) -> str | None:
    return session.scalar(sa.select(Option.value).where(Option.name == name))


def set_option(session: Session, name: str, value: str) -> None:
    session.merge(Option(name=name, value=value))
    session.flush()


def add_option(session: Session, name: str, value: str) -> str:
    """Store `value` unless the option exists; returns the stored value, ours or the one
    another worker wrote first (two workers create each day's salt at the same moment)."""
    table = cast(sa.Table, Option.__table__)
    dialect = session.get_bind().dialect.name
    session.execute(insert_ignore(table, dialect).values(name=name, value=value))
    # A locking read sees a row another transaction committed after our snapshot.
    lookup = sa.select(table.c.value).where(table.c.name == name).with_for_update(read=True)
    stored = session.scalar(lookup)
    return value if stored is None else str(stored)


def prune_ingest_keys(session: Session, *, older_than: datetime, limit: int = 50_000) -> int:
    """Forget idempotency keys of hits processed long ago (no redelivery comes that late)."""
    table = cast(sa.Table, IngestKey.__table__)
    keys = list(
        session.scalars(
            sa.select(table.c.key).where(table.c.processed_at < older_than).limit(limit)
        )
    )
    if keys:
        session.execute(sa.delete(table).where(table.c.key.in_(keys)))
    return len(keys)


def prune_failures(session: Session, *, older_than: datetime) -> int:
    table = cast(sa.Table, TrackingFailure.__table__)
    result = cast(
        CursorResult[Any],
        session.execute(sa.delete(table).where(table.c.date_first_seen < older_than)),
    )
    return int(result.rowcount or 0)
