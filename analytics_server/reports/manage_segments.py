"""SegmentEditor.*: stored segments (add, update, delete, get, getAll).

Any signed-in user with view access to the site stores segments for themselves; a segment that
is archived in advance (autoArchive=1) costs the server work, so it needs write access to its
site (superuser access when it is for every site); sharing with all users needs superuser
access. Only the author or a superuser changes or deletes a segment. The archiving scheduler
archives every auto-archived segment by itself, so reports with it skip the ad-hoc limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from analytics_server.errors import NotFoundError
from analytics_server.models import Segment
from analytics_server.reports import manage_checks as check
from analytics_server.reports.formats import Success
from analytics_server.reports.service import Call, deny, has_access
from analytics_server.segments import service as segments_service


def segment_row(segment: Segment) -> dict[str, Any]:
    return {
        "idsegment": segment.idsegment,
        "name": segment.name,
        "definition": segment.definition,
        "hash": segment.hash,
        "login": segment.login,
        "enable_all_users": int(segment.enable_all_users),
        "enable_only_idsite": segment.enable_only_idsite,
        "auto_archive": int(segment.auto_archive),
        "ts_created": check.stamp(segment.ts_created),
        "ts_last_edit": check.stamp(segment.ts_last_edit),
        "deleted": int(segment.deleted),
    }


def _idsite(call: Call) -> int | None:
    """`idSite` when given: 0 or empty is every site; a site needs view access."""
    raw = call.params.get("idSite").strip()
    if not raw:
        return None
    if check.identifier(call, "idSite") == 0:
        return 0
    return check.site(call, "view").idsite


def _check_options(call: Call, *, idsite: int, auto_archive: bool, shared: bool) -> None:
    if shared:
        check.superuser(call, "sharing a segment with all users")
    if auto_archive and idsite == 0:
        check.superuser(call, "archiving a segment of every site in advance")
    if auto_archive and not has_access(call.principal, idsite, "write"):
        raise deny(f"archiving a segment in advance needs 'write' access to site {idsite}")


def _add(call: Call) -> Any:
    check.signed_in(call, "storing a segment")
    name = check.required_text(call, "name", max_length=255)
    definition = check.required_text(call, "definition", max_length=10_000)
    idsite = _idsite(call) or 0
    auto_archive = bool(check.flag(call, "autoArchive"))
    shared = bool(check.flag(call, "enabledAllUsers"))
    _check_options(call, idsite=idsite, auto_archive=auto_archive, shared=shared)
    segment = segments_service.create_segment(
        call.session,
        name=name,
        definition=definition,
        idsite=idsite,
        auto_archive=auto_archive,
        login=call.principal.login,
        enable_all_users=shared,
        now=call.now,
    )
    return check.commit(call, segment.idsegment)


def _visible(call: Call, idsegment: int) -> Segment:
    """The segment, if the caller may see it (a hidden one reads as not existing)."""
    segment = segments_service.get_segment(call.session, idsegment)
    login, superuser = call.principal.login, call.principal.superuser
    site_ok = segment.enable_only_idsite == 0 or call.principal.can_view(segment.enable_only_idsite)
    mine = segment.login == login or segment.enable_all_users
    if not superuser and not (site_ok and mine):
        raise NotFoundError(f"segment {idsegment} does not exist")
    return segment


def _editable(call: Call) -> Segment:
    check.signed_in(call, "changing a segment")
    segment = _visible(call, check.identifier(call, "idSegment"))
    if not segments_service.may_edit(
        segment, login=call.principal.login, superuser=call.principal.superuser
    ):
        raise deny(f"segment {segment.idsegment} can be changed by its author only")
    return segment


def _update(call: Call) -> Any:
    segment = _editable(call)
    idsite = _idsite(call)
    auto_archive = check.flag(call, "autoArchive")
    shared = check.flag(call, "enabledAllUsers")
    site_after = segment.enable_only_idsite if idsite is None else idsite
    _check_options(
        call,
        idsite=site_after,
        auto_archive=segment.auto_archive if auto_archive is None else auto_archive,
        shared=bool(shared) and not segment.enable_all_users,
    )
    name = check.text(call, "name", max_length=255)
    segments_service.update_segment(
        call.session,
        segment.idsegment,
        name=name,
        definition=check.text(call, "definition", max_length=10_000),
        auto_archive=auto_archive,
        enable_all_users=shared,
        idsite=idsite,
        now=call.now,
    )
    return check.commit(call, Success())


def _delete(call: Call) -> Any:
    segment = _editable(call)
    segments_service.delete_segment(call.session, segment.idsegment)
    return check.commit(call, Success())


def _get(call: Call) -> Any:
    return segment_row(_visible(call, check.identifier(call, "idSegment")))


def _get_all(call: Call) -> Any:
    idsite = _idsite(call) or None
    found = segments_service.visible_segments(
        call.session,
        login=call.principal.login,
        superuser=call.principal.superuser,
        idsite=idsite,
    )
    principal = call.principal
    return [
        segment_row(s)
        for s in found
        if s.enable_only_idsite == 0 or principal.can_view(s.enable_only_idsite)
    ]


METHODS: dict[str, Callable[[Call], Any]] = {
    "SegmentEditor.add": _add,
    "SegmentEditor.update": _update,
    "SegmentEditor.delete": _delete,
    "SegmentEditor.get": _get,
    "SegmentEditor.getAll": _get_all,
}
