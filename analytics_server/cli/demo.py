"""Generates realistic partner-portal demo traffic as Matomo Tracking HTTP API requests."""

from __future__ import annotations

import json
import math
import random
import string
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

import httpx

Hit = dict[str, str]

_DAY = 86_400
_VISIT_ROOM = 2 * 3600  # a simulated visit always ends well within this
_CHUNK = 200
_PV_ALPHABET = string.ascii_letters + string.digits
_PF_NAMES = ("pf_net", "pf_srv", "pf_tfr", "pf_dm1", "pf_dm2", "pf_onl")


@dataclass(frozen=True)
class DemoSummary:
    """What a demo run generated and what the tracker said it accepted."""

    visits: int
    hits: int
    tracked: int
    invalid: int


@dataclass(frozen=True)
class _Page:
    path: str
    weight: int  # how often visitors wander here; 0 = only reached on purpose
    title: str
    title_ru: str
    section: str = ""  # documentation section, sent as action-scope dimension3


@dataclass(frozen=True)
class _Partner:
    name: str
    net: str  # office network prefix; 10.x is the vendor's own office
    first_host: int
    tz: int  # UTC offset in hours of the visitors' browser clocks
    lang: str


@dataclass(frozen=True)
class _Visitor:
    vid: str
    partner: _Partner
    ip: str
    ua: str
    res: str
    mobile: bool
    lang: str
    role: str
    login: str | None


def _table(text: str) -> list[list[str]]:
    """Rows of a `|`-separated text table, cells stripped."""
    return [[cell.strip() for cell in line.split("|")] for line in text.strip().splitlines()]


