"""Every table: the migrations build exactly what the models declare, on SQLite and MariaDB,
and every migration can be undone and done again."""

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

ROOT = Path(__file__).resolve().parents[1]


def test_the_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []


def test_every_migration_downgrades_and_upgrades_again(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    upgrade_schema(engine)
    tables = set(sa.inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade_schema(engine)
    assert set(sa.inspect(engine).get_table_names()) == tables
    engine.dispose()
