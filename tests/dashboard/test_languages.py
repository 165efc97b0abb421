"""Every string of the dashboard exists in English and Russian; pages follow the language."""

from __future__ import annotations

from babel.messages.pofile import read_po
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.dashboard import i18n
from analytics_server.dashboard.messages import all_messages
from tests.archiving.traffic import make_site
from tests.dashboard.helpers import sign_in
from tests.factories import create_token


def test_every_message_has_a_russian_translation() -> None:
    russian = i18n.gettext_for("ru")
    missing = sorted(m for m in all_messages() if russian(m) == m)
    assert missing == []


def test_catalogues_hold_no_stale_or_fuzzy_entries() -> None:
    known = all_messages()
    for path in (i18n.LOCALE_DIR / "ru").glob("*.po"):
        with path.open("rb") as source:
            catalog = read_po(source)
        for message in catalog:
            if message.id:
                assert not message.fuzzy, message.id
                assert message.id in known, f"{path.name}: {message.id!r} is not used"


def test_numbers_and_dates_follow_the_locale() -> None:
    assert i18n.number(1234567, "en") == "1,234,567"
    assert i18n.number(1234567, "ru") == "1\xa0234\xa0567"
    assert i18n.number(0.5, "ru") == "0,5"
    assert i18n.percent(0.3333, "en") == "33.3%"
    assert i18n.duration(3725, "ru") == "1:02:05"


def test_the_browser_language_and_the_saved_choice(client: TestClient, db: Session) -> None:
    site = make_site(db)
    create_token(db)
    csrf = sign_in(client)
    page = f"/site/{site.idsite}/visitors/devices"
    assert "Device type" in client.get(page).text
    russian = client.get(page, headers={"Accept-Language": "ru-RU,ru;q=0.9"}).text
    assert "Тип устройства" in russian
    assert 'lang="ru"' in russian
    client.post("/preferences", data={"language": "ru", "csrf": csrf, "back": page})
    assert "Тип устройства" in client.get(page, headers={"Accept-Language": "en"}).text
