"""Which hits the endpoint leaves for the worker to judge, and what it passes on for that."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from analytics_server.tracking import messages
from analytics_server.tracking.request import ServerFacts
from analytics_server.tracking.validation import RawHit, judged_by_worker, judging_headers


def facts(source: str = "browser", headers: dict[str, str] | None = None) -> ServerFacts:
    return ServerFacts(
        ip="198.51.100.7",
        user_agent="Mozilla/5.0",
        accept_language="en",
        referer_header="",
        received_at=datetime(2026, 3, 10, 12, tzinfo=UTC),
        source=source,
        headers=headers or {},
    )


PLAIN = {"idsite": "1", "rec": "1", "url": "https://portal.example.com/", "send_image": "0"}


def test_a_plain_browser_hit_is_judged_by_the_worker() -> None:
    assert judged_by_worker(RawHit(PLAIN, facts()))


@pytest.mark.parametrize(
    "extra", ["token_auth", "cip", "cdt", "country", "region", "city", "lat", "long", "ec_id"]
)
def test_hits_needing_a_token_or_an_order_lookup_are_judged_by_the_endpoint(extra: str) -> None:
    assert not judged_by_worker(RawHit({**PLAIN, extra: "x"}, facts()))


@pytest.mark.parametrize("source", ["sdk", "bulk"])
def test_sdk_and_bulk_hits_are_judged_by_the_endpoint_to_answer_400(source: str) -> None:
    assert not judged_by_worker(RawHit(PLAIN, facts(source)))


def test_an_undecodable_hit_is_judged_by_the_endpoint() -> None:
    assert not judged_by_worker(RawHit(PLAIN, facts(), decode_error="not UTF-8"))


def test_only_the_signal_headers_travel_and_no_cookie_value() -> None:
    headers = {
        "dnt": "1",
        "sec-purpose": "prefetch",
        "cookie": "session=secret; matomo_ignore=1",
        "authorization": "Bearer secret",
        "user-agent": "Mozilla/5.0",
    }
    assert judging_headers(headers) == {
        "dnt": "1",
        "sec-purpose": "prefetch",
        "cookie": "matomo_ignore=",
    }
    body = messages.encode(kind=messages.KIND_UNJUDGED, params=PLAIN, facts=facts(headers=headers))
    assert b"secret" not in body
    assert messages.decode(body).facts.headers == judging_headers(headers)


def test_hits_the_endpoint_judged_carry_no_headers() -> None:
    body = messages.encode(kind=messages.KIND_HIT, params=PLAIN, facts=facts(headers={"dnt": "1"}))
    assert messages.decode(body).facts.headers == {}
