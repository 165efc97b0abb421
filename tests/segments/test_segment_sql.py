"""Segments select the visits Matomo would select, on SQLite and MariaDB."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from analytics_server.enrichment.device_codes import DEVICE_TYPES
from analytics_server.models import LogVisit
from analytics_server.segments import fields
from analytics_server.segments.grammar import SegmentError
from analytics_server.segments.sql import CustomDimension, condition
from analytics_server.sites.service import SiteConfig
from tests.archiving.traffic import known_day, make_site


@pytest.fixture
def traffic(db: Session) -> tuple[SiteConfig, dict[str, dict[str, Any]]]:
    site = make_site(db)
    return site, known_day(db, site.idsite)


def selected(
    db: Session, site: SiteConfig, visits: dict[str, dict[str, Any]], definition: str
) -> set[str]:
    dims = {d.iddimension: CustomDimension(d.scope, d.column) for d in site.dimensions.values()}
    where = condition(definition, dialect=db.get_bind().dialect, dimensions=dims)
    query = sa.select(LogVisit.idvisit).where(LogVisit.idsite == site.idsite)
    if where is not None:
        query = query.where(where)
    ids = set(db.scalars(query))
    return {name for name, row in visits.items() if row["idvisit"] in ids}


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ("", {"a", "b", "c", "before", "after"}),
        ("countryCode==de", {"a", "c"}),
        ("countryCode==DE", {"a", "c"}),
        ("countryCode!=de", {"b", "before", "after"}),
        ("visitorType==new", {"a", "before", "after"}),
        ("visitorType==returning", {"b", "c"}),
        ("referrerType==search", {"a"}),
        ("referrerType==campaign;referrerName==spring", {"c"}),
        ("deviceType==smartphone", {"c"}),
        ("browserCode==FF,deviceType==smartphone", {"b", "c"}),
        ("countryCode==de;deviceType==desktop", {"a"}),
        ("userId==anna", {"a", "c"}),
        ("userId==", {"b", "before", "after"}),
        ("userId!=", {"a", "c"}),
        ("actions>=4", {"a", "c"}),
        ("actions<2", {"b", "before", "after"}),
        ("visitDuration>100", {"a"}),
        ("visitCount>=2", {"b", "c"}),
        ("daysSinceLastVisit==2", {"b"}),
        ("languageCode==de-de", {"a", "c"}),
        ("visitConverted==1", {"a", "c"}),
        ("visitEcommerceStatus==ordered", {"c"}),
        ("visitorId==7631000000000000", {"a", "c"}),
        ("pageUrl==https://portal.example.com/", {"c"}),
        ("pageUrl==http://portal.example.com/", {"c"}),
        ("pageUrl=@%2Fdocs%2Finstall", {"a"}),
        (
            "pageUrl!=https%3A%2F%2Fportal.example.com%2Fdocs%2Finstall",
            {"b", "c", "before", "after"},
        ),
        ("pageUrl=^https://portal.example.com/docs", {"a", "b", "c"}),
        ("pageTitle=$Install", {"a"}),
        ("entryPageUrl==https://portal.example.com/docs/start", {"a", "b"}),
        ("exitPageTitle==Docs / Install", {"a"}),
        ("exitPageTitle!=Docs / Install", {"b", "c", "before", "after"}),
        ("actionType==events", {"a"}),
        ("actionType==contents", {"c"}),
        ("eventCategory==Video;eventValue>4", {"a"}),
        ("eventValue>5", set()),
        ("siteSearchKeyword==pricing", {"c"}),
        ("siteSearchCategory==docs", {"c"}),
        ("downloadUrl=@guide", {"a"}),
        ("outlinkUrl=@ext.example", {"c"}),
        ("contentName==Banner;contentInteraction==click", {"c"}),
        ("visitConvertedGoalId==1", {"a"}),
        ("orderId==o1", {"c"}),
        ("revenueOrder>=30", {"c"}),
        ("productSku==SKU1", {"c"}),
        ("productCategory!=Shoes", {"a", "b", "before", "after"}),
        ("pageUrl=@50%25", set()),
    ],
)
def test_definitions_select_visits(
    db: Session,
    traffic: tuple[SiteConfig, dict[str, dict[str, Any]]],
    definition: str,
    expected: set[str],
) -> None:
    site, visits = traffic
    assert selected(db, site, visits, definition) == expected


def test_custom_dimensions_of_both_scopes(
    db: Session, traffic: tuple[SiteConfig, dict[str, dict[str, Any]]]
) -> None:
    site, visits = traffic
    ids = {d.name: d.iddimension for d in site.dimensions.values()}
    assert selected(db, site, visits, f"dimension{ids['Company']}==Acme") == {"a", "c"}
    assert selected(db, site, visits, f"dimension{ids['Layout']}==list") == {"a"}
    assert selected(db, site, visits, f"dimension{ids['Layout']}==grid") == {"a", "c"}


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ("favouriteColour==red", "unknown segment"),
        ("dimension99==x", "unknown segment"),
        ("visitorType==robot", "takes one of"),
        ("actions>many", "compares numbers"),
        ("visitorId==xyz", "hexadecimal"),
    ],
)
def test_bad_definitions_say_why(db: Session, definition: str, message: str) -> None:
    with pytest.raises(SegmentError, match=message):
        condition(definition, dialect=db.get_bind().dialect)


def test_device_type_names_match_the_enrichment_codes() -> None:
    assert dict(fields.DEVICE_TYPES) == {name: code for code, name in DEVICE_TYPES.items()}
