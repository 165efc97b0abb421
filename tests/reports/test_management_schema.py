"""The annotation table: migration 0004 matches the model and can be undone, on each backend."""

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


def _touches_annotation(diff: object) -> bool:
    return "'annotation'" in repr(diff)


def test_migration_matches_the_model(engine: Engine) -> None:
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diffs if _touches_annotation(d)] == []
    columns = {c["name"] for c in sa.inspect(engine).get_columns("annotation")}
    assert columns == {"idnote", "idsite", "date", "note", "starred", "login", "ts_created"}
    indexes = {i["name"] for i in sa.inspect(engine).get_indexes("annotation")}
    assert "ix_annotation_site_date" in indexes


def test_migration_downgrades_and_upgrades_again(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    upgrade_schema(engine)
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    assert "annotation" not in sa.inspect(engine).get_table_names()
    upgrade_schema(engine)
    assert "annotation" in sa.inspect(engine).get_table_names()
    engine.dispose()
