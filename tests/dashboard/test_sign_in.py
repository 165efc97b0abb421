"""Signing in and out, CSRF on every form, throttled failures, access per site."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from tests.archiving.traffic import known_day, make_site
from tests.conftest import FakeClock
from tests.dashboard.helpers import csrf_of, sign_in
from tests.factories import create_token


def test_pages_need_a_session_and_sign_in_leads_back(client: TestClient, db: Session) -> None:
    site = make_site(db)
    create_token(db)
    path = f"/site/{site.idsite}/visitors/devices?period=day&date=2026-03-10"
    away = client.get(path, follow_redirects=False)
    assert away.status_code == 303
    assert away.headers["location"].startswith("/login?next=")
    form = client.get(away.headers["location"])
    assert 'name="next" value="/site/' in form.text
    done = client.post(
        "/login",
        data={
            "login": "admin",
            "password": "secret-password",
            "csrf": csrf_of(form.text),
            "next": path,
        },
        follow_redirects=False,
    )
    assert done.headers["location"] == path
    cookie = done.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie.replace("Lax", "lax")
    assert client.get(path).status_code == 200


def test_wrong_passwords_are_throttled(client: TestClient, db: Session) -> None:
    create_token(db)
    form = client.get("/login")
    csrf = csrf_of(form.text)
    for _ in range(5):
        wrong = client.post("/login", data={"login": "admin", "password": "nope", "csrf": csrf})
        assert wrong.status_code == 401
        assert "Wrong login or password" in wrong.text
    right = client.post(
        "/login", data={"login": "admin", "password": "secret-password", "csrf": csrf}
    )
    assert right.status_code == 429


def test_forms_without_the_csrf_token_are_refused_and_sign_out_ends_the_session(
    client: TestClient, db: Session
) -> None:
    make_site(db)
    create_token(db)
    no_token = client.post("/login", data={"login": "admin", "password": "secret-password"})
    assert no_token.status_code == 400
    csrf = sign_in(client)
    assert client.post("/preferences", data={"language": "ru"}).status_code == 400
    assert client.post("/preferences", data={"language": "ru", "csrf": csrf}).status_code == 200
    assert client.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert client.get("/sites", follow_redirects=False).status_code == 303


def test_a_user_sees_only_the_sites_given_to_them(client: TestClient, db: Session) -> None:
    mine, theirs = make_site(db), make_site(db, timezone="UTC")
    create_token(db, login="viewer", superuser=False, access={mine.idsite: "view"})
    sign_in(client, "viewer")
    assert client.get(f"/site/{mine.idsite}/visitors/overview").status_code == 200
    refused = client.get(f"/site/{theirs.idsite}/visitors/overview")
    assert refused.status_code == 401
    sites = client.get("/sites").text
    assert f"/site/{theirs.idsite}/" not in sites


def test_report_pages_render_escaped_data_with_a_strict_policy(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = make_site(db)
    known_day(db, site.idsite)
    create_token(db)
    clock.now = datetime(2026, 4, 20, 12, tzinfo=UTC)
    sign_in(client)
    page = client.get(f"/site/{site.idsite}/visitors/software?period=day&date=2026-03-10")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "Chrome" in page.text
    assert "Server-Timing" in page.headers


def test_passwords_are_argon2_and_old_scrypt_hashes_are_upgraded_at_sign_in(
    client: TestClient, db: Session
) -> None:
    import base64
    import hashlib

    from analytics_server.models import User

    make_site(db)
    create_token(db)
    user = db.get(User, "admin")
    assert user is not None
    assert user.password_hash.startswith("$argon2id$")
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(b"secret-password", salt=salt, n=2**14, r=8, p=1)
    user.password_hash = (
        f"scrypt${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"
    )
    db.commit()
    sign_in(client)
    db.expire_all()
    upgraded = db.get(User, "admin")
    assert upgraded is not None
    assert upgraded.password_hash.startswith("$argon2id$")


def test_forms_lead_back_only_to_this_servers_pages(client: TestClient, db: Session) -> None:
    make_site(db)
    create_token(db)
    csrf = sign_in(client)
    for away in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
        back = client.post(
            "/preferences",
            data={"language": "en", "csrf": csrf, "back": away},
            follow_redirects=False,
        )
        assert back.headers["location"] == "/"
    here = client.post(
        "/preferences",
        data={"language": "en", "csrf": csrf, "back": "/sites?period=day"},
        follow_redirects=False,
    )
    assert here.headers["location"] == "/sites?period=day"
