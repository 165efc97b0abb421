"""Content records: impressions and interactions by content name (pieces as subtables) and by
piece (names as subtables)."""

from __future__ import annotations

import sqlalchemy as sa

from analytics_server.archiving.metrics import flag, grouped
from analytics_server.archiving.records import Metrics, Record, Table
from analytics_server.archiving.repository import action_names
from analytics_server.archiving.scope import Scope
from analytics_server.models import log as m


def _by(scope: Scope, *columns: str) -> dict[tuple[object, ...], Metrics]:
    a = scope.of_kind(m.HIT_CONTENT)
    interaction = a.c.idaction_content_interaction
    return grouped(
        scope,
        source=a,
        keys=[a.c[c] for c in columns],
        metrics=[
            sa.func.sum(flag(interaction.is_(None))).label("nb_impressions"),
            sa.func.sum(flag(interaction.is_not(None))).label("nb_interactions"),
            sa.func.count(sa.distinct(a.c.idvisit)).label("nb_visits"),
            sa.func.count(sa.distinct(a.c.vkey)).label("nb_uniq_visitors"),
        ],
    )


def build(scope: Scope) -> dict[str, Record]:
    names_found = _by(scope, "idaction_content_name")
    pieces_found = _by(scope, "idaction_content_piece")
    pairs = _by(scope, "idaction_content_name", "idaction_content_piece")
    ids = {k[0] for k in names_found} | {k[0] for k in pieces_found}
    names = action_names(scope.session, ids)

    def text(idaction: object) -> str:
        found = names.get(idaction) if isinstance(idaction, int) else None
        return found.name if found is not None else ""

    by_name, by_piece = Table(), Table()
    for (key,), metrics in names_found.items():
        by_name.add(text(key), metrics)
    for (key,), metrics in pieces_found.items():
        by_piece.add(text(key), metrics)
    for (name, piece), metrics in pairs.items():
        for table, parent, child in ((by_name, name, piece), (by_piece, piece, name)):
            row = table.row(text(parent))
            if row.sub is None:
                row.sub = Table()
            row.sub.add(text(child), metrics)
    return {"Contents_getContentNames": by_name, "Contents_getContentPieces": by_piece}