_PAGES = {
    row[0]: _Page(row[0], int(row[1]), row[2], row[3], *row[4:])
    for row in _table("""
    /                           | 6 | Partner Portal        | Партнёрский портал
    /docs/                      | 8 | Documentation         | Документация
    /docs/installation/linux    | 9 | Installing on Linux   | Установка в Linux     | Installation
    /docs/installation/windows  | 7 | Installing on Windows | Установка в Windows   | Installation
    /docs/api/rest              | 6 | REST API reference    | Справочник REST API   | API
    /docs/admin/backup          | 4 | Backup and restore    | Резервное копирование | Administration
    /docs/release-notes/7.2     | 5 | Release notes 7.2     | Что нового в 7.2      | Release notes
    /downloads/                 | 6 | Downloads             | Загрузки
    /downloads/product-x        | 8 | Product X downloads   | Загрузки Product X
    /downloads/product-y        | 5 | Product Y downloads   | Загрузки Product Y
    /products/                  | 4 | Products              | Продукты
    /products/product-x         | 5 | Product X             | Product X
    /products/product-y         | 4 | Product Y             | Product Y
    /products/licences          | 2 | Licences and pricing  | Лицензии и цены
    /products/licences/checkout | 0 | Checkout              | Оформление заказа
    /support/tickets            | 5 | Support tickets       | Заявки в поддержку
    /support/tickets/new        | 3 | New support ticket    | Новая заявка
    /login                      | 0 | Sign in               | Вход
    /account                    | 3 | My account            | Личный кабинет
    /account/company            | 1 | Company profile       | Профиль компании
    """)
}
_BROWSE = {path: page.weight for path, page in _PAGES.items() if page.weight}
_PARTNERS = [  # each with a weight
    (_Partner(row[0], row[1], int(row[2]), int(row[3]), row[4]), int(row[5]))
    for row in _table("""
    Acme Integration GmbH   | 203.0.113.  | 10 |  1 | de | 12
    Nordlicht IT AG         | 203.0.113.  | 40 |  1 | de |  8
    Rheinwerk Systems GmbH  | 203.0.113.  | 70 |  1 | de |  6
    ГК «ТехноСервис»        | 198.51.100. | 10 |  3 | ru | 12
    Сибирские сети          | 198.51.100. | 40 |  7 | ru |  6
    Volga Soft LLC          | 198.51.100. | 70 |  4 | ru |  6
    Bluefield Networks Inc. | 192.0.2.    | 10 | -5 | en | 10
    Summit Data Partners    | 192.0.2.    | 40 | -6 | en |  8
    Lakeside IT Services    | 192.0.2.    | 70 | -8 | en |  6
    Example Vendor (staff)  | 10.20.      |  0 |  3 | en | 10
    """)
]
_BROWSER_TAILS = {
    "chrome": "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "edge": "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
    "firefox": "Gecko/20100101 Firefox/125.0",
    "safari": "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
    "chrome-mobile": "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
    "ios": "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
}
_DEVICES = [  # user agent, screen, mobile, weight
    (f"Mozilla/5.0 ({row[3]}) {_BROWSER_TAILS[row[4]]}", row[1], row[2] == "mobile", int(row[0]))
    for row in _table("""
    30 | 1920x1080 | desktop | Windows NT 10.0; Win64; x64                 | chrome
    12 | 1920x1080 | desktop | Windows NT 10.0; Win64; x64                 | edge
     8 | 1366x768  | desktop | Windows NT 10.0; Win64; x64; rv:125.0       | firefox
     8 | 1440x900  | desktop | Macintosh; Intel Mac OS X 10_15_7           | chrome
     6 | 2560x1600 | desktop | Macintosh; Intel Mac OS X 10_15_7           | safari
     5 | 1920x1080 | desktop | X11; Ubuntu; Linux x86_64; rv:125.0         | firefox
     3 | 2560x1440 | desktop | X11; Linux x86_64                           | chrome
    12 | 412x915   | mobile  | Linux; Android 14; SM-S921B                 | chrome-mobile
    10 | 390x844   | mobile  | iPhone; CPU iPhone OS 17_4_1 like Mac OS X  | ios
     4 | 820x1180  | mobile  | iPad; CPU OS 17_4_1 like Mac OS X           | ios
    """)
]
_SEARCHES = [  # keyword, category, result count (0 = a search without results), language
    (row[0], row[1], int(row[2]), row[3])
    for row in _table("""
    install linux         | Docs      | 12 | en
    api token             | Docs      |  7 | en
    licence key           | Licensing |  4 | en
    sso saml              | Docs      |  0 | en
    error 0x80070005      | Support   |  0 | en
    release notes         | Docs      |  3 | en
    резервное копирование | Docs      |  5 | ru
    установка             | Docs      |  9 | ru
    драйвер               | Downloads |  0 | ru
    ошибка лицензии       | Support   |  2 | ru
    """)
]
_PRODUCTS = {  # product page -> sku, name, category, unit price of a licence
    "/products/product-x": ("PX-STD", "Product X Standard licence", "Licences", 1200.0),
    "/products/product-y": ("PY-PRO", "Product Y Pro licence", "Licences", 450.0),
}
_DOWNLOADS = {
    "/downloads/product-x": ("Product X", "/files/product-x-7.2.1-win64.zip"),
    "/downloads/product-y": ("Product Y", "/files/product-y-3.4.0-linux-x64.zip"),
}
_CONTENT = {  # page -> content name, piece, target path
    "/": ("Release 7.2 banner", "/media/release-7-2.png", "/downloads/product-x"),
    "/products/product-x": ("Product X video", "/media/px-intro.mp4", "/media/px-intro.mp4"),
    "/products/product-y": ("Product Y datasheet", "/media/py-sheet.png", "/files/py-sheet.pdf"),
}
_OUTLINKS = (
    "https://github.com/example-vendor/product-x-sdk",
    "https://www.linkedin.com/company/example-vendor/",
    "https://partner-hub.example.net/community",
)
_ENGINES = (  # referrer prefix, keyword parameter, keywords
    ("https://www.google.com/search?", "q", ("product x installation guide", "product y rest api")),
    ("https://yandex.ru/search/?", "text", ("документация product x", "установка product x linux")),
)
_CAMPAIGNS = (  # landing page, campaign parameters, referrer
    ("/downloads/product-x", "utm_campaign=release-7-2&utm_source=newsletter&utm_medium=email", ""),
    (
        "/products/product-y",
        "mtm_campaign=webinar&mtm_source=linkedin",
        "https://www.linkedin.com/",
    ),
    ("/products/licences", "utm_campaign=promo&utm_source=yandex&utm_medium=cpc", "https://ya.ru/"),
)
_ACCEPT = {"en": "en-US,en;q=0.9", "de": "de-DE,de;q=0.9,en;q=0.8", "ru": "ru-RU,ru;q=0.9,en;q=0.8"}
_ROLES = {"engineer": 40, "support": 20, "sales manager": 20, "administrator": 12, "director": 8}
_SURNAMES = ("ivanov", "petrova", "schmidt", "mueller", "smith", "johnson", "kuznetsov", "weber")
_HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 3, 6, 12, 20, 22, 20, 14, 18, 22, 20, 16, 10, 6, 5, 4, 3, 2, 1)
_DEPTH_WEIGHTS = (28, 14, 12, 10, 8, 7, 6, 5, 4, 3, 2, 1)  # page views per visit, 1..12


