"""Add, edit, delete and list the annotations of sites; who may change one; counts per period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from analytics_server.errors import InvalidRequestError, NotFoundError
from analytics_server.kit.clock import utc_now
from analytics_server.kit.periods import Period
from analytics_server.models import Annotation, Site
from analytics_server.models.annotation import MAX_NOTE_LENGTH

MAX_LISTED = 10_000  # one answer never carries more notes than this


def _checked_note(note: str) -> str:
    if not note.strip():
        raise InvalidRequestError("An annotation needs a note: 'note' must not be empty.")
    if len(note) > MAX_NOTE_LENGTH:
        raise InvalidRequestError(
            f"An annotation note has at most {MAX_NOTE_LENGTH} characters ({len(note)} given)."
        )
    return note


def add_annotation(
    session: Session,
    *,
    idsite: int,
    day: date,
    note: str,
    login: str,
    starred: bool = False,
    now: datetime | None = None,
) -> Annotation:
    if session.get(Site, idsite) is None:
        raise NotFoundError(f"The site id {idsite} does not exist.")
    annotation = Annotation(
        idsite=idsite,
        date=day,
        note=_checked_note(note),
        starred=starred,
        login=login,
        ts_created=now or utc_now(),
    )
    session.add(annotation)
    session.flush()
    return annotation


def get_annotation(session: Session, *, idsite: int, idnote: int) -> Annotation:
    annotation = session.get(Annotation, idnote)
    if annotation is None or annotation.idsite != idsite:
        raise NotFoundError(f"The annotation {idnote} of site {idsite} does not exist.")
    return annotation


def update_annotation(
    session: Session,
    annotation: Annotation,
    *,
    day: date | None = None,
    note: str | None = None,
    starred: bool | None = None,
) -> Annotation:
    """Change what is given; None leaves a field as it is."""
    if day is not None:
        annotation.date = day
    if note is not None:
        annotation.note = _checked_note(note)
    if starred is not None:
        annotation.starred = starred
    session.flush()
    return annotation


def delete_annotation(session: Session, annotation: Annotation) -> None:
    session.delete(annotation)
    session.flush()


def list_annotations(
    session: Session,
    *,
    idsites: Sequence[int],
    first: date | None = None,
    last: date | None = None,
) -> list[Annotation]:
    """The notes of `idsites` between `first` and `last` (inclusive, when given), by date."""
    query = sa.select(Annotation).where(Annotation.idsite.in_(list(idsites)))
    if first is not None:
        query = query.where(Annotation.date >= first)
    if last is not None:
        query = query.where(Annotation.date <= last)
    query = query.order_by(Annotation.idsite, Annotation.date, Annotation.idnote)
    return list(session.scalars(query.limit(MAX_LISTED)))


def may_modify(annotation: Annotation, *, login: str, superuser: bool, site_write: bool) -> bool:
    """Its author, a user with write access to its site, or a superuser may change a note."""
    return superuser or site_write or annotation.login == login


@dataclass(frozen=True)
class Count:
    count: int
    starred: int
    note: str | None  # the text, when the period has exactly one note


def count_by_period(annotations: Sequence[Annotation], periods: Sequence[Period]) -> list[Count]:
    """How many notes, and how many starred, fall in each period (same order)."""
    found = []
    for period in periods:
        inside = [a for a in annotations if period.start <= a.date <= period.end]
        only = inside[0].note if len(inside) == 1 else None
        found.append(Count(len(inside), sum(1 for a in inside if a.starred), only))
    return found
