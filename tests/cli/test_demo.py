import itertools
import json
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from analytics_server.cli.demo import (
    DemoSummary,
    bulk_payloads,
    generate_demo_hits,
    send_demo_traffic,
)

START = datetime(2024, 10, 1, 6, 30, tzinfo=UTC)
END = START + timedelta(days=30)
COMMON = (
    "idsite", "rec", "cdt", "_id", "url", "urlref", "res", "ua", "lang", "cip", "h", "m", "s",
    "send_image",
)  # fmt: skip
TIMINGS = ("pf_net", "pf_srv", "pf_tfr", "pf_dm1", "pf_dm2", "pf_onl")
ACTION_KEYS = ("download", "link", "e_c", "c_n", "search", "idgoal", "ping")


@pytest.fixture(scope="module")
def hits() -> list[dict[str, str]]:
    return generate_demo_hits(idsite=7, start=START)


def requests_of(payload: dict[str, object]) -> list[str]:
    requests = payload["requests"]
    assert isinstance(requests, list)
    return requests


def is_page_view(hit: dict[str, str]) -> bool:
    return not any(key in hit for key in ACTION_KEYS)


def test_same_seed_same_hits_other_seed_other_hits(hits):
    assert generate_demo_hits(idsite=7, start=START) == hits
    assert generate_demo_hits(idsite=7, start=START, seed=2) != hits


def test_every_hit_is_a_complete_tracking_request_inside_the_window(hits):
    assert len(hits) > 2000
    for hit in hits:
        assert all(isinstance(v, str) for v in hit.values())
        assert set(COMMON) <= hit.keys(), hit
        assert hit["idsite"] == "7"
        assert hit["rec"] == "1"
        assert hit["send_image"] == "0"
        assert START.timestamp() <= int(hit["cdt"]) < END.timestamp()
        assert len(hit["_id"]) == 16
        int(hit["_id"], 16)
        assert hit["url"].startswith("https://portal.example.com/")
        assert 0 <= int(hit["h"]) < 24
        assert 0 <= int(hit["m"]) < 60
        assert 0 <= int(hit["s"]) < 60
        if is_page_view(hit):
            assert hit["action_name"]
            assert len(hit["pv_id"]) == 6
            assert all(int(hit[name]) >= 0 for name in TIMINGS)
    assert [int(h["cdt"]) for h in hits] == sorted(int(h["cdt"]) for h in hits)


def test_traffic_shape(hits):
    visitors = {hit["_id"] for hit in hits}
    assert 300 <= len(visitors) <= 400
    days = Counter(datetime.fromtimestamp(int(h["cdt"]), tz=UTC).weekday() for h in hits)
    assert sum(days[d] for d in range(5)) / 5 > 2 * (days[5] + days[6]) / 2
    hours = Counter(int(hit["h"]) for hit in hits)
    assert sum(hours[h] for h in range(9, 18)) > 3 * sum(hours[h] for h in (0, 1, 2, 3, 4, 22, 23))
    # a visitor keeps its id and network over its visits
    ips: dict[str, set[str]] = {}
    for hit in hits:
        ips.setdefault(hit["_id"], set()).add(hit["cip"])
    assert all(len(seen) == 1 for seen in ips.values())
    assert {ip.split(".")[0] for seen in ips.values() for ip in seen} == {"10", "192", "198", "203"}


def test_variety_of_actions(hits):
    events = {(h["e_c"], h["e_a"]) for h in hits if "e_c" in h}
    assert {("Downloads", "Software"), ("Article", "radio-button click"), ("Login", "success")} <= (
        events
    )
    assert any("e_v" in h for h in hits)
    assert any(h.get("download", "").endswith(".zip") for h in hits)
    assert any(h.get("download", "").endswith(".pdf") for h in hits)
    assert any("link" in h for h in hits)
    searches = [h for h in hits if "search" in h]
    assert {h["search_count"] for h in searches} >= {"0"}
    assert any(int(h["search_count"]) > 0 for h in searches)
    assert all(h["search_cat"] for h in searches)
    assert any(h.get("idgoal") == "1" and "revenue" in h for h in hits)
    assert any(h.get("idgoal") == "1" and "revenue" not in h for h in hits)
    assert any(h.get("ping") == "1" for h in hits)
    assert any("c_n" in h and "c_i" not in h for h in hits)
    assert any("c_i" in h for h in hits)


