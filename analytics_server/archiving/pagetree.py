"""Page URLs and titles as folder trees, the way Matomo's Actions reports nest them.

`kb.example.com/docs/setup/install?x=1` becomes folder `docs` > folder `setup` > page
`/install?x=1`; `example.com/` is page `/index`. Titles split on `/`. At most ten levels; deeper
parts stay in the page label.
"""

from __future__ import annotations

from collections.abc import Mapping

from analytics_server.archiving.records import Number, Row, Table

MAX_DEPTH = 10
TITLE_DELIMITER = "/"


def url_parts(name: str) -> list[str]:
    """Folders, then the page label, of a stored URL name (its prefix already removed)."""
    rest = name
    if "://" in rest:
        rest = rest.split("://", 1)[1]
    if not rest.startswith("/"):
        slash = rest.find("/")
        rest = "/" if slash < 0 else rest[slash:]
    path, mark, query = rest.partition("?")
    pieces = path.split("/")[1:]
    folders, page = pieces[:-1], pieces[-1] if pieces else ""
    folders = [f for f in folders if f]
    if len(folders) > MAX_DEPTH - 1:
        page = "/".join([*folders[MAX_DEPTH - 1 :], page])
        folders = folders[: MAX_DEPTH - 1]
    return [*folders, "/" + (page or "index") + mark + query]


def title_parts(name: str) -> list[str]:
    parts = [part.strip() for part in name.split(TITLE_DELIMITER)]
    parts = [part for part in parts if part] or [name.strip()]
    if len(parts) > MAX_DEPTH:
        parts = [*parts[: MAX_DEPTH - 1], f" {TITLE_DELIMITER} ".join(parts[MAX_DEPTH - 1 :])]
    return parts


def add_path(
    table: Table,
    parts: list[str],
    metrics: Mapping[str, Number],
    meta: dict[str, str] | None = None,
) -> Row:
    """Add a leaf at `parts`; every folder on the way gets the metrics added too."""
    current = table
    for folder in parts[:-1]:
        row = current.add(folder, metrics)
        if row.sub is None:
            row.sub = Table()
        current = row.sub
    return current.add(parts[-1], metrics, meta)


def flatten(table: Table, sep: str = "/") -> Table:
    """One row per leaf, labels of the folders joined (Matomo's `flat=1`)."""
    flat = Table()

    def walk(node: Table, prefix: str) -> None:
        for label, row in node.rows.items():
            full = f"{prefix}{sep}{label}" if prefix else label
            if row.sub is None:
                flat.add(full.replace("//", "/"), row.metrics, row.meta)
            else:
                walk(row.sub, full)

    walk(table, "")
    return flat
