"""Stored segments: add, edit, delete and list; which ones are archived for a site."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from analytics_server.errors import InvalidRequestError, NotFoundError
from analytics_server.kit.clock import utc_now
from analytics_server.models import Segment
from analytics_server.segments import fields
from analytics_server.segments.grammar import SegmentError, canonical, parse, segment_hash


def validate(definition: str) -> str:
    """The canonical definition; raises SegmentError for bad syntax or unknown names."""
    groups = parse(definition)
    if not groups:
        raise SegmentError("a stored segment needs a definition")
    for group in groups:
        for condition in group:
            custom = condition.name.startswith("dimension") and condition.name[9:].isdigit()
            if condition.name not in fields.FIELDS and not custom:
                raise SegmentError(f"unknown segment {condition.name!r}")
    return canonical(definition)


def create_segment(
    session: Session,
    *,
    name: str,
    definition: str,
    idsite: int = 0,
    auto_archive: bool = True,
    login: str | None = None,
    enable_all_users: bool = False,
    now: datetime | None = None,
) -> Segment:
    """Store a segment (idsite 0: for every site). When `auto_archive`, the caller should
    queue `archiving.tasks.backfill_segment` for its history."""
    if not name.strip():
        raise InvalidRequestError("a segment needs a name")
    text = validate(definition)
    moment = now or utc_now()
    segment = Segment(
        name=name.strip()[:255],
        definition=text,
        hash=segment_hash(text),
        login=login,
        enable_all_users=enable_all_users,
        enable_only_idsite=idsite,
        auto_archive=auto_archive,
        ts_created=moment,
        ts_last_edit=moment,
        deleted=False,
    )
    session.add(segment)
    session.flush()
    return segment


def get_segment(session: Session, idsegment: int) -> Segment:
    segment = session.get(Segment, idsegment)
    if segment is None or segment.deleted:
        raise NotFoundError(f"segment {idsegment} does not exist")
    return segment


def update_segment(
    session: Session,
    idsegment: int,
    *,
    name: str | None = None,
    definition: str | None = None,
    auto_archive: bool | None = None,
    enable_all_users: bool | None = None,
    idsite: int | None = None,
    now: datetime | None = None,
) -> Segment:
    """Change what is given; None leaves a field as it is (idsite 0: every site)."""
    segment = get_segment(session, idsegment)
    if name is not None:
        if not name.strip():
            raise InvalidRequestError("a segment needs a name")
        segment.name = name.strip()[:255]
    if definition is not None:
        segment.definition = validate(definition)
        segment.hash = segment_hash(segment.definition)
    if auto_archive is not None:
        segment.auto_archive = auto_archive
    if enable_all_users is not None:
        segment.enable_all_users = enable_all_users
    if idsite is not None:
        segment.enable_only_idsite = idsite
    segment.ts_last_edit = now or utc_now()
    session.flush()
    return segment


def delete_segment(session: Session, idsegment: int) -> None:
    get_segment(session, idsegment).deleted = True
    session.flush()


def list_segments(session: Session, *, idsite: int | None = None) -> list[Segment]:
    query = sa.select(Segment).where(Segment.deleted.is_(False)).order_by(Segment.idsegment)
    if idsite is not None:
        query = query.where(Segment.enable_only_idsite.in_((0, idsite)))
    return list(session.scalars(query))


def visible_segments(
    session: Session, *, login: str, superuser: bool, idsite: int | None = None
) -> list[Segment]:
    """The stored segments a user sees: their own and those shared with all users (a superuser
    sees every one); for `idsite`, those of that site and those of every site."""
    found = list_segments(session, idsite=idsite)
    if superuser:
        return found
    return [s for s in found if s.login == login or s.enable_all_users]


def may_edit(segment: Segment, *, login: str, superuser: bool) -> bool:
    """Only its author or a superuser changes or deletes a stored segment."""
    return superuser or segment.login == login


def archived_segments(session: Session, idsite: int) -> list[Segment]:
    """The segments archived for `idsite` alongside all visits, one per definition."""
    found: dict[str, Segment] = {}
    for segment in list_segments(session, idsite=idsite):
        if segment.auto_archive:
            found.setdefault(segment.hash, segment)
    return list(found.values())