def _pick(rng: random.Random, weighted: Mapping[str, int]) -> str:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def _money(amount: float) -> str:
    return f"{amount:.2f}"


def _event(category: str, action: str, name: str = "", value: str = "") -> Hit:
    hit = {"e_c": category, "e_a": action, "ca": "1"}
    if name:
        hit["e_n"] = name
    if value:
        hit["e_v"] = value
    return hit


def _make_visitor(rng: random.Random, index: int) -> _Visitor:
    partner = rng.choices([p for p, _ in _PARTNERS], weights=[w for _, w in _PARTNERS])[0]
    if partner.net.startswith("10."):
        ip = f"{partner.net}{rng.randint(1, 8)}.{rng.randint(2, 254)}"
    elif rng.random() < 0.1:  # working from home, somewhere else in the country
        ip = f"{partner.net}{rng.randint(150, 250)}"
    else:
        ip = f"{partner.net}{partner.first_host + rng.randrange(8)}"
    ua, res, mobile, _ = rng.choices(_DEVICES, weights=[d[3] for d in _DEVICES])[0]
    login = None
    if rng.random() < 0.7:
        login = f"{rng.choice('aeikmnost')}.{rng.choice(_SURNAMES)}{index}"
    return _Visitor(
        vid=f"{rng.getrandbits(64):016x}",
        partner=partner,
        ip=ip,
        ua=ua,
        res=res,
        mobile=mobile,
        lang=partner.lang if rng.random() < 0.8 else "en",
        role=_pick(rng, _ROLES),
        login=login,
    )


class _Visit:
    """One browser session: its clock, current page, page-view id and identity."""

    def __init__(self, rng: random.Random, site: tuple[str, str], who: _Visitor, t: int) -> None:
        self.rng, self.who, self.t, self.page_t = rng, who, t, t
        self.idsite, self.base_url = site
        self.url = self.ref = self.pv_id = self.uid = ""
        self.cart: list[tuple[str, str, str, float, int]] = []
        self.hits: list[Hit] = []

    def emit(self, params: Mapping[str, str]) -> None:
        who = self.who
        local = datetime.fromtimestamp(self.t + who.partner.tz * 3600, tz=UTC)
        hit = {
            "idsite": self.idsite,
            "rec": "1",
            "r": f"{self.rng.randrange(10**6):06d}",
            "cdt": str(self.t),
            "_id": who.vid,
            "url": self.url,
            "urlref": self.ref,
            "res": who.res,
            "ua": who.ua,
            "lang": _ACCEPT[who.lang],
            "cip": who.ip,
            "h": str(local.hour),
            "m": str(local.minute),
            "s": str(local.second),
            "cookie": "1",
            "send_image": "0",
        }
        if self.pv_id:
            hit["pv_id"] = self.pv_id
        if self.uid:  # the portal knows who it is only after sign-in
            hit |= {"uid": self.uid, "dimension1": who.partner.name, "dimension2": who.role}
        hit.update(params)
        self.hits.append(hit)

    def wait(self, low: int, high: int) -> None:
        self.t += self.rng.randint(low, high)

    def turn_page(self) -> None:
        dwell = self.rng.randint(20, 240)
        self.t = max(self.page_t + dwell, self.t + self.rng.randint(5, 20))

    def view(self, page: _Page, *, query: str = "", ref: str | None = None) -> None:
        self.ref = self.url if ref is None else ref
        self.url = self.base_url + page.path + (f"?{query}" if query else "")
        self.page_t = self.t
        self.pv_id = "".join(self.rng.choices(_PV_ALPHABET, k=6))
        params = {"action_name": page.title_ru if self.who.lang == "ru" else page.title}
        params |= self._timings()
        if page.section:
            params["dimension3"] = page.section
        if page.path in _PRODUCTS:
            sku, name, category, price = _PRODUCTS[page.path]
            params |= {"_pks": sku, "_pkn": name, "_pkc": category, "_pkp": _money(price)}
        self.emit(params)

    def _timings(self) -> Hit:
        rng = self.rng
        slow = 2.0 if self.who.mobile else 1.0
        server = rng.randint(3000, 8000) if rng.random() < 0.03 else rng.randint(40, 900)
        values = (
            rng.choice((0, rng.randint(5, 80))),
            server,
            rng.randint(5, 250),
            rng.randint(150, 1500),
            rng.randint(80, 900),
            rng.randint(0, 40),
        )
        return {name: str(int(v * slow)) for name, v in zip(_PF_NAMES, values, strict=True)}


