"""Every management method, called with hostile values in every parameter, answers cleanly:
an error in Matomo's shape (HTTP 200, 400 or 401), never a 500."""

from __future__ import annotations

import random

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.reports.management import METHODS
from tests.factories import create_site, create_token

PARAMS = (
    "idSite",
    "idSites",
    "idGoal",
    "idSegment",
    "idNote",
    "siteName",
    "urls",
    "url",
    "timezone",
    "currency",
    "type",
    "excludedIps",
    "excludedUserAgents",
    "startDate",
    "keepURLFragments",
    "ecommerce",
    "name",
    "matchAttribute",
    "pattern",
    "patternType",
    "revenue",
    "definition",
    "autoArchive",
    "enabledAllUsers",
    "date",
    "period",
    "lastN",
    "note",
    "starred",
    "userLogin",
    "password",
    "email",
    "access",
    "hasSuperUserAccess",
    "passwordConfirmation",
    "description",
    "expireDate",
    "expireHours",
    "piwikUrl",
    "limit",
)
HOSTILE = (
    "",
    "-1",
    "0",
    "9" * 30,
    "1e309",
    "nan",
    "'; DROP TABLE site; --",
    "\x00\x01\ufffe",
    "日本語☕" * 100,
    "x" * 20_000,
    "all",
    "1,2,abc",
)


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_no_management_method_answers_500(client: TestClient, db: Session, value: str) -> None:
    token = create_token(db)
    create_site(db)
    for method in sorted(METHODS):
        for params in (dict.fromkeys(PARAMS, value), {"idSite": "1", "date": value}):
            response = client.post(
                f"/index.php?module=API&method={method}&format=json",
                data={"token_auth": token, **params},
            )
            assert response.status_code in (200, 400, 401), (method, response.text)
            data = response.json()
            if isinstance(data, dict) and data.get("result") == "error":
                assert "internal error" not in data["message"], (method, value)


VALID = {
    "idSite": "1",
    "idSites": "1",
    "idGoal": "1",
    "idSegment": "1",
    "idNote": "1",
    "siteName": "Shop",
    "urls": "https://shop.example",
    "name": "Name",
    "definition": "visitCount>1",
    "matchAttribute": "url",
    "pattern": "/x",
    "date": "2026-03-01",
    "period": "day",
    "note": "A note",
    "userLogin": "admin",
    "email": "a@example.com",
    "password": "password-1",
    "passwordConfirmation": "secret-password",
    "access": "view",
    "description": "d",
    "piwikUrl": "https://stats.example",
}
# Calls that would end the run's usefulness (the site or the caller gone) keep valid ids.
LAST = ("SitesManager.deleteSite", "UsersManager.deleteUser", "UsersManager.setSuperUserAccess")


def test_one_hostile_parameter_among_valid_ones(client: TestClient, db: Session) -> None:
    """A fixed sample of (method, parameter, value); the destructive methods come last."""
    token = create_token(db)
    idsite = str(create_site(db).idsite)
    valid = {**VALID, "idSite": idsite, "idSites": idsite}
    combos = [
        (method, name, value)
        for method in sorted(METHODS)
        if method not in LAST
        for name in PARAMS
        for value in HOSTILE[3:10]
    ]
    chosen = random.Random(6).sample(combos, 1200)
    chosen += [(method, name, value) for method in LAST for name in PARAMS for value in ("", "0")]
    for method, name, value in chosen:
        response = client.post(
            f"/index.php?module=API&method={method}&format=json",
            data={"token_auth": token, **valid, name: value},
        )
        assert response.status_code in (200, 400, 401), (method, name, response.text)
        assert "internal error" not in response.text, (method, name, value)