def test_ecommerce_orders_and_cart_updates(hits):
    orders = [h for h in hits if h.get("idgoal") == "0" and "ec_id" in h]
    carts = [h for h in hits if h.get("idgoal") == "0" and "ec_id" not in h]
    assert 1 <= len(orders) <= 2
    assert carts
    for order in orders:
        items = json.loads(order["ec_items"])
        sku, name, category, price, quantity = items[0]
        assert isinstance(sku, str)
        assert name
        assert category
        subtotal = sum(item[3] * item[4] for item in items)
        assert float(order["ec_st"]) == pytest.approx(subtotal)
        total = subtotal + float(order["ec_tx"]) + float(order["ec_sh"]) - float(order["ec_dt"])
        assert float(order["revenue"]) == pytest.approx(total)
        assert price > 0
        assert quantity >= 1


def test_referrers_campaigns_languages_devices(hits):
    refs = " ".join(h["urlref"] for h in hits)
    assert "google.com/search?q=" in refs
    assert "yandex.ru/search/?text=" in refs
    assert "linkedin.com" in refs
    assert "partner-hub.example.net" in refs
    assert any(h["urlref"] == "" for h in hits)  # direct entries
    assert any("utm_campaign=" in h["url"] for h in hits)
    assert any("mtm_campaign=" in h["url"] for h in hits)
    titles = {h["action_name"] for h in hits if "action_name" in h}
    assert "Документация" in titles
    assert "Documentation" in titles
    agents = " ".join({h["ua"] for h in hits})
    for family in ("Windows NT", "Macintosh", "Linux x86_64", "Android", "iPhone", "iPad"):
        assert family in agents
    for browser in ("Chrome/", "Firefox/", "Edg/", "Version/17"):
        assert browser in agents
    assert {h["lang"][:2] for h in hits} == {"en", "de", "ru"}


def test_user_ids_and_dimensions_follow_sign_in(hits):
    by_visitor: dict[str, list[dict[str, str]]] = {}
    for hit in hits:
        by_visitor.setdefault(hit["_id"], []).append(hit)
    signed_in = [v for v in by_visitor.values() if any("uid" in h for h in v)]
    assert len(signed_in) > 50
    for visitor_hits in signed_in:
        first = next(i for i, h in enumerate(visitor_hits) if "uid" in h)
        assert visitor_hits[first]["url"].endswith("/login")
        assert len({h["uid"] for h in visitor_hits if "uid" in h}) == 1
    identified = [h for h in hits if "uid" in h]
    assert all(h["dimension1"] and h["dimension2"] for h in identified)
    assert any("«" in h["dimension1"] for h in identified)
    assert not any("dimension1" in h for h in hits if "uid" not in h)
    sections = {h["dimension3"] for h in hits if "dimension3" in h}
    assert {"Installation", "API"} <= sections
    assert all(h["url"].split("/")[3] == "docs" for h in hits if "dimension3" in h)