def _arrival(rng: random.Random) -> tuple[str, str, str]:
    """How a visit starts: entry path, campaign query, referrer URL ('' = direct)."""
    roll = rng.random()
    if roll < 0.32:
        return rng.choice(("/", "/", "/login", "/docs/", "/downloads/")), "", ""
    if roll < 0.57:
        prefix, param, keywords = _ENGINES[0] if roll < 0.45 else _ENGINES[1]
        article = rng.choice([p for p in _PAGES.values() if p.section]).path
        return article, "", prefix + urlencode({param: rng.choice(keywords)})
    if roll < 0.65:
        return "/products/product-x", "", "https://www.linkedin.com/feed/"
    if roll < 0.80:
        partner_site = "https://partner-hub.example.net/vendors/example-vendor"
        return rng.choice(("/products/", "/downloads/")), "", partner_site
    return rng.choice(_CAMPAIGNS)


def _next_page(rng: random.Random, current: str) -> str:
    head = current.split("/")[1] if current.startswith("/") else ""
    nearby = {p: w for p, w in _BROWSE.items() if head and p.startswith(f"/{head}/")}
    nearby.pop(current, None)
    if nearby and rng.random() < 0.5:
        return _pick(rng, nearby)
    return _pick(rng, {p: w for p, w in _BROWSE.items() if p != current})


def _itinerary(rng: random.Random, entry: str, *, login: bool, shop: str) -> list[str]:
    depth = rng.choices(range(1, 13), weights=_DEPTH_WEIGHTS)[0]
    steps = [entry]
    if login and entry != "/login" and (depth > 1 or shop):
        steps.append("/login")
    while len(steps) < depth:
        steps.append("search" if rng.random() < 0.12 else _next_page(rng, steps[-1]))
    if shop:
        checkout = ["/products/licences/checkout", "/account"] if shop == "order" else []
        steps = [*steps[:8], "/products/product-x", "/products/licences", *checkout]
    return steps


def _search(v: _Visit) -> None:
    language = "ru" if v.who.lang == "ru" else "en"
    keyword, category, count, _ = v.rng.choice([s for s in _SEARCHES if s[3] == language])
    v.ref, v.url = v.url, f"{v.base_url}/search?{urlencode({'q': keyword})}"
    v.page_t, v.pv_id = v.t, ""  # a results page tracked only with trackSiteSearch
    v.emit({"search": keyword, "search_cat": category, "search_count": str(count)})


def _login(v: _Visit) -> None:
    v.wait(8, 40)
    if v.who.login is None:  # no account yet: the form turns them away
        v.emit(_event("Login", "failure", "Unknown user"))
        return
    if v.rng.random() < 0.08:
        v.emit(_event("Login", "failure", "Wrong password"))
        v.wait(8, 30)
    v.uid = v.who.login
    v.emit(_event("Login", "success"))


def _article(v: _Visit, page: _Page) -> None:
    rng = v.rng
    if rng.random() < 0.3:
        v.wait(3, 40)
        choice = rng.choice(("Linux", "Windows", "Version 7.1", "Version 7.2"))
        v.emit(_event("Article", "radio-button click", choice))
    if rng.random() < 0.1:
        v.wait(10, 60)
        v.emit(_event("Article", "rating", page.title, str(rng.randint(1, 5))))
    if rng.random() < 0.12:
        v.wait(5, 60)
        slug = page.path.strip("/").replace("/", "-")
        v.emit({"download": f"{v.base_url}/files/{slug}.pdf"})
        v.emit(_event("Downloads", "Documentation", page.section))


