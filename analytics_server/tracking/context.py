"""What processing hits needs besides the database: settings, enrichers, caches, clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from analytics_server.config import Settings
from analytics_server.enrichment.geo import GeoLocator
from analytics_server.enrichment.referrers import ReferrerLists
from analytics_server.kit.clock import Clock, utc_now
from analytics_server.logs.repository import ActionDictionary
from analytics_server.privacy.exclusions import (
    ExcludeRules,
    IpMatcher,
    UserAgentMatcher,
    parse_exclude_rules,
)
from analytics_server.visitors.service import SaltStore, VisitRules


@lru_cache(maxsize=1024)
def ip_matcher(patterns: tuple[str, ...]) -> IpMatcher:
    return IpMatcher(patterns)


@lru_cache(maxsize=1024)
def user_agent_matcher(patterns: tuple[str, ...]) -> UserAgentMatcher:
    return UserAgentMatcher(patterns)


@dataclass
class TrackerContext:
    """Long-lived per process; safe to share between batches processed one after another."""

    settings: Settings
    geo: GeoLocator
    referrer_lists: ReferrerLists
    rules: VisitRules
    exclude_rules: ExcludeRules
    clock: Clock = utc_now
    salts: SaltStore = field(default_factory=SaltStore)
    actions: ActionDictionary = field(default_factory=ActionDictionary)

    @classmethod
    def from_settings(
        cls, settings: Settings, *, geo: GeoLocator | None = None, clock: Clock = utc_now
    ) -> TrackerContext:
        tracker = settings.tracker
        return cls(
            settings=settings,
            geo=geo
            or GeoLocator.from_settings(
                settings.enrichment.geoip_mmdb_path, settings.enrichment.named_locations
            ),
            referrer_lists=ReferrerLists.load(settings.enrichment.referrer_lists_dir),
            rules=VisitRules(
                visit_standard_length=tracker.visit_standard_length,
                create_new_visit_after_x_actions=tracker.create_new_visit_after_x_actions,
                create_new_visit_when_campaign_changes=tracker.create_new_visit_when_campaign_changes,
                create_new_visit_when_website_referrer_changes=(
                    tracker.create_new_visit_when_website_referrer_changes
                ),
                enable_userid_overwrites_visitorid=tracker.enable_userid_overwrites_visitorid,
            ),
            exclude_rules=parse_exclude_rules(tracker.exclude_requests),
            clock=clock,
        )
