"""SQLAlchemy tables only; importing this package registers every table on `Base.metadata`."""

from analytics_server.models.annotation import Annotation
from analytics_server.models.archive import ArchiveRecord, ArchiveState
from analytics_server.models.base import Base
from analytics_server.models.ingest import IngestKey
from analytics_server.models.log import (
    LogAction,
    LogConversion,
    LogConversionItem,
    LogLinkVisitAction,
    LogVisit,
)
from analytics_server.models.option import Option, TrackingFailure
from analytics_server.models.report_schedule import ReportSchedule, ReportSending
from analytics_server.models.segment import Segment
from analytics_server.models.session import LoginFailure, UserPreference, UserSession
from analytics_server.models.site import CustomDimension, Goal, Site, SiteUrl
from analytics_server.models.user import Access, User, UserToken

__all__ = [
    "Access",
    "Annotation",
    "ArchiveRecord",
    "ArchiveState",
    "Base",
    "CustomDimension",
    "Goal",
    "IngestKey",
    "LogAction",
    "LogConversion",
    "LogConversionItem",
    "LogLinkVisitAction",
    "LogVisit",
    "LoginFailure",
    "Option",
    "ReportSchedule",
    "ReportSending",
    "Segment",
    "Site",
    "SiteUrl",
    "TrackingFailure",
    "User",
    "UserPreference",
    "UserSession",
    "UserToken",
]
