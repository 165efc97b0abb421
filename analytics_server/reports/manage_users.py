"""UsersManager.*: users, their access to sites, superusers and app-specific tokens.

As in Matomo: adding, deleting users and making superusers needs superuser access; listing
users and giving access needs admin access (to the sites concerned); a user may read and change
their own account. Answers never carry a password or token hash.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from analytics_server.auth import users as users_service
from analytics_server.errors import InvalidRequestError
from analytics_server.models import Site, User
from analytics_server.reports import manage_checks as check
from analytics_server.reports.formats import Success
from analytics_server.reports.service import Call, deny, has_access
from analytics_server.sites import service as sites_service


def user_row(user: User) -> dict[str, Any]:
    return {
        "login": user.login,
        "email": user.email,
        "superuser_access": int(user.superuser_access),
        "date_registered": check.stamp(user.date_registered),
    }


def _login(call: Call) -> str:
    return check.required_text(call, "userLogin", max_length=100).strip()


def _admin_sites(call: Call) -> list[int]:
    return [i for i, level in call.principal.access.items() if level == "admin"]


def _visible(call: Call) -> set[str] | None:
    """Logins the caller may list: everyone for a superuser (None), else the users of the sites
    the caller administers, and the caller."""
    if call.principal.superuser:
        return None
    sites = _admin_sites(call)
    if not sites:
        raise deny("listing users needs admin access to a site")
    found = {call.principal.login}
    for idsite in sites:
        found |= set(users_service.access_by_login(call.session, idsite))
    return found


def _users(call: Call) -> list[User]:
    wanted = check.items(call, "userLogins")
    visible = _visible(call)
    found = users_service.list_users(call.session, wanted or None)
    return [u for u in found if visible is None or u.login in visible]


def _get_users(call: Call) -> Any:
    return [user_row(user) for user in _users(call)]


def _get_logins(call: Call) -> Any:
    return [user.login for user in _users(call)]


def _self_or_superuser(call: Call, login: str, what: str) -> None:
    if call.principal.superuser:
        return
    if call.principal.is_anonymous or login != call.principal.login:
        raise deny(f"{what} another user needs superuser access")


def _get_user(call: Call) -> Any:
    login = _login(call)
    _self_or_superuser(call, login, "reading")
    return user_row(users_service.get_user(call.session, login))


def _user_exists(call: Call) -> Any:
    login = _login(call)
    if not call.principal.superuser and not _admin_sites(call):
        raise deny("checking users needs admin access to a site")
    return call.session.get(User, login) is not None


def _add_user(call: Call) -> Any:
    check.superuser(call, "adding a user")
    users_service.add_user(
        call.session,
        login=_login(call),
        password=check.required_text(call, "password", max_length=200),
        email=check.required_text(call, "email", max_length=255),
    )
    return check.commit(call, Success())


def _confirm(call: Call) -> None:
    """The caller proves it is them with their password (passwordConfirmation)."""
    check.signed_in(call, "this change")
    users_service.confirm_password(
        call.session,
        login=call.principal.login,
        password=check.required_text(call, "passwordConfirmation", max_length=200),
        now=call.now,
    )


def _update_user(call: Call) -> Any:
    login = _login(call)
    _self_or_superuser(call, login, "changing")
    password = check.text(call, "password", max_length=200)
    email = check.text(call, "email", max_length=255)
    if password is None and email is None:
        raise InvalidRequestError("Please specify a value for 'password' or 'email'.")
    _confirm(call)
    users_service.update_user(call.session, login, password=password, email=email)
    return check.commit(call, Success())


def _delete_user(call: Call) -> Any:
    check.superuser(call, "deleting a user")
    users_service.delete_user(call.session, _login(call))
    return check.commit(call, Success())


def _id_sites(call: Call) -> list[int]:
    """`idSites`: ids or `all` (every site the caller administers), each one checked."""
    listed = [part.strip() for part in call.params.get_list("idSites") if part.strip()]
    if not listed:
        raise InvalidRequestError("Please specify a value for 'idSites'.")
    if [part.lower() for part in listed] == ["all"]:
        sites = sites_service.list_sites(call.session)
        return [s.idsite for s in sites if has_access(call.principal, s.idsite, "admin")]
    try:
        ids = sorted({int(part) for part in listed})
    except ValueError:
        raise InvalidRequestError("idSites must be site ids or 'all'.") from None
    for idsite in ids:
        if not 0 < idsite <= check.MAX_ID:
            raise InvalidRequestError(f"idSites: {idsite} is not a site id.")
        if not has_access(call.principal, idsite, "admin"):
            raise deny(f"giving access to site {idsite} needs 'admin' access")
        if call.session.get(Site, idsite) is None:
            raise InvalidRequestError(f"The site id {idsite} does not exist.")
    return ids


def _set_user_access(call: Call) -> Any:
    login = _login(call)
    access = check.required_text(call, "access", max_length=20).strip()
    idsites = _id_sites(call)
    users_service.set_user_access(call.session, login=login, access=access, idsites=idsites)
    return check.commit(call, Success())


def _sites_access(call: Call) -> Any:
    check.superuser(call, "reading another user's access")
    found = users_service.access_by_site(call.session, _login(call))
    return [{"site": idsite, "access": level} for idsite, level in found.items()]


def _users_access(call: Call) -> Any:
    site = check.site(call, "admin")
    return users_service.access_by_login(call.session, site.idsite)


def _has_superuser(call: Call) -> Any:
    return call.principal.superuser


def _superusers(call: Call) -> Any:
    check.superuser(call, "listing superusers")
    users = users_service.list_users(call.session)
    return [{"login": u.login, "email": u.email} for u in users if u.superuser_access]


def _set_superuser(call: Call) -> Any:
    check.superuser(call, "changing superuser access")
    login = _login(call)
    wanted = call.params.flag("hasSuperUserAccess")
    _confirm(call)
    users_service.set_superuser(call.session, login, wanted)
    return check.commit(call, Success())


def _app_token(call: Call) -> Any:
    login = _login(call)
    password = check.required_text(call, "passwordConfirmation", max_length=200)
    users_service.confirm_password(call.session, login=login, password=password, now=call.now)
    hours = call.params.integer("expireHours")
    token = users_service.create_app_token(
        call.session,
        login=login,
        description=call.params.text("description", max_length=100),
        expires=check.moment(call, "expireDate"),
        hours=hours or None,
    )
    return check.commit(call, token)


METHODS: dict[str, Callable[[Call], Any]] = {
    "UsersManager.getUsers": _get_users,
    "UsersManager.getUsersLogin": _get_logins,
    "UsersManager.getUser": _get_user,
    "UsersManager.userExists": _user_exists,
    "UsersManager.addUser": _add_user,
    "UsersManager.updateUser": _update_user,
    "UsersManager.deleteUser": _delete_user,
    "UsersManager.setUserAccess": _set_user_access,
    "UsersManager.getSitesAccessFromUser": _sites_access,
    "UsersManager.getUsersAccessFromSite": _users_access,
    "UsersManager.hasSuperUserAccess": _has_superuser,
    "UsersManager.getUsersHavingSuperUserAccess": _superusers,
    "UsersManager.setSuperUserAccess": _set_superuser,
    "UsersManager.createAppSpecificTokenAuth": _app_token,
}