def _after_view(v: _Visit, path: str, shop: str) -> None:
    rng = v.rng
    if path == "/login":
        _login(v)
    elif path == "/products/licences" and shop:
        _cart(v)
    elif path == "/products/licences/checkout" and v.cart:
        _order(v)
    elif path == "/support/tickets/new" and rng.random() < 0.7:
        v.wait(40, 180)
        v.emit(_event("Support", "Ticket created", rng.choice(("Product X", "Product Y"))))
        paid = rng.random() < 0.25  # priority support is billed per ticket
        v.emit({"idgoal": "1", **({"revenue": _money(150)} if paid else {})})
    elif path in _DOWNLOADS and rng.random() < 0.65:
        product, file_path = _DOWNLOADS[path]
        v.wait(4, 50)
        v.emit(_event("Downloads", "Software", product))
        v.emit({"download": v.base_url + file_path})
    elif _PAGES[path].section:
        _article(v, _PAGES[path])
    elif path in _CONTENT and rng.random() < 0.7:
        name, piece, target = _CONTENT[path]
        content = {"c_n": name, "c_p": piece, "c_t": v.base_url + target, "ca": "1"}
        v.wait(1, 3)
        v.emit(content)
        if rng.random() < 0.2:
            v.wait(3, 30)
            v.emit({**content, "c_i": "click"})
    if rng.random() < 0.04:
        v.wait(5, 60)
        v.emit({"link": rng.choice(_OUTLINKS)})


def _cart(v: _Visit) -> None:
    v.wait(20, 90)
    sku, name, category, price = _PRODUCTS[v.rng.choice(list(_PRODUCTS))]
    v.cart = [(sku, name, category, price, v.rng.randint(1, 10))]
    total = sum(item[3] * item[4] for item in v.cart)
    v.emit(
        {
            "idgoal": "0",
            "ec_items": json.dumps(v.cart, separators=(",", ":")),
            "revenue": _money(total),
        }
    )


def _order(v: _Visit) -> None:
    v.wait(30, 150)
    subtotal = sum(item[3] * item[4] for item in v.cart)
    tax = round(subtotal * 0.2, 2)
    discount = round(subtotal * 0.05, 2) if subtotal > 3000 else 0.0  # volume discount
    v.emit(
        {
            "idgoal": "0",
            "ec_id": f"PO-{v.t}-{v.rng.randrange(1000, 10_000)}",
            "ec_items": json.dumps(v.cart, separators=(",", ":")),
            "revenue": _money(subtotal + tax - discount),
            "ec_st": _money(subtotal),
            "ec_tx": _money(tax),
            "ec_sh": _money(0),
            "ec_dt": _money(discount),
        }
    )


def _simulate_visit(v: _Visit, shop: str) -> list[Hit]:
    rng = v.rng
    entry, query, referrer = _arrival(rng)
    wants_login = v.who.login is not None and (bool(shop) or rng.random() < 0.6)
    steps = _itinerary(rng, entry, login=wants_login, shop=shop)
    for i, step in enumerate(steps):
        if i:
            v.turn_page()
        if step == "search":
            _search(v)
            continue
        if i:
            v.view(_PAGES[step])
        else:
            v.view(_PAGES[step], query=query, ref=referrer)
        _after_view(v, step, shop)
    if rng.random() < 0.3:  # heartbeat timer fires before the tab is closed
        v.wait(15, 120)
        v.emit({"ping": "1"})
    return v.hits


def _visit_starts(
    rng: random.Random, who: _Visitor, *, window: tuple[int, int], day_weights: list[int]
) -> list[int]:
    start_ts, end_ts = window
    midnight = start_ts - start_ts % _DAY
    count = rng.choices((1, 2, 3, 4), weights=(45, 30, 15, 10))[0]
    candidates = []
    for day in rng.choices(range(len(day_weights)), weights=day_weights, k=count):
        hour = rng.choices(range(24), weights=_HOUR_WEIGHTS)[0]
        t = midnight + day * _DAY + (hour - who.partner.tz) * 3600 + rng.randrange(3600)
        # a local working hour can fall outside the window at its edges: move a day inwards
        if t < start_ts:
            t += _DAY
        elif t > end_ts - _VISIT_ROOM:
            t -= _DAY
        candidates.append(min(max(t, start_ts), end_ts - _VISIT_ROOM))
    starts: list[int] = []
    for t in sorted(candidates):
        if not starts or t >= starts[-1] + _VISIT_ROOM:
            starts.append(t)
    return starts


