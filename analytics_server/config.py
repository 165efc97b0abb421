"""Settings from the environment (prefix ANALYTICS_, nested groups joined with __)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class DatabaseSettings(BaseModel):
    """Where raw logs and archives live; SQLite file by default."""

    url: str = "sqlite:///./var/analytics.sqlite3"
    echo: bool = False
    pool_size: int = 10


class TrackerSettings(BaseModel):
    """Tracking endpoint behaviour (Matomo's [Tracker] section)."""

    record_statistics: bool = True
    visit_standard_length: int = Field(default=1800, ge=60)
    create_new_visit_after_x_actions: int = 10_000
    create_new_visit_when_campaign_changes: bool = True
    create_new_visit_when_website_referrer_changes: bool = False
    enable_userid_overwrites_visitorid: bool = True
    # A custom timestamp older than this (seconds) needs token_auth.
    cdt_requires_auth_older_than: int = 86_400
    # Hits older than this (days) are refused even with a token: raw data retention.
    raw_data_retention_days: int = 3650
    bulk_requires_authentication: bool = False
    max_request_bytes: int = 64 * 1024
    max_bulk_bytes: int = 8 * 1024 * 1024
    max_bulk_requests: int = 10_000
    honour_do_not_track: bool = False
    # Rejected hits listed by `analytics-server failures` are kept this long.
    failure_retention_days: int = Field(default=30, ge=1)
    # Reverse proxies (IPs or CIDR) whose X-Forwarded-For is believed: the client IP is the
    # rightmost address in it that is not one of them. "*" trusts any peer (only when nothing
    # but the proxy can reach the server). Empty: the TCP peer is the client.
    trusted_proxies: list[str] = []
    exclude_requests: str = ""


class PrivacySettings(BaseModel):
    """Global privacy defaults; sites may override the IP mask."""

    ip_anonymisation_bytes: int = Field(default=2, ge=0, le=3)
    use_anonymised_ip_for_enrichment: bool = False
    excluded_ips: list[str] = []
    excluded_user_agents: list[str] = []
    excluded_query_params: list[str] = []


class EnrichmentSettings(BaseModel):
    """Local data for enrichment: GeoIP file, intranet locations, extra referrer lists."""

    geoip_mmdb_path: str | None = None
    # CIDR -> name, e.g. {"10.1.0.0/16": "Moscow office"}
    named_locations: dict[str, str] = {}
    referrer_lists_dir: str | None = None


class IngestSettings(BaseModel):
    """The queue between the tracking endpoint and the workers that write raw logs."""

    # embedded: a SQLite spool file, consumed by the web process itself (no Redis needed).
    # redis: Redis streams, consumed by `analytics-server worker` (Celery).
    backend: Literal["embedded", "redis"] = "embedded"
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = "ingest"  # key prefix, so installations can share a Redis
    partitions: int = Field(default=4, ge=1, le=256)
    spool_path: str | None = None  # default: <data_dir>/ingest-spool.sqlite3
    batch_size: int = Field(default=1000, ge=1, le=10_000)
    # Process each accepted request before answering (tests and debugging only).
    inline: bool = False
    # Whether `serve` consumes the queue; default: yes for embedded, no for redis.
    consume_in_process: bool | None = None
    # How `serve` consumes: a child process (its own core) or a thread (shares the GIL).
    consumer: Literal["process", "thread"] = "process"
    lock_ttl_ms: int = 15_000
    # Idempotency keys are kept this long: a batch redelivered later would be counted twice.
    key_retention_days: int = Field(default=7, ge=1)
    # Back-pressure: once this many hits wait (workers stopped or far behind), the endpoint
    # answers 503 instead of queueing more, so that Redis memory or the spool's disk does not
    # run out; trackers that retry send the hits again later. 0: no limit.
    max_queued_hits: int = Field(default=0, ge=0)

    def consumes_in_process(self) -> bool:
        if self.consume_in_process is not None:
            return self.consume_in_process
        return self.backend == "embedded"


class _TimerSettings(BaseModel):
    """A job run every `interval_seconds`: by Celery beat, or by a timer in `serve`."""

    # Whether `serve` runs the job itself; default: yes for the embedded ingest backend, no for
    # redis (Celery beat schedules it for the workers).
    schedule_in_process: bool | None = None
    interval_seconds: int = Field(default=300, ge=10)

    def schedules_in_process(self, ingest: IngestSettings) -> bool:
        if self.schedule_in_process is not None:
            return self.schedule_in_process
        return ingest.backend == "embedded"


class ArchivingSettings(_TimerSettings):
    """When reports are computed from the raw logs (see analytics_server/archiving)."""

    # Missing days archived per site and run (newest first); the rest follow in later runs.
    max_days_per_run: int = Field(default=31, ge=1)


class ReportsSettings(BaseModel):
    """The Reporting API."""

    # A segment that is not stored (not archived in advance) is computed from the raw logs on
    # request, for periods of at most this many days; longer ones are refused with a message.
    adhoc_segment_max_days: int = Field(default=93, ge=1)


class EmailSettings(_TimerSettings):
    """The SMTP server scheduled reports go through, and when they are sent (`email.send_due`)."""

    # Empty: email is not configured; due reports wait (nothing is claimed) until it is.
    smtp_host: str = ""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    # none: plain SMTP (a relay inside the network); starttls: upgrade on the submission
    # port (587); ssl: TLS from the first byte (465).
    security: Literal["none", "starttls", "ssl"] = "none"
    login: str = ""
    password: SecretStr = SecretStr("")
    from_address: str = "analytics@localhost"
    from_name: str = "Analytics"
    timeout_seconds: float = Field(default=30.0, gt=0)
    # Transient failures (connection refused, 4xx answers) are retried this many times in
    # one run, waiting backoff_seconds, then twice that, and so on.
    retries: int = Field(default=3, ge=0, le=10)
    backoff_seconds: float = Field(default=5.0, ge=0)
    # A sending that failed transiently is tried again by later runs for this long.
    retry_window_hours: int = Field(default=24, ge=0)

    @property
    def configured(self) -> bool:
        return bool(self.smtp_host.strip())


class Settings(BaseSettings):
    """All settings; with none given, the server runs embedded on SQLite."""

    model_config = SettingsConfigDict(
        env_prefix="ANALYTICS_", env_nested_delimiter="__", extra="ignore"
    )

    database: DatabaseSettings = DatabaseSettings()
    tracker: TrackerSettings = TrackerSettings()
    privacy: PrivacySettings = PrivacySettings()
    enrichment: EnrichmentSettings = EnrichmentSettings()
    ingest: IngestSettings = IngestSettings()
    archiving: ArchivingSettings = ArchivingSettings()
    reports: ReportsSettings = ReportsSettings()
    email: EmailSettings = EmailSettings()
    # Instance salt for fingerprints and user id hashing; generated into the data dir if unset.
    salt: SecretStr = SecretStr("")
    data_dir: Path = Path("./var")
    host: str = "127.0.0.1"
    port: int = 8000
    # Which requests `serve` logs: all, all but tracking hits (pages), or none (off).
    access_log: Literal["all", "pages", "off"] = "pages"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
