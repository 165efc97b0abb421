"""UsersManager.* through HTTP: users, access to sites, superusers and app tokens; who may do
what; and that no answer ever carries a password or token hash."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.models import User, UserToken
from tests.factories import count, create_site, create_token, fresh
from tests.reports.api import DAY, call, error, get, parse_xml

PASSWORD = "secret-password"  # what tests.factories.create_token gives every user
USER_KEYS = {"login", "email", "superuser_access", "date_registered"}


@pytest.fixture
def admin(db: Session) -> str:
    return create_token(db)


def add_user(client: TestClient, token: str, login: str = "anna", **params: Any) -> None:
    params.setdefault("password", "anna-password")
    params.setdefault("email", f"{login}@example.com")
    done = call(client, "UsersManager.addUser", token_auth=token, userLogin=login, **params)
    assert done == {"result": "success", "message": "ok"}


def app_token(client: TestClient, login: str, password: str, **params: Any) -> str:
    found = call(
        client,
        "UsersManager.createAppSpecificTokenAuth",
        userLogin=login,
        passwordConfirmation=password,
        description="test",
        **params,
    )
    return str(found["value"])


def test_add_and_read_users(client: TestClient, admin: str) -> None:
    add_user(client, admin, "anna")
    user = call(client, "UsersManager.getUser", token_auth=admin, userLogin="anna")
    assert set(user) == USER_KEYS
    assert (user["login"], user["email"], user["superuser_access"]) == (
        "anna",
        "anna@example.com",
        0,
    )
    assert len(user["date_registered"]) == 19
    users = call(client, "UsersManager.getUsers", token_auth=admin)
    assert [u["login"] for u in users] == ["admin", "anna"]
    assert call(client, "UsersManager.getUsersLogin", token_auth=admin) == ["admin", "anna"]
    only = call(client, "UsersManager.getUsers", token_auth=admin, userLogins="anna")
    assert [u["login"] for u in only] == ["anna"]
    assert call(client, "UsersManager.userExists", token_auth=admin, userLogin="anna") == {
        "value": True
    }
    assert call(client, "UsersManager.userExists", token_auth=admin, userLogin="bob") == {
        "value": False
    }
    xml = get(client, "UsersManager.getUser", token_auth=admin, userLogin="anna")
    assert parse_xml(xml.text).findtext("email") == "anna@example.com"


def test_no_answer_carries_a_hash(client: TestClient, db: Session, admin: str) -> None:
    add_user(client, admin, "anna")
    fresh(db)
    hashes = [u.password_hash for u in db.scalars(sa.select(User))]
    hashes += [t.hash for t in db.scalars(sa.select(UserToken))]
    for method, params in (
        ("UsersManager.getUsers", {}),
        ("UsersManager.getUser", {"userLogin": "anna"}),
        ("UsersManager.getUsersHavingSuperUserAccess", {}),
    ):
        for fmt in ("json", "xml", "csv"):
            body = get(client, method, token_auth=admin, format=fmt, **params).content
            text = body.decode("utf-16-le" if fmt == "csv" else "utf-8")
            assert "password" not in text
            assert "scrypt" not in text
            assert not [h for h in hashes if h and h in text]


@pytest.mark.parametrize(
    ("login", "params", "message"),
    [
        ("'; DROP TABLE user; --", {}, "login"),
        ("a", {}, "login"),
        ("Zoë", {}, "login"),
        ("", {}, "userLogin"),
        ("anna", {"password": "short"}, "8 characters"),
        ("anna", {"email": "not-an-email"}, "email"),
        ("anna", {"email": ""}, "email"),
        ("admin", {}, "already exists"),
    ],
)
def test_add_user_refuses_bad_input(
    client: TestClient, db: Session, admin: str, login: str, params: dict[str, Any], message: str
) -> None:
    params = {"password": "anna-password", "email": "a@example.com", **params}
    found = error(client, "UsersManager.addUser", token_auth=admin, userLogin=login, **params)
    assert message in found
    assert count(db, User) == 1
    assert count(db, sa.table("site")) == 0  # the injection did nothing either


def test_only_superusers_add_delete_and_promote(client: TestClient, db: Session) -> None:
    site = create_site(db).idsite
    admin = create_token(db)
    boss = create_token(db, login="boss", superuser=False, access={site: "admin"})
    viewer = create_token(db, login="viewer", superuser=False, access={site: "view"})
    for token in (None, "wrong-token", viewer, boss):
        auth = {} if token is None else {"token_auth": token}
        user = {"userLogin": "x1", "password": "password-1", "email": "x@example.com"}
        assert error(client, "UsersManager.addUser", 401, **user, **auth)
        assert error(client, "UsersManager.deleteUser", 401, userLogin="viewer", **auth)
        assert error(
            client,
            "UsersManager.setSuperUserAccess",
            401,
            userLogin="viewer",
            hasSuperUserAccess=1,
            passwordConfirmation=PASSWORD,
            **auth,
        )
        assert error(client, "UsersManager.getSitesAccessFromUser", 401, userLogin="viewer", **auth)
    assert "superuser" in error(
        client, "UsersManager.getUser", 401, token_auth=viewer, userLogin="boss"
    )
    mine = call(client, "UsersManager.getUser", token_auth=viewer, userLogin="viewer")
    assert mine["login"] == "viewer"
    assert error(client, "UsersManager.getUsers", 401, token_auth=viewer)
    visible = call(client, "UsersManager.getUsersLogin", token_auth=boss)
    assert visible == ["boss", "viewer"]  # the users of boss's site, not the superuser
    assert call(client, "UsersManager.getUsersLogin", token_auth=admin) == [
        "admin",
        "boss",
        "viewer",
    ]


def test_set_user_access(client: TestClient, db: Session, admin: str) -> None:
    one, two = create_site(db).idsite, create_site(db, name="Two").idsite
    add_user(client, admin, "anna")
    token = app_token(client, "anna", "anna-password")
    base = {"idSite": one, "period": "day", "date": DAY}
    assert error(client, "VisitsSummary.getVisits", 401, token_auth=token, **base)
    call(
        client,
        "UsersManager.setUserAccess",
        token_auth=admin,
        userLogin="anna",
        access="view",
        idSites=f"{one},{two}",
    )
    assert call(client, "VisitsSummary.getVisits", token_auth=token, **base) == {"value": 0}
    assert call(
        client, "UsersManager.getSitesAccessFromUser", token_auth=admin, userLogin="anna"
    ) == [
        {"site": one, "access": "view"},
        {"site": two, "access": "view"},
    ]
    call(
        client,
        "UsersManager.setUserAccess",
        token_auth=admin,
        userLogin="anna",
        access="write",
        **{"idSites[]": str(two)},
    )
    call(
        client,
        "UsersManager.setUserAccess",
        token_auth=admin,
        userLogin="anna",
        access="noaccess",
        idSites=one,
    )
    assert call(
        client, "UsersManager.getSitesAccessFromUser", token_auth=admin, userLogin="anna"
    ) == [{"site": two, "access": "write"}]
    assert call(client, "UsersManager.getUsersAccessFromSite", token_auth=admin, idSite=two) == {
        "anna": "write"
    }
    assert error(client, "VisitsSummary.getVisits", 401, token_auth=token, **base)
    call(
        client,
        "UsersManager.setUserAccess",
        token_auth=admin,
        userLogin="anna",
        access="admin",
        idSites="all",
    )
    levels = call(client, "UsersManager.getSitesAccessFromUser", token_auth=admin, userLogin="anna")
    assert levels == [{"site": one, "access": "admin"}, {"site": two, "access": "admin"}]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"access": "owner"}, "access must be"),
        ({"access": ""}, "access"),
        ({"idSites": "1 OR 1=1"}, "idSites"),
        ({"idSites": "999"}, "does not exist"),
        ({"userLogin": "nobody"}, "does not exist"),
        ({"userLogin": "anonymous", "access": "write"}, "view"),
    ],
)
def test_set_user_access_refuses_bad_input(
    client: TestClient, db: Session, admin: str, params: dict[str, Any], message: str
) -> None:
    site = create_site(db).idsite
    add_user(client, admin, "anna")
    add_user(client, admin, "anonymous")
    params = {"userLogin": "anna", "access": "view", "idSites": site, **params}
    assert message in error(client, "UsersManager.setUserAccess", token_auth=admin, **params)


def test_site_admins_give_access_to_their_sites_only(client: TestClient, db: Session) -> None:
    mine, other = create_site(db).idsite, create_site(db, name="Other").idsite
    create_token(db)
    boss = create_token(db, login="boss", superuser=False, access={mine: "admin"})
    writer = create_token(db, login="writer", superuser=False, access={mine: "write"})
    create_token(db, login="reader", superuser=False)
    given = {"userLogin": "reader", "access": "view"}
    call(client, "UsersManager.setUserAccess", token_auth=boss, idSites=mine, **given)
    message = error(
        client, "UsersManager.setUserAccess", 401, token_auth=boss, idSites=other, **given
    )
    assert f"site {other}" in message
    assert error(
        client, "UsersManager.setUserAccess", 401, token_auth=writer, idSites=mine, **given
    )
    assert error(client, "UsersManager.getUsersAccessFromSite", 401, token_auth=writer, idSite=mine)
    assert call(client, "UsersManager.getUsersAccessFromSite", token_auth=boss, idSite=mine) == {
        "boss": "admin",
        "reader": "view",
        "writer": "write",
    }


def test_update_user_needs_the_callers_password(client: TestClient, admin: str) -> None:
    add_user(client, admin, "anna")
    anna = app_token(client, "anna", "anna-password")
    change = {"userLogin": "anna", "email": "new@example.com"}
    assert "passwordConfirmation" in error(
        client, "UsersManager.updateUser", token_auth=anna, **change
    )
    assert error(
        client,
        "UsersManager.updateUser",
        401,
        token_auth=anna,
        passwordConfirmation="nope!",
        **change,
    )
    call(
        client,
        "UsersManager.updateUser",
        token_auth=anna,
        passwordConfirmation="anna-password",
        **change,
    )
    assert call(client, "UsersManager.getUser", token_auth=anna, userLogin="anna")["email"] == (
        "new@example.com"
    )
    call(
        client,
        "UsersManager.updateUser",
        token_auth=admin,
        userLogin="anna",
        password="another-password",
        passwordConfirmation=PASSWORD,
    )
    assert app_token(client, "anna", "another-password")
    assert error(
        client,
        "UsersManager.updateUser",
        401,
        token_auth=anna,
        userLogin="admin",
        email="x@example.com",
        passwordConfirmation="another-password",
    )
    assert "email" in error(
        client,
        "UsersManager.updateUser",
        token_auth=admin,
        userLogin="anna",
        email="broken",
        passwordConfirmation=PASSWORD,
    )


def test_delete_user(client: TestClient, db: Session, admin: str) -> None:
    site = create_site(db).idsite
    add_user(client, admin, "anna")
    anna = app_token(client, "anna", "anna-password")
    call(
        client,
        "UsersManager.setUserAccess",
        token_auth=admin,
        userLogin="anna",
        access="view",
        idSites=site,
    )
    assert (
        call(client, "UsersManager.deleteUser", token_auth=admin, userLogin="anna")["result"]
        == "success"
    )
    assert "token_auth" in error(client, "UsersManager.hasSuperUserAccess", 401, token_auth=anna)
    assert "does not exist" in error(
        client, "UsersManager.deleteUser", token_auth=admin, userLogin="anna"
    )
    assert "only superuser" in error(
        client, "UsersManager.deleteUser", token_auth=admin, userLogin="admin"
    )
    add_user(client, admin, "anonymous")
    assert "anonymous" in error(
        client, "UsersManager.deleteUser", token_auth=admin, userLogin="anonymous"
    )


def test_superuser_access(client: TestClient, admin: str) -> None:
    add_user(client, admin, "anna")
    anna = app_token(client, "anna", "anna-password")
    assert call(client, "UsersManager.hasSuperUserAccess", token_auth=anna) == {"value": False}
    assert call(client, "UsersManager.hasSuperUserAccess", token_auth=admin) == {"value": True}
    assert call(client, "UsersManager.hasSuperUserAccess") == {"value": False}  # anonymous
    promote = {"userLogin": "anna", "hasSuperUserAccess": 1}
    assert "passwordConfirmation" in error(
        client, "UsersManager.setSuperUserAccess", token_auth=admin, **promote
    )
    call(
        client,
        "UsersManager.setSuperUserAccess",
        token_auth=admin,
        passwordConfirmation=PASSWORD,
        **promote,
    )
    assert call(client, "UsersManager.hasSuperUserAccess", token_auth=anna) == {"value": True}
    logins = call(client, "UsersManager.getUsersHavingSuperUserAccess", token_auth=anna)
    assert logins == [
        {"login": "admin", "email": ""},
        {"login": "anna", "email": "anna@example.com"},
    ]
    demote = {"hasSuperUserAccess": 0, "passwordConfirmation": PASSWORD}
    call(client, "UsersManager.setSuperUserAccess", token_auth=admin, userLogin="anna", **demote)
    assert "only superuser" in error(
        client, "UsersManager.setSuperUserAccess", token_auth=admin, userLogin="admin", **demote
    )


def test_app_specific_tokens(client: TestClient, db: Session, admin: str) -> None:
    add_user(client, admin, "anna")
    token = app_token(client, "anna", "anna-password", expireHours=2)
    assert len(token) == 32
    assert (
        call(client, "UsersManager.getUser", token_auth=token, userLogin="anna")["login"] == "anna"
    )
    fresh(db)
    stored = db.scalars(sa.select(UserToken).where(UserToken.login == "anna")).one()
    assert stored.description == "test"
    assert stored.date_expired is not None
    params = {"userLogin": "anna", "description": "x"}
    assert "description" in error(
        client,
        "UsersManager.createAppSpecificTokenAuth",
        userLogin="anna",
        passwordConfirmation="anna-password",
    )
    assert "expire" in error(
        client,
        "UsersManager.createAppSpecificTokenAuth",
        passwordConfirmation="anna-password",
        expireDate="2001-01-01",
        **params,
    )
    assert "expireHours" in error(
        client,
        "UsersManager.createAppSpecificTokenAuth",
        passwordConfirmation="anna-password",
        expireHours=-3,
        **params,
    )
    wrong = {"passwordConfirmation": "guess", **params}
    for _ in range(5):
        assert "password" in error(client, "UsersManager.createAppSpecificTokenAuth", 401, **wrong)
    right = {"passwordConfirmation": "anna-password", **params}
    message = error(client, "UsersManager.createAppSpecificTokenAuth", 401, **right)
    assert "Too many" in message
    assert error(
        client,
        "UsersManager.createAppSpecificTokenAuth",
        401,
        userLogin="nobody",
        passwordConfirmation="x",
        description="x",
    )
