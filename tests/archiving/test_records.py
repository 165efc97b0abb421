"""Records in memory: summing over periods, cutting to a row limit, storage, folder trees."""

from __future__ import annotations

from decimal import Decimal

import pytest

from analytics_server.archiving.pagetree import add_path, flatten, title_parts, url_parts
from analytics_server.archiving.records import (
    OTHERS,
    Table,
    decode,
    encode,
    merge_records,
    number,
    truncate,
)


def table(**rows: dict[str, float]) -> Table:
    found = Table()
    for label, metrics in rows.items():
        found.add(label, metrics)
    return found


def test_sum_min_max_and_daily_uniques() -> None:
    monday = table(
        de={"nb_visits": 2, "nb_uniq_visitors": 1, "max_actions": 4, "min_time_server": 50}
    )
    tuesday = table(
        de={"nb_visits": 1, "nb_uniq_visitors": 1, "max_actions": 2, "min_time_server": 20}
    )
    tuesday.add("fr", {"nb_visits": 1, "nb_uniq_visitors": 1})
    merged = merge_records([monday, tuesday], summed_daily=True)
    assert isinstance(merged, Table)
    assert merged.rows["de"].metrics == {
        "nb_visits": 3,
        "sum_daily_nb_uniq_visitors": 2,
        "max_actions": 4,
        "min_time_server": 20,
    }
    assert list(merged.rows) == ["de", "fr"]
    assert merge_records(
        [{"nb_visits": 1, "max_actions": 3}, {"nb_visits": 2, "max_actions": 1}], summed_daily=True
    ) == {
        "nb_visits": 3,
        "max_actions": 3,
    }


def test_subtables_merge_recursively() -> None:
    a, b = Table(), Table()
    add_path(a, ["docs", "/start"], {"nb_hits": 1})
    add_path(b, ["docs", "/start"], {"nb_hits": 2})
    add_path(b, ["docs", "/install"], {"nb_hits": 1})
    merged = merge_records([a, b], summed_daily=False)
    assert isinstance(merged, Table)
    docs = merged.rows["docs"]
    assert docs.metrics == {"nb_hits": 4}
    assert docs.sub is not None
    assert {k: r.metrics["nb_hits"] for k, r in docs.sub.rows.items()} == {
        "/start": 3,
        "/install": 1,
    }


def test_truncation_folds_the_rest_into_others() -> None:
    found = table(a={"nb_visits": 1}, b={"nb_visits": 5}, c={"nb_visits": 3}, d={"nb_visits": 3})
    cut = truncate(found, limit=2, sub_limit=1, sort="nb_visits")
    assert list(cut.rows) == ["b", "c", OTHERS]
    assert cut.rows[OTHERS].metrics == {"nb_visits": 4}
    again = truncate(
        merge_records([cut, cut], summed_daily=False), limit=2, sub_limit=1, sort="nb_visits"
    )  # type: ignore[arg-type]
    assert again.rows[OTHERS].metrics == {"nb_visits": 8}


def test_storage_round_trip() -> None:
    found = Table()
    add_path(
        found,
        ["docs", "/start"],
        {"nb_hits": 2, "sum_time_spent": 1.5},
        {"url": "https://x/docs/start"},
    )
    assert decode(encode(found)) == found
    assert decode(encode({"nb_visits": 3})) == {"nb_visits": 3}


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 0), (True, 1), (Decimal("7"), 7), (Decimal("2.50"), 2.5), (0.1 + 0.2, 0.3), (3.0, 3)],
)
def test_numbers_from_the_database(value: object, expected: float) -> None:
    result = number(value)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("portal.example.com/docs/setup/install?x=1", ["docs", "setup", "/install?x=1"]),
        ("portal.example.com/", ["/index"]),
        ("portal.example.com", ["/index"]),
        ("portal.example.com/docs/", ["docs", "/index"]),
        ("portal.example.com//a//b", ["a", "/b"]),
        ("/relative/page", ["relative", "/page"]),
        ("file:///srv/share/a.pdf", ["srv", "share", "/a.pdf"]),
        ("h/" + "/".join("abcdefghijkl") + "/p", [*"abcdefghi", "/j/k/l/p"]),
    ],
)
def test_url_folders(name: str, parts: list[str]) -> None:
    assert url_parts(name) == parts


def test_title_categories_and_flat_labels() -> None:
    assert title_parts("Docs / Install / Linux") == ["Docs", "Install", "Linux"]
    assert title_parts("Home") == ["Home"]
    assert title_parts(" / ") == [" / ".strip()]
    tree = Table()
    add_path(tree, url_parts("x.org/docs/start"), {"nb_hits": 1})
    add_path(tree, url_parts("x.org/"), {"nb_hits": 2})
    assert {k: r.metrics for k, r in flatten(tree).rows.items()} == {
        "docs/start": {"nb_hits": 1},
        "/index": {"nb_hits": 2},
    }
