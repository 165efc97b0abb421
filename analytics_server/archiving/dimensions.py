"""Visit-dimension records (devices, software, locations, languages, users, custom dimensions).

Each is one GROUP BY over the staged visits with Matomo's visit columns per row. Labels of
several columns join raw values with `;` (devices, software) or `|` (locations, as Matomo's
region and city labels); the Reporting API turns codes into names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.sql.elements import ColumnElement

from analytics_server.archiving.metrics import grouped, label, visit_metrics
from analytics_server.archiving.records import Record, Table
from analytics_server.archiving.scope import Scope


@dataclass(frozen=True)
class Dimension:
    record: str
    columns: tuple[str, ...]
    sep: str = ";"
    skip_null: bool = False
    users: bool = True  # count distinct users (one per row of the users report itself)


DIMENSIONS = (
    Dimension("DevicesDetection_getType", ("config_device_type",)),
    Dimension("DevicesDetection_getBrand", ("config_device_brand",)),
    Dimension("DevicesDetection_getModel", ("config_device_brand", "config_device_model")),
    Dimension("DevicesDetection_getOsFamilies", ("config_os",)),
    Dimension("DevicesDetection_getOsVersions", ("config_os", "config_os_version")),
    Dimension("DevicesDetection_getBrowsers", ("config_browser_name",)),
    Dimension(
        "DevicesDetection_getBrowserVersions", ("config_browser_name", "config_browser_version")
    ),
    Dimension("DevicesDetection_getBrowserEngines", ("config_browser_engine",)),
    Dimension("Resolution_getResolution", ("config_resolution",)),
    Dimension(
        "Resolution_getConfiguration", ("config_os", "config_browser_name", "config_resolution")
    ),
    Dimension("UserLanguage_getLanguageCode", ("language",)),
    Dimension("UserLanguage_getLanguage", ("language_family",)),
    Dimension("UserCountry_getCountry", ("location_country",)),
    Dimension("UserCountry_getRegion", ("location_region", "location_country"), sep="|"),
    Dimension(
        "UserCountry_getCity", ("location_city", "location_region", "location_country"), sep="|"
    ),
    Dimension("UserCountry_getNamedLocation", ("location_named",), skip_null=True),
    Dimension("UserId_getUsers", ("user_id",), skip_null=True, users=False),
)


def custom_dimension_record(iddimension: int) -> str:
    return f"CustomDimensions_getCustomDimension_idDimension--{iddimension}"


def dimension_table(
    scope: Scope,
    keys: Sequence[ColumnElement[Any]],
    *,
    sep: str = ";",
    skip_null: bool = False,
    users: bool = True,
) -> Table:
    v = scope.visits
    where = [key.is_not(None) for key in keys] if skip_null else []
    metrics = visit_metrics(v)
    if not users:
        metrics = [m for m in metrics if m.key != "nb_users"]
    table = Table()
    for key, found in grouped(scope, source=v, keys=keys, metrics=metrics, where=where).items():
        table.add(label(*key, sep=sep), found if users else {**found, "nb_users": 1})
    return table


def build(scope: Scope) -> dict[str, Record]:
    v = scope.visits.c
    records: dict[str, Record] = {}
    for dim in DIMENSIONS:
        keys = [v[name] for name in dim.columns]
        records[dim.record] = dimension_table(
            scope, keys, sep=dim.sep, skip_null=dim.skip_null, users=dim.users
        )
    for custom in scope.dimensions("visit"):
        records[custom_dimension_record(custom.iddimension)] = dimension_table(
            scope, [v[custom.column]], skip_null=True
        )
    return records
