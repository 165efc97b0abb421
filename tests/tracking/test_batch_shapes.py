"""A batch whose known visits change different columns stores every hit, each visit with
exactly its own changes (a column no hit changed is never written, but for the columns every
action moves, which go together)."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.models import LogLinkVisitAction
from analytics_server.sites import service as sites_service
from tests.conftest import FakeClock
from tests.factories import create_site, visits
from tests.tracking.helpers import js_hit, send

PAGE = "https://portal.example.com"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4 Safari"


def test_visits_changing_different_columns_in_one_batch(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = create_site(db)
    company = sites_service.add_custom_dimension(db, idsite=site.idsite, name="Company")
    db.commit()
    first, second = "1111111111111111", "2222222222222222"
    # Two browsers (different user agents), so the fingerprint keeps them apart.
    send(client, js_hit(site.idsite, _id=first, url=f"{PAGE}/a", ua=FIREFOX))
    send(client, js_hit(site.idsite, _id=second, url=f"{PAGE}/a", uid="bob", ua=SAFARI))
    clock.advance(seconds=30)
    dimension = {f"dimension{company.idcustomdimension}": "ACME"}
    requests = [  # one bulk request: one batch
        js_hit(site.idsite, _id=first, url=f"{PAGE}/b", ua=FIREFOX, **dimension),
        js_hit(site.idsite, _id=second, url=f"{PAGE}/b", uid="bob", ua=SAFARI),
    ]
    answer = client.post("/matomo.php", content=json.dumps({"requests": requests}))
    assert answer.json()["tracked"] == 2
    db.commit()
    assert db.scalar(sa.select(sa.func.count()).select_from(LogLinkVisitAction)) == 4
    found = {(v["custom_dimension_1"], v["user_id"], v["visit_total_actions"]) for v in visits(db)}
    assert found == {("ACME", None, 2), (None, "bob", 2)}
