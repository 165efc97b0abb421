"""Signing in to the dashboard from tests."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

PASSWORD = "secret-password"  # what tests.factories.create_token gives its users


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def sign_in(client: TestClient, login: str = "admin", password: str = PASSWORD) -> str:
    """Sign in and return the session's CSRF token (the session cookie stays in `client`)."""
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"login": login, "password": password, "csrf": csrf_of(form.text), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get("/sites")
    assert page.status_code == 200, page.text
    return csrf_of(page.text)
