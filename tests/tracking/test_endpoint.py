"""The tracking endpoint answers exactly as Matomo's does, and stores what it accepts."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.config import Settings
from analytics_server.models import LogLinkVisitAction, LogVisit, TrackingFailure
from analytics_server.privacy.ip import unpack_ip
from tests.factories import actions, count, create_site, create_token, failures, url_of, visits
from tests.tracking.helpers import js_hit, send


def test_plain_get_without_parameters_explains_the_endpoint(client: TestClient) -> None:
    answer = client.get("/matomo.php")
    assert answer.status_code == 200
    assert "tracking endpoint" in answer.text


def test_preflight_allows_any_origin(client: TestClient) -> None:
    answer = client.options(
        "/matomo.php",
        headers={"Origin": "https://a.example", "Access-Control-Request-Method": "POST"},
    )
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.headers["access-control-allow-methods"] == "GET, POST"


def test_js_tracker_hit_gets_204_and_is_stored(client: TestClient, db: Session) -> None:
    site = create_site(db)
    answer = send(client, js_hit(site.idsite))
    assert answer.status_code == 204
    assert answer.headers["cache-control"] == "no-store"
    [visit] = visits(db)
    [action] = actions(db)
    assert visit["idvisitor"] == bytes.fromhex("0123456789abcdef")
    assert visit["visit_total_actions"] == 1
    assert visit["config_resolution"] == "1920x1080"
    assert visit["config_pdf"] is True or visit["config_pdf"] == 1
    assert str(visit["visitor_localtime"]) == "13:05:30"
    assert visit["location_browser_lang"].startswith("en-us")
    assert url_of(db, action["idaction_url"]) == "https://portal.example.com/docs/start"
    assert action["idpageview"] == "a1b2c3"


def test_image_tracker_without_send_image_gets_a_gif(client: TestClient, db: Session) -> None:
    site = create_site(db)
    hit = js_hit(site.idsite)
    del hit["send_image"]
    answer = send(client, hit)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/gif"
    assert answer.content.startswith(b"GIF89a")


def test_post_form_echoes_origin_and_get_wins_on_duplicates(
    client: TestClient, db: Session
) -> None:
    site = create_site(db)
    body = urlencode(js_hit(site.idsite, action_name="From body"))
    answer = client.post(
        "/matomo.php?action_name=From+query",
        content=body,
        headers={
            "Origin": "https://portal.example.com",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == "https://portal.example.com"
    assert answer.headers["access-control-allow-credentials"] == "true"
    [action] = actions(db)
    from tests.factories import name_of

    assert name_of(db, action["idaction_name"]) == "From query"


def test_rejected_browser_hit_still_gets_204_but_is_listed(client: TestClient, db: Session) -> None:
    answer = send(client, js_hit(idsite=999))
    assert answer.status_code == 204
    [failure] = failures(db)
    assert "999" in failure.reason
    assert failure.source == "browser"
    assert count(db, LogVisit) == 0


def test_rejected_sdk_hit_gets_400_with_the_reason(client: TestClient) -> None:
    hit = js_hit(idsite=999)
    del hit["send_image"]
    answer = send(client, hit)
    assert answer.status_code == 400
    assert "idsite 999" in answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_bulk_keeps_good_requests_and_counts_invalid_ones(client: TestClient, db: Session) -> None:
    site = create_site(db)
    token = create_token(db)
    requests = [
        "?" + urlencode(js_hit(site.idsite, url="https://portal.example.com/a")),
        "?" + urlencode(js_hit(999)),
        dict(js_hit(site.idsite, url="https://portal.example.com/b").items()),
    ]
    answer = client.post(
        "/matomo.php", content=json.dumps({"requests": requests, "token_auth": token})
    )
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "success",
        "tracked": 2,
        "invalid": 1,
        "invalid_indices": [1],
    }
    assert count(db, LogLinkVisitAction) == 2
    assert count(db, TrackingFailure) == 1


def test_bulk_hides_invalid_indices_without_a_superuser_token(
    client: TestClient, db: Session
) -> None:
    site = create_site(db)
    requests = ["?" + urlencode(js_hit(site.idsite)), "?" + urlencode(js_hit(999))]
    answer = client.post("/matomo.php", content=json.dumps({"requests": requests}))
    assert answer.json() == {"status": "success", "tracked": 1, "invalid": 1}


def test_bad_bulk_json_is_a_clear_400(client: TestClient) -> None:
    answer = client.post("/matomo.php", content=b'{"requests": [')
    assert answer.status_code == 400
    assert answer.json()["status"] == "error"
    assert "JSON" in answer.json()["message"]


def test_excluded_hit_answers_success_and_stores_nothing(client: TestClient, db: Session) -> None:
    site = create_site(db)
    hit = js_hit(site.idsite)
    hit["rec"] = "0"
    assert send(client, hit).status_code == 204
    assert count(db, LogVisit) == 0
    assert count(db, TrackingFailure) == 0


def test_tracking_disabled_answers_503(client: TestClient, db: Session) -> None:
    site = create_site(db)
    client.app.state.settings.tracker.record_statistics = False  # type: ignore[attr-defined]
    assert send(client, js_hit(site.idsite)).status_code == 503
    assert count(db, LogVisit) == 0


def test_client_ip_is_the_rightmost_address_not_a_trusted_proxy(
    client: TestClient, db: Session, settings: Settings
) -> None:
    settings.tracker.trusted_proxies = ["testclient", "10.0.0.0/8"]
    site = create_site(db, ip_anonymisation_bytes=0)
    # The client wrote the first address itself; only the hops our proxies added count.
    forwarded = "1.2.3.4, 198.51.100.9, 10.0.0.5"
    with TestClient(client.app, client=("10.0.0.1", 5000)) as behind_proxy:
        send(behind_proxy, js_hit(site.idsite), headers={"X-Forwarded-For": forwarded})
    [visit] = visits(db)
    assert unpack_ip(visit["location_ip"]) == "198.51.100.9"
