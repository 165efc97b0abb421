"""The report schedule tables: the migration matches the models and can be undone."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from analytics_server.db import create_db_engine, upgrade_schema
from analytics_server.models import Base

ROOT = Path(__file__).resolve().parents[2]
TABLES = {"report_schedule", "report_sending"}


def _touches_ours(diff: object) -> bool:
    text = repr(diff)
    return any(f"'{name}'" in text or f"table_name='{name}'" in text for name in TABLES)


def test_migration_matches_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diffs if _touches_ours(d)] == []


def test_migration_downgrades_and_upgrades_again(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    upgrade_schema(engine)
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
    assert not TABLES & set(sa.inspect(engine).get_table_names())
    upgrade_schema(engine)
    assert set(sa.inspect(engine).get_table_names()) >= TABLES
    engine.dispose()
