"""The words of a scheduled report in English and Russian, and numbers and dates per language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from analytics_server.kit.periods import Period

LANGUAGES = ("en", "ru")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "report": "Analytics report",
        "site": "Site",
        "period": "Period",
        "segment": "Segment",
        "all_visits": "All visits",
        "generated": "Generated",
        "key_metrics": "Key metrics",
        "evolution": "Visits and actions over time",
        "no_data": "No data for this period.",
        "metric": "Metric",
        "value": "Value",
        "page": "Page",
        "attached": "The report is attached.",
        "contents": "Reports in this mail",
    },
    "ru": {
        "report": "Отчёт веб-аналитики",
        "site": "Сайт",
        "period": "Период",
        "segment": "Сегмент",
        "all_visits": "Все посещения",
        "generated": "Сформирован",
        "key_metrics": "Основные показатели",
        "evolution": "Посещения и действия по периодам",
        "no_data": "Нет данных за этот период.",
        "metric": "Показатель",
        "value": "Значение",
        "page": "Стр.",
        "attached": "Отчёт во вложении.",
        "contents": "Отчёты в письме",
    },
}

METRICS: dict[str, tuple[str, str]] = {
    "label": ("Label", "Значение"),
    "nb_visits": ("Visits", "Посещения"),
    "nb_uniq_visitors": ("Unique visitors", "Уникальные посетители"),
    "sum_daily_nb_uniq_visitors": ("Unique visitors (daily sum)", "Уник. посетители (сумма)"),
    "nb_users": ("Users", "Пользователи"),
    "nb_actions": ("Actions", "Действия"),
    "nb_actions_per_visit": ("Actions per visit", "Действий за посещение"),
    "avg_time_on_site": ("Avg. time on site, s", "Ср. время на сайте, с"),
    "bounce_rate": ("Bounce rate", "Отказы"),
    "nb_visits_converted": ("Visits converted", "Посещения с конверсией"),
    "conversion_rate": ("Conversion rate", "Конверсия"),
    "nb_hits": ("Pageviews", "Просмотры"),
    "nb_pageviews": ("Pageviews", "Просмотры"),
    "nb_uniq_pageviews": ("Unique pageviews", "Уникальные просмотры"),
    "nb_downloads": ("Downloads", "Скачивания"),
    "nb_outlinks": ("Outlinks", "Внешние ссылки"),
    "nb_searches": ("Searches", "Поиски"),
    "nb_keywords": ("Keywords", "Ключевые слова"),
    "entry_nb_visits": ("Entrances", "Входы"),
    "exit_nb_visits": ("Exits", "Выходы"),
    "exit_rate": ("Exit rate", "Доля выходов"),
    "avg_time_on_page": ("Avg. time on page, s", "Ср. время на странице, с"),
    "avg_page_load_time": ("Avg. page load, s", "Ср. загрузка страницы, с"),
    "nb_events": ("Events", "События"),
    "sum_event_value": ("Event value", "Сумма значений"),
    "avg_event_value": ("Avg. event value", "Ср. значение"),
    "nb_impressions": ("Impressions", "Показы"),
    "nb_interactions": ("Interactions", "Взаимодействия"),
    "interaction_rate": ("Interaction rate", "Доля взаимодействий"),
    "nb_conversions": ("Conversions", "Конверсии"),
    "revenue": ("Revenue", "Доход"),
    "quantity": ("Quantity", "Количество"),
    "orders": ("Orders", "Заказы"),
    "avg_price": ("Avg. price", "Ср. цена"),
    "nb_pages_per_search": ("Pages per search", "Страниц после поиска"),
    "max_actions": ("Max actions", "Макс. действий"),
    "sum_visit_length": ("Total time, s", "Общее время, с"),
    "bounce_count": ("Bounces", "Отказы (число)"),
}

REPORT_NAMES_RU: dict[str, str] = {
    "VisitsSummary_get": "Сводка посещений",
    "Actions_get": "Сводка действий",
    "Actions_getPageUrls": "Страницы",
    "Actions_getPageTitles": "Заголовки страниц",
    "Actions_getEntryPageUrls": "Страницы входа",
    "Actions_getExitPageUrls": "Страницы выхода",
    "Actions_getDownloads": "Скачивания",
    "Actions_getOutlinks": "Внешние ссылки",
    "Actions_getSiteSearchKeywords": "Поисковые запросы на сайте",
    "Actions_getSiteSearchNoResultKeywords": "Запросы без результатов",
    "Events_getCategory": "Категории событий",
    "Events_getAction": "Действия событий",
    "Events_getName": "Названия событий",
    "Referrers_getReferrerType": "Типы источников",
    "Referrers_getWebsites": "Сайты-источники",
    "Referrers_getCampaigns": "Кампании",
    "UserCountry_getCountry": "Страны",
    "UserCountry_getCity": "Города",
    "DevicesDetection_getType": "Типы устройств",
    "DevicesDetection_getBrowsers": "Браузеры",
    "DevicesDetection_getOsFamilies": "Операционные системы",
    "VisitTime_getVisitInformationPerLocalTime": "Посещения по местному времени",
    "VisitTime_getVisitInformationPerServerTime": "Посещения по времени сервера",
    "VisitTime_getByDayOfWeek": "Посещения по дням недели",
    "UserId_getUsers": "Пользователи (User ID)",
    "Goals_get": "Цели",
    "PagePerformance_get": "Скорость загрузки страниц",
}

DIMENSIONS_RU: dict[str, str] = {
    "Page URL": "URL страницы",
    "Page Title": "Заголовок страницы",
    "Download URL": "Скачанный файл",
    "Outlink URL": "Внешняя ссылка",
    "Keyword (site search)": "Поисковый запрос",
    "Event category": "Категория события",
    "Event action": "Действие события",
    "Event name": "Название события",
    "Channel type": "Тип источника",
    "Website": "Сайт",
    "Campaign": "Кампания",
    "Country": "Страна",
    "City": "Город",
    "Region": "Регион",
    "Device type": "Тип устройства",
    "Browser": "Браузер",
    "Operating system family": "Операционная система",
    "Local time": "Местное время",
    "Server time": "Время сервера",
    "Day of the week": "День недели",
    "Language": "Язык",
}


def dimension_title(language: str, name: str) -> str:
    """A report's dimension in the language; custom dimensions keep the name they were given."""
    return DIMENSIONS_RU.get(name, name) if language == "ru" else name


