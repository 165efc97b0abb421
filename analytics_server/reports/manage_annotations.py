"""Annotations.*: add, save, delete, deleteAll, get, getAll and getAnnotationCountForDates.

As in Matomo, any signed-in user with view access to a site annotates it; a note is changed or
deleted by its author, a user with write access to the site, or a superuser. Rows carry
Matomo's keys (`date`, `note`, `starred`, `user`, `idNote`, `canEditOrDelete`); getAll and the
counts are keyed by `idSite` (then by period), as Matomo answers them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from analytics_server.annotations import service as notes
from analytics_server.errors import InvalidRequestError
from analytics_server.kit.clock import local_day
from analytics_server.kit.periods import MAX_PERIODS, Period, PeriodError, resolve
from analytics_server.models import Annotation, Site
from analytics_server.reports import manage_checks as check
from analytics_server.reports.formats import Keyed, Success
from analytics_server.reports.service import Call, deny, has_access, sites


def _row(call: Call, note: Annotation) -> dict[str, Any]:
    return {
        "date": note.date.isoformat(),
        "note": note.note,
        "starred": int(note.starred),
        "user": note.login,
        "idNote": note.idnote,
        "canEditOrDelete": _may_modify(call, note),
    }


def _may_modify(call: Call, note: Annotation) -> bool:
    principal = call.principal
    return not principal.is_anonymous and notes.may_modify(
        note,
        login=principal.login,
        superuser=principal.superuser,
        site_write=has_access(principal, note.idsite, "write"),
    )


def _note(call: Call, site: Site) -> Annotation:
    idnote = check.identifier(call, "idNote")
    return notes.get_annotation(call.session, idsite=site.idsite, idnote=idnote)


def _editable(call: Call) -> tuple[Site, Annotation]:
    check.signed_in(call, "changing an annotation")
    site = check.site(call, "view")
    note = _note(call, site)
    if not _may_modify(call, note):
        raise deny(
            f"annotation {note.idnote} can be changed by its author or a user with 'write' "
            f"access to site {site.idsite}"
        )
    return site, note


def _add(call: Call) -> Any:
    check.signed_in(call, "annotating")
    site = check.site(call, "view")
    day = check.day(call, "date", site.timezone)
    if day is None:
        raise InvalidRequestError("Please specify a value for 'date'.")
    note = notes.add_annotation(
        call.session,
        idsite=site.idsite,
        day=day,
        note=check.required_text(call, "note", max_length=10_000),
        login=call.principal.login,
        starred=bool(check.flag(call, "starred")),
        now=call.now,
    )
    return check.commit(call, _row(call, note))


def _save(call: Call) -> Any:
    site, note = _editable(call)
    notes.update_annotation(
        call.session,
        note,
        day=check.day(call, "date", site.timezone),
        note=check.text(call, "note", max_length=10_000),
        starred=check.flag(call, "starred"),
    )
    return check.commit(call, _row(call, note))


def _delete(call: Call) -> Any:
    _, note = _editable(call)
    notes.delete_annotation(call.session, note)
    return check.commit(call, Success())


def _delete_all(call: Call) -> Any:
    check.superuser(call, "deleting every annotation of a site")
    site = check.site(call, "admin")
    for note in notes.list_annotations(call.session, idsites=[site.idsite]):
        notes.delete_annotation(call.session, note)
    return check.commit(call, Success())


def _get(call: Call) -> Any:
    return _row(call, _note(call, check.site(call, "view")))


def _periods(call: Call, timezone: str) -> list[Period] | None:
    """The periods `date` and `period` name, `lastN` of them when given; None without a date."""
    when = call.params.text("date", max_length=60).strip()
    if not when:
        return None
    kind = call.params.text("period", max_length=10).strip() or "day"
    try:
        found = resolve(kind, when, today=local_day(call.now, timezone))
    except PeriodError as exc:
        raise InvalidRequestError(str(exc)) from None
    last_n = call.params.integer("lastN")
    if last_n is not None and len(found) == 1 and found[0].kind != "range":
        if not 1 <= last_n <= MAX_PERIODS:
            raise InvalidRequestError(f"lastN must be from 1 to {MAX_PERIODS}.")
        while len(found) < last_n:
            found.insert(0, found[0].previous())
    return found


def _span(found: list[Period] | None) -> tuple[date | None, date | None]:
    if not found:
        return None, None
    return found[0].start, found[-1].end


def _get_all(call: Call) -> Any:
    chosen, _ = sites(call)
    by_site: dict[str, Any] = {}
    for site in chosen:
        first, last = _span(_periods(call, site.timezone))
        found = notes.list_annotations(call.session, idsites=[site.idsite], first=first, last=last)
        by_site[str(site.idsite)] = [_row(call, note) for note in found]
    return Keyed("idSite", by_site)


def _counts(call: Call) -> Any:
    chosen, _ = sites(call)
    with_text = bool(check.flag(call, "getAnnotationText"))
    by_site: dict[str, Any] = {}
    for site in chosen:
        found = _periods(call, site.timezone)
        if found is None:
            raise InvalidRequestError("Please specify a value for 'date'.")
        listed = notes.list_annotations(
            call.session, idsites=[site.idsite], first=found[0].start, last=found[-1].end
        )
        counted: dict[str, Any] = {}
        for period, tally in zip(found, notes.count_by_period(listed, found), strict=True):
            cell: dict[str, Any] = {"count": tally.count, "starred": tally.starred}
            if with_text and tally.note is not None:
                cell["note"] = tally.note
            counted[period.label] = cell
        by_site[str(site.idsite)] = Keyed("date", counted)
    return Keyed("idSite", by_site)


METHODS: dict[str, Callable[[Call], Any]] = {
    "Annotations.add": _add,
    "Annotations.save": _save,
    "Annotations.delete": _delete,
    "Annotations.deleteAll": _delete_all,
    "Annotations.get": _get,
    "Annotations.getAll": _get_all,
    "Annotations.getAnnotationCountForDates": _counts,
}
