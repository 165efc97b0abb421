"""Stored segments: validated when saved, keyed by their canonical definition, per site."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from analytics_server.errors import NotFoundError
from analytics_server.segments import service as segments_service
from analytics_server.segments.grammar import SegmentError, segment_hash
from tests.factories import create_site


def test_create_list_update_delete(db: Session) -> None:
    site = create_site(db)
    other = create_site(db, name="Other")
    everywhere = segments_service.create_segment(db, name="Germany", definition="countryCode==de")
    only_here = segments_service.create_segment(
        db, name="Docs readers", definition="pageUrl=@/docs", idsite=site.idsite
    )
    manual = segments_service.create_segment(
        db, name="Phones", definition="deviceType==smartphone", auto_archive=False
    )
    assert only_here.definition == "pageUrl=@%2Fdocs"
    assert only_here.hash == segment_hash("pageUrl=@/docs")
    assert [s.name for s in segments_service.list_segments(db, idsite=other.idsite)] == [
        "Germany",
        "Phones",
    ]
    archived = segments_service.archived_segments(db, site.idsite)
    assert [s.idsegment for s in archived] == [everywhere.idsegment, only_here.idsegment]
    segments_service.update_segment(
        db, manual.idsegment, auto_archive=True, definition="deviceType==tablet"
    )
    assert segments_service.get_segment(db, manual.idsegment).hash == segment_hash(
        "deviceType==tablet"
    )
    segments_service.delete_segment(db, everywhere.idsegment)
    with pytest.raises(NotFoundError):
        segments_service.get_segment(db, everywhere.idsegment)
    assert len(segments_service.archived_segments(db, site.idsite)) == 2


def test_the_same_definition_is_archived_once(db: Session) -> None:
    site = create_site(db)
    segments_service.create_segment(db, name="A", definition="countryCode==de")
    segments_service.create_segment(db, name="B", definition=" countryCode==de ")
    assert len(segments_service.archived_segments(db, site.idsite)) == 1


@pytest.mark.parametrize(
    ("definition", "message"),
    [("", "needs a definition"), ("shoeSize>42", "unknown segment"), ("countryCode", "is not")],
)
def test_bad_definitions_are_refused(db: Session, definition: str, message: str) -> None:
    with pytest.raises(SegmentError, match=message):
        segments_service.create_segment(db, name="Bad", definition=definition)