def test_visits_are_spaced_with_realistic_gaps(hits):
    by_visitor: dict[str, list[int]] = {}
    for hit in hits:
        if is_page_view(hit):
            by_visitor.setdefault(hit["_id"], []).append(int(hit["cdt"]))
    gaps = [b - a for times in by_visitor.values() for a, b in itertools.pairwise(times)]
    in_visit = [gap for gap in gaps if gap < 1800]
    assert in_visit
    assert min(in_visit) >= 20
    assert sorted(in_visit)[len(in_visit) // 2] <= 240
    assert any(gap > 3 * 3600 for gap in gaps)  # returning visitors


def test_window_is_respected_for_short_and_offset_periods():
    start = datetime(2024, 3, 9, 23, 59, 59, 500_000, tzinfo=timezone(timedelta(hours=3)))
    hits = generate_demo_hits(idsite=1, start=start, days=1, visitors=30, seed=5)
    assert hits
    assert all(start.timestamp() <= int(h["cdt"]) < start.timestamp() + 86_400 for h in hits)


def test_naive_start_and_empty_periods_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        generate_demo_hits(idsite=1, start=datetime(2024, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="at least 1"):
        generate_demo_hits(idsite=1, start=START, days=0)


def test_bulk_payloads_chunk_query_strings_that_round_trip(hits):
    sample = hits[:450]
    payloads = list(bulk_payloads(sample, token_auth="tok", chunk=200))
    assert [len(requests_of(p)) for p in payloads] == [200, 200, 50]
    decoded = []
    for payload in payloads:
        assert set(payload) == {"requests", "token_auth"}
        assert payload["token_auth"] == "tok"
        for request in requests_of(payload):
            assert request.startswith("?")
            decoded.append(
                dict(parse_qsl(request[1:], keep_blank_values=True, strict_parsing=True))
            )
    assert decoded == sample
    assert json.loads(json.dumps(payloads)) == payloads
    with pytest.raises(ValueError, match="chunk"):
        list(bulk_payloads(sample, token_auth="tok", chunk=0))


def test_send_demo_traffic_posts_json_bulks_to_the_tracker():
    received: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == "POST"
        assert urlsplit(str(request.url)).path == "/matomo.php"
        assert request.headers["content-type"] == "application/json"
        body = json.loads(request.content)
        received.append(body)
        requests = body["requests"]
        bad = sum(1 for r in requests if "ec_id=" in r)  # pretend orders are duplicates
        return httpx.Response(
            200, json={"status": "success", "tracked": len(requests) - bad, "invalid": bad}
        )

    calls: list[tuple[int, int]] = []
    transport = httpx.MockTransport(handler)
    with httpx.Client(transport=transport, base_url="http://tracker.test") as client:
        summary = send_demo_traffic(
            client,
            idsite=3,
            token_auth="secret",
            start=START,
            days=7,
            visitors=60,
            progress=lambda sent, total: calls.append((sent, total)),
        )
    expected = generate_demo_hits(idsite=3, start=START, days=7, visitors=60)
    sent = [
        dict(parse_qsl(r[1:], keep_blank_values=True)) for b in received for r in requests_of(b)
    ]
    assert sent == expected
    assert all(set(body) == {"requests", "token_auth"} for body in received)
    assert all(body["token_auth"] == "secret" for body in received)
    assert all(len(requests_of(body)) <= 200 for body in received)
    orders = sum(1 for h in expected if "ec_id" in h)
    assert summary == DemoSummary(
        visits=summary.visits, hits=len(expected), tracked=len(expected) - orders, invalid=orders
    )
    assert len({h["_id"] for h in expected}) <= summary.visits <= 4 * 60
    assert calls[-1] == (len(expected), len(expected))
    assert len(calls) == len(received)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(400, json={"status": "error", "tracked": 0, "invalid": 0}),
        httpx.Response(200, json={"status": "error"}),
        httpx.Response(200, text="<html>proxy error</html>"),
    ],
)
def test_send_demo_traffic_fails_loudly_on_a_bad_answer(answer):
    transport = httpx.MockTransport(lambda _request: answer)
    with (
        httpx.Client(transport=transport, base_url="http://tracker.test") as client,
        pytest.raises(RuntimeError, match="refused demo traffic"),
    ):
        send_demo_traffic(client, idsite=1, token_auth="t", start=START, days=2, visitors=5)
