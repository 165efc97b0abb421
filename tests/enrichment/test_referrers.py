"""Tests for referrer and campaign classification and the referrer definition lists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics_server.enrichment.referrer_lists import HostIndex, ReferrerLists
from analytics_server.enrichment.referrers import (
    CAMPAIGN,
    DIRECT,
    REFERRER_TYPE_NAMES,
    SEARCH,
    SOCIAL,
    WEBSITE,
    Referrer,
    classify,
)

SITE_HOSTS = ("example.org", "shop.example.org")
PAGE = "https://example.org/landing"


def referrer_of(referrer_url: str, page_url: str = PAGE) -> Referrer:
    return classify(page_url=page_url, referrer_url=referrer_url, site_hosts=SITE_HOSTS)


@pytest.mark.parametrize(
    ("referrer_url", "expected_type", "name", "keyword"),
    [
        (
            "https://www.google.com/search?q=Matomo+Alternative",
            SEARCH,
            "Google",
            "matomo alternative",
        ),
        ("https://www.google.com/", SEARCH, "Google", ""),
        ("https://www.google.co.uk/", SEARCH, "Google", ""),
        ("https://images.google.com.br/imgres?q=gato", SEARCH, "Google", "gato"),
        ("https://www.google.de/url?sa=t#q=fragment+words", SEARCH, "Google", "fragment words"),
        (
            "android-app://com.google.android.googlequicksearchbox/https/www.google.com",
            SEARCH,
            "Google",
            "",
        ),
        (
            "https://yandex.ru/search/?text=%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82",
            SEARCH,
            "Yandex",
            "привет",
        ),
        ("https://yandex.com.tr/search/?text=merhaba", SEARCH, "Yandex", "merhaba"),
        ("https://ya.ru/search/?text=tracker", SEARCH, "Yandex", "tracker"),
        ("https://www.bing.com/search?q=web+analytics&form=QBLH", SEARCH, "Bing", "web analytics"),
        ("https://duckduckgo.com/?q=privacy+analytics", SEARCH, "DuckDuckGo", "privacy analytics"),
        ("https://www.baidu.com/s?wd=%E7%BB%9F%E8%AE%A1", SEARCH, "Baidu", "统计"),
        ("https://uk.search.yahoo.com/search?p=Stats", SEARCH, "Yahoo!", "stats"),
        ("https://search.yahoo.co.jp/search?p=abc", SEARCH, "Yahoo! Japan", "abc"),
        ("https://www.ecosia.org/search?q=trees", SEARCH, "Ecosia", "trees"),
        ("https://search.brave.com/search?q=brave", SEARCH, "Brave Search", "brave"),
        ("https://search.naver.com/search.naver?query=analytics", SEARCH, "Naver", "analytics"),
        ("https://go.mail.ru/search?q=pochta", SEARCH, "Mail.ru", "pochta"),
        ("https://www.facebook.com/", SOCIAL, "Facebook", ""),
        ("https://l.facebook.com/l.php?u=https%3A%2F%2Fexample.org", SOCIAL, "Facebook", ""),
        ("https://t.co/AbCdEf", SOCIAL, "X (Twitter)", ""),
        ("https://x.com/someone/status/1", SOCIAL, "X (Twitter)", ""),
        ("https://www.linkedin.com/feed/", SOCIAL, "LinkedIn", ""),
        ("https://lnkd.in/abc", SOCIAL, "LinkedIn", ""),
        ("https://vk.com/wall-1_2", SOCIAL, "VKontakte", ""),
        ("https://ok.ru/group/1", SOCIAL, "Odnoklassniki", ""),
        ("https://t.me/channel/5", SOCIAL, "Telegram", ""),
        ("https://old.reddit.com/r/selfhosted/", SOCIAL, "Reddit", ""),
        ("https://youtu.be/xyz", SOCIAL, "YouTube", ""),
        ("https://mastodon.social/@someone", SOCIAL, "Mastodon", ""),
        ("https://www.pinterest.co.uk/pin/1/", SOCIAL, "Pinterest", ""),
        ("https://habr.com/ru/articles/1/", WEBSITE, "habr.com", ""),
        ("https://www.random-blog.net/post?id=1", WEBSITE, "random-blog.net", ""),
        ("https://mail.example.com/inbox", WEBSITE, "mail.example.com", ""),
        ("https://google.blogspot.com/", WEBSITE, "google.blogspot.com", ""),
        ("https://look.ru/", WEBSITE, "look.ru", ""),
        ("www.no-scheme.org/page", WEBSITE, "no-scheme.org", ""),
        ("https://example.org/other-page", DIRECT, "", ""),
        ("https://www.example.org/other-page", DIRECT, "", ""),
        ("http://shop.example.org:8080/cart", DIRECT, "", ""),
        ("", DIRECT, "", ""),
        ("   ", DIRECT, "", ""),
        ("about:blank", DIRECT, "", ""),
        ("http://[broken/", DIRECT, "", ""),
    ],
)
def test_referrer_table(referrer_url: str, expected_type: int, name: str, keyword: str) -> None:
    referrer = referrer_of(referrer_url)

    assert (referrer.type, referrer.name, referrer.keyword) == (expected_type, name, keyword)


def test_search_result_keeps_the_referrer_url() -> None:
    url = "https://www.bing.com/search?q=x"

    assert referrer_of(url).url == url


def test_direct_entry_has_no_url() -> None:
    assert referrer_of("https://example.org/").url == ""


def test_subdomain_of_site_host_is_a_website_not_direct() -> None:
    assert referrer_of("https://blog.example.org/").type == WEBSITE


def test_page_host_counts_as_own_host() -> None:
    referrer = classify(
        page_url="https://intranet.local/page",
        referrer_url="https://intranet.local/other",
        site_hosts=(),
    )

    assert referrer.type == DIRECT


def test_site_hosts_given_as_urls_and_wildcards() -> None:
    hosts = ("https://www.corp.example/", "*.apps.example")

    for url in ("https://corp.example/x", "https://a.b.apps.example/", "https://apps.example/"):
        assert classify(page_url=PAGE, referrer_url=url, site_hosts=hosts).type == DIRECT


def test_url_is_cut_to_1500_characters() -> None:
    url = "https://www.random-blog.net/?" + "a" * 3000

    assert len(referrer_of(url).url) == 1500


def test_utm_campaign_with_source_medium_content() -> None:
    page = (
        "https://example.org/?utm_campaign=Spring_Sale&utm_source=Newsletter&utm_medium=Email"
        "&utm_content=Header+Banner&utm_term=Red+Shoes&utm_id=42"
    )

    referrer = referrer_of("https://mail.provider.net/", page)

    assert referrer == Referrer(
        type=CAMPAIGN,
        name="spring_sale",
        keyword="red shoes",
        url="https://mail.provider.net/",
        campaign_source="Newsletter",
        campaign_medium="Email",
        campaign_content="Header Banner",
        campaign_id="42",
    )


def test_mtm_campaign_with_group_and_placement() -> None:
    page = "https://example.org/?mtm_campaign=Launch&mtm_kwd=Beta&mtm_group=G1&mtm_placement=top"

    referrer = referrer_of("", page)

    assert (referrer.type, referrer.name, referrer.keyword) == (CAMPAIGN, "launch", "beta")
    assert (referrer.campaign_group, referrer.campaign_placement) == ("G1", "top")


def test_pk_campaign_and_keyword_are_lower_cased() -> None:
    referrer = referrer_of(
        "https://www.google.com/", "https://example.org/?pk_campaign=NEWS&pk_kwd=TOP-Link"
    )

    assert (referrer.type, referrer.name, referrer.keyword) == (CAMPAIGN, "news", "top-link")
    assert referrer.url == "https://www.google.com/"


def test_campaign_name_priority_follows_parameter_order() -> None:
    page = "https://example.org/?utm_campaign=second&pk_campaign=first&utm_source=third"

    assert referrer_of("", page).name == "first"


def test_utm_source_alone_names_the_campaign() -> None:
    referrer = referrer_of("", "https://example.org/?utm_source=Partner")

    assert (referrer.type, referrer.name, referrer.campaign_source) == (
        CAMPAIGN,
        "partner",
        "Partner",
    )


@pytest.mark.parametrize(
    "page",
    [
        "https://example.org/#pk_campaign=Fragment&pk_kwd=Word",
        "https://example.org/app#/route?mtm_campaign=Fragment&mtm_kwd=Word",
    ],
)
def test_campaign_in_fragment(page: str) -> None:
    referrer = referrer_of("", page)

    assert (referrer.type, referrer.name, referrer.keyword) == (CAMPAIGN, "fragment", "word")


def test_query_campaign_beats_fragment_campaign() -> None:
    assert (
        referrer_of("", "https://example.org/?pk_campaign=query#pk_campaign=frag").name == "query"
    )


def test_attribution_cookie_campaign() -> None:
    referrer = classify(
        page_url=PAGE,
        referrer_url="https://www.google.com/",
        site_hosts=SITE_HOSTS,
        attribution_campaign=("Winter Promo", "Boots"),
    )

    assert (referrer.type, referrer.name, referrer.keyword) == (CAMPAIGN, "winter promo", "boots")


def test_url_campaign_beats_attribution_cookie() -> None:
    referrer = classify(
        page_url="https://example.org/?mtm_campaign=fresh",
        referrer_url="",
        site_hosts=SITE_HOSTS,
        attribution_campaign=("stale", ""),
    )

    assert referrer.name == "fresh"


def test_empty_attribution_campaign_is_ignored() -> None:
    referrer = classify(
        page_url=PAGE, referrer_url="", site_hosts=SITE_HOSTS, attribution_campaign=("", "kw")
    )

    assert referrer.type == DIRECT


@pytest.mark.parametrize("param", ["ignore_referrer=1", "ignore_referer=1", "ignore_referrer="])
def test_ignore_referrer_makes_direct(param: str) -> None:
    referrer = referrer_of("https://www.google.com/search?q=x", f"https://example.org/?{param}")

    assert referrer == Referrer(type=DIRECT)


def test_ignore_referrer_zero_keeps_referrer() -> None:
    referrer = referrer_of("https://www.google.com/", "https://example.org/?ignore_referrer=0")

    assert referrer.type == SEARCH


def test_ignore_referrer_keeps_campaign() -> None:
    referrer = referrer_of(
        "https://x.com/", "https://example.org/?mtm_campaign=c&ignore_referrer=1"
    )

    assert (referrer.type, referrer.name, referrer.url) == (CAMPAIGN, "c", "")


def test_hostile_strings_pass_through_as_data() -> None:
    hostile = "\"'><script>alert(1)</script>"
    page = (
        "https://example.org/?utm_campaign="
        + hostile.replace("&", "%26")
        + "&utm_content=%22%3Cb%3E"
    )

    referrer = referrer_of("https://www.bing.com/search?q=%3Cscript%3E%22'", page)
    search = referrer_of("https://www.bing.com/search?q=%3Cscript%3E%22'")

    assert (referrer.name, referrer.campaign_content) == (hostile, '"<b>')
    assert search.keyword == "<script>\"'"


def test_hostile_host_is_a_website() -> None:
    referrer = referrer_of('https://evil"<script>.example.net/')

    assert (referrer.type, referrer.name) == (WEBSITE, 'evil"<script>.example.net')


def test_type_names() -> None:
    assert REFERRER_TYPE_NAMES == {
        1: "direct",
        2: "search",
        3: "website",
        6: "campaign",
        7: "social",
    }
    assert Referrer(type=SOCIAL).type_name == "social"


def test_bundled_list_sizes() -> None:
    data = Path(__file__).parents[2] / "analytics_server" / "enrichment" / "data"
    engines = json.loads((data / "search_engines.json").read_text("utf-8"))["search_engines"]
    socials = json.loads((data / "social_networks.json").read_text("utf-8"))["social_networks"]

    assert len(engines) >= 30
    assert len(socials) >= 25


def test_extra_dir_adds_an_intranet_search_engine(tmp_path: Path) -> None:
    (tmp_path / "intranet.json").write_text(
        json.dumps(
            {
                "search_engines": [
                    {
                        "name": "Wiki Search",
                        "hosts": ["wiki.corp.local"],
                        "keyword_params": ["Search"],
                    }
                ],
                "social_networks": [{"name": "Corp Chat", "hosts": ["chat.corp.local"]}],
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    lists = ReferrerLists.load(str(tmp_path))

    def run(url: str) -> Referrer:
        return classify(page_url=PAGE, referrer_url=url, site_hosts=SITE_HOSTS, lists=lists)

    wiki = run("https://wiki.corp.local/index.php?search=Holiday+Plan")
    assert (wiki.type, wiki.name, wiki.keyword) == (SEARCH, "Wiki Search", "holiday plan")
    assert (run("https://chat.corp.local/c/1").type, run("https://chat.corp.local/").name) == (
        SOCIAL,
        "Corp Chat",
    )
    assert run("https://www.google.com/").name == "Google"
    assert ReferrerLists.load(str(tmp_path)) is lists


def test_extra_dir_overrides_bundled_entry(tmp_path: Path) -> None:
    (tmp_path / "override.json").write_text(
        json.dumps({"social_networks": [{"name": "Twitter", "hosts": ["t.co"]}]}), encoding="utf-8"
    )

    lists = ReferrerLists.load(str(tmp_path))

    assert lists.social_network("t.co") == "Twitter"
    assert lists.social_network("x.com") == "X (Twitter)"


def test_missing_extra_dir_uses_bundled_lists(tmp_path: Path) -> None:
    lists = ReferrerLists.load(str(tmp_path / "missing"))

    assert lists.search_engine("www.bing.com") is not None


def test_malformed_document_adds_nothing() -> None:
    lists = ReferrerLists()
    bad = {"search_engines": [{"name": "A", "hosts": ["a.example"]}, {"hosts": ["b.example"]}]}

    with pytest.raises(ValueError, match="without a name"):
        lists.add_document(bad)
    assert lists.search_engine("a.example") is None


def test_host_index_prefers_longest_suffix_then_wildcards() -> None:
    index: HostIndex[str] = HostIndex()
    index.add("example.com", "plain")
    index.add("deep.example.com", "deep")
    index.add("example.*", "wild")

    assert index.find("a.deep.example.com") == "deep"
    assert index.find("www.example.com") == "plain"
    assert index.find("example.co.uk") == "wild"
    assert index.find("example.evil.attacker.net") is None
    assert index.find("notexample.com") is None