def _simulate(
    *, idsite: int, start: datetime, days: int, visitors: int, seed: int, base_url: str
) -> tuple[list[Hit], int]:
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be a timezone-aware datetime")
    if days < 1 or visitors < 1:
        raise ValueError("days and visitors must be at least 1")
    rng = random.Random(seed)
    start_ts = math.ceil(start.timestamp())
    end_ts = math.floor((start + timedelta(days=days)).timestamp())
    midnight = start_ts - start_ts % _DAY
    weekdays = [datetime.fromtimestamp(midnight + d * _DAY, tz=UTC).weekday() for d in range(days)]
    day_weights = [5 if weekday < 5 else 1 for weekday in weekdays]
    people = [_make_visitor(rng, i) for i in range(visitors)]
    members = [i for i, who in enumerate(people) if who.login]
    shoppers = rng.sample(members, k=min(5, len(members)))
    shop = {i: "order" if n < 2 else "cart" for n, i in enumerate(shoppers)}
    site = (str(idsite), base_url.rstrip("/"))
    hits: list[Hit] = []
    visits = 0
    for i, who in enumerate(people):
        starts = _visit_starts(rng, who, window=(start_ts, end_ts), day_weights=day_weights)
        for n, t in enumerate(starts):
            mode = shop.get(i, "") if n == len(starts) - 1 else ""
            hits.extend(_simulate_visit(_Visit(rng, site, who, t), mode))
            visits += 1
    hits = [hit for hit in hits if int(hit["cdt"]) < end_ts]
    hits.sort(key=lambda hit: int(hit["cdt"]))
    return hits, visits


def generate_demo_hits(
    *,
    idsite: int,
    start: datetime,
    days: int = 30,
    visitors: int = 400,
    seed: int = 1,
    base_url: str = "https://portal.example.com",
) -> list[dict[str, str]]:
    """Tracking requests of a B2B partner portal's month, sorted by time; same seed, same hits."""
    hits, _ = _simulate(
        idsite=idsite, start=start, days=days, visitors=visitors, seed=seed, base_url=base_url
    )
    return hits


def bulk_payloads(
    hits: Iterable[Mapping[str, str]], *, token_auth: str, chunk: int = _CHUNK
) -> Iterator[dict[str, object]]:
    """Bulk tracking bodies of up to `chunk` hits each, in the JS tracker's query-string form."""
    if chunk < 1:
        raise ValueError("chunk must be at least 1")
    batch: list[str] = []
    for hit in hits:
        batch.append("?" + urlencode(hit, quote_via=quote))
        if len(batch) == chunk:
            yield {"requests": batch, "token_auth": token_auth}
            batch = []
    if batch:
        yield {"requests": batch, "token_auth": token_auth}


def _bulk_counts(response: httpx.Response) -> tuple[int, int]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or not isinstance(body, dict) or body.get("status") != "success":
        raise RuntimeError(
            f"tracking endpoint refused demo traffic: HTTP {response.status_code} "
            f"{response.text[:300]!r}"
        )
    return int(body.get("tracked", 0)), int(body.get("invalid", 0))


def send_demo_traffic(
    client: httpx.Client,
    *,
    idsite: int,
    token_auth: str,
    start: datetime,
    days: int = 30,
    visitors: int = 400,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Posts the demo traffic in bulk to `/matomo.php`; calls `progress(sent, total)` per chunk."""
    hits, visits = _simulate(
        idsite=idsite,
        start=start,
        days=days,
        visitors=visitors,
        seed=seed,
        base_url="https://portal.example.com",
    )
    tracked = invalid = sent = 0
    for payload in bulk_payloads(hits, token_auth=token_auth, chunk=_CHUNK):
        ok, bad = _bulk_counts(client.post("/matomo.php", json=payload))
        tracked, invalid = tracked + ok, invalid + bad
        sent = min(sent + _CHUNK, len(hits))
        if progress is not None:
            progress(sent, len(hits))
    return DemoSummary(visits=visits, hits=len(hits), tracked=tracked, invalid=invalid)