def text(language: str, key: str) -> str:
    return TEXT.get(language, TEXT["en"]).get(key) or TEXT["en"][key]


def metric_title(language: str, name: str) -> str:
    titles = METRICS.get(name)
    if titles is None:
        return name.replace("_", " ").capitalize()
    return titles[1] if language == "ru" else titles[0]


def report_title(language: str, unique_id: str, english: str) -> str:
    if language == "ru":
        return REPORT_NAMES_RU.get(unique_id, english)
    return english


def number(value: Any, language: str) -> str:
    """A cell as text: numbers grouped per language, texts (`"33%"`, labels) as they are."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(int(value))
    if isinstance(value, int):
        return format_decimal(value, locale=language)
    if isinstance(value, float):
        return format_decimal(value, format="#,##0.###", locale=language)
    return str(value)


def period_label(period: Period, language: str) -> str:
    if period.kind == "day":
        return format_date(period.start, "long", locale=language)
    if period.kind == "month":
        return format_date(period.start, "LLLL yyyy", locale=language)
    if period.kind == "year":
        return str(period.start.year)
    start = format_date(period.start, "medium", locale=language)
    end = format_date(period.end, "medium", locale=language)
    return f"{start} – {end}"


def moment(value: datetime, language: str) -> str:
    """A local time with its zone, e.g. `10 Mar 2026, 09:00:00 CET`."""
    return format_datetime(value, "medium", tzinfo=value.tzinfo, locale=language) + (
        f" {value.tzname()}" if value.tzname() else ""
    )
