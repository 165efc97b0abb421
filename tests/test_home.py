"""The start page (/start, signed in) shows what the server holds and a snippet per site,
escaped; `/` is the dashboard."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from tests.dashboard.helpers import sign_in
from tests.factories import create_site, create_token
from tests.tracking.helpers import js_hit, send


def test_start_page_lists_sites_with_their_snippet(client: TestClient, db: Session) -> None:
    site = create_site(db, name='Portal <script>alert("x")</script>')
    send(client, js_hit(site.idsite))
    assert client.get("/start", follow_redirects=False).status_code == 303  # signed out
    create_token(db)
    sign_in(client)
    page = client.get("/start")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(" in page.text  # the site name is shown as text
    assert '<script>alert("x")' not in page.text
    assert f"_paq.push(['setSiteId', '{site.idsite}']);" in page.text
    assert "<th>Visits stored</th><td>1</td>" in page.text
