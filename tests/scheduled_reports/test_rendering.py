"""What a scheduled report shows: the API's numbers, in a PDF read back as text, in Russian too,
as HTML with inline charts, as the API's own CSV; visitor-sent markup stays text."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.config import Settings
from analytics_server.models import LogAction, LogVisit
from analytics_server.scheduled_reports import i18n, tasks
from analytics_server.sites.service import SiteConfig
from tests.conftest import FakeClock
from tests.factories import create_token
from tests.reports.api import parse_delimited, report
from tests.scheduled_reports.conftest import (
    ARTIFACTS,
    SEND_AT,
    add_schedule,
    company,
    company_report,
    has_row,
    pdftotext,
    text_lines,
)

WEEK = {"period": "week", "date": "2026-03-10"}


def _render(db: Session, settings: Settings, idreport: int) -> list[tuple[Any, Any]]:
    return tasks.render_now(
        db, idreport=idreport, settings=settings, now=SEND_AT, day=date(2026, 3, 10)
    )


def test_the_pdf_shows_the_numbers_the_api_answers(
    db: Session,
    client: TestClient,
    clock: FakeClock,
    settings: Settings,
    site: SiteConfig,
    tmp_path: Path,
) -> None:
    token = create_token(db)
    clock.now = SEND_AT
    schedule = add_schedule(db, site)
    [(_, rendered)] = _render(db, settings, schedule.idreport)
    [pdf] = rendered.files
    assert pdf.name.endswith(".pdf")
    assert pdf.content.startswith(b"%PDF")
    lines = text_lines(pdftotext(pdf.content, tmp_path))
    summary = report(client, "VisitsSummary.get", token, site.idsite, **WEEK)
    assert summary["nb_visits"] == 5
    for name in ("nb_visits", "nb_uniq_visitors", "nb_actions", "bounce_rate", "max_actions"):
        assert has_row(lines, i18n.metric_title("en", name), str(summary[name])), name
    browsers = report(client, "DevicesDetection.getBrowsers", token, site.idsite, **WEEK)
    assert browsers
    for row in browsers:
        assert has_row(lines, row["label"], str(row["nb_visits"]), str(row["nb_actions"]))
    companies = report(
        client,
        "CustomDimensions.getCustomDimension",
        token,
        site.idsite,
        idDimension=company(site),
        **WEEK,
    )
    assert {row["label"] for row in companies} >= {"Acme", "Beta"}
    for row in companies:
        assert has_row(lines, row["label"], str(row["nb_visits"]))
    assert "Portal" in lines[1] or any("Site: Portal" in line for line in lines)
    assert any(line.startswith("Period: ") for line in lines)


def test_a_segment_renders_the_segmented_numbers(
    db: Session,
    client: TestClient,
    clock: FakeClock,
    settings: Settings,
    site: SiteConfig,
    tmp_path: Path,
) -> None:
    from analytics_server.segments import service as segments_service

    token = create_token(db)
    clock.now = SEND_AT
    segment = segments_service.create_segment(
        db, name="Germany", definition="countryCode==de", idsite=site.idsite
    )
    db.commit()
    schedule = add_schedule(db, site, idsegment=segment.idsegment)
    [(_, rendered)] = _render(db, settings, schedule.idreport)
    lines = text_lines(pdftotext(rendered.files[0].content, tmp_path))
    found = report(
        client, "VisitsSummary.get", token, site.idsite, segment="countryCode==de", **WEEK
    )
    assert found["nb_visits"] == 2
    assert has_row(lines, "Visits", "2")
    assert any("Segment: Germany" in line for line in lines)


def test_cyrillic_survives_and_a_page_is_saved_as_png(
    db: Session, settings: Settings, site: SiteConfig, tmp_path: Path
) -> None:
    db.execute(
        sa.update(LogAction).where(LogAction.name == "Docs / Start").values(name="Документация")
    )
    db.commit()
    schedule = add_schedule(
        db,
        site,
        language="ru",
        description="Еженедельная сводка для партнёров",
        reports=["VisitsSummary_get", "Actions_getPageTitles"],
        evolution_graph=True,
    )
    [(_, rendered)] = _render(db, settings, schedule.idreport)
    text = re.sub(r"\s+", " ", pdftotext(rendered.files[0].content, tmp_path))
    for word in (
        "Еженедельная сводка для партнёров",
        "Основные показатели",
        "Документация",
        "Посещения",
        "Заголовки страниц",
        "Заголовок страницы",
    ):
        assert word in text, word
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian's poppler-utils) is not installed; .ci/run installs it")
    ARTIFACTS.mkdir(exist_ok=True)
    (tmp_path / "r.pdf").write_bytes(rendered.files[0].content)
    prefix = ARTIFACTS / "scheduled-report-ru"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "2",
            "-l",
            "2",
            "-singlefile",
            str(tmp_path / "r.pdf"),
            str(prefix),
        ],
        check=True,
        timeout=60,
    )
    png = prefix.with_suffix(".png").read_bytes()
    assert png.startswith(b"\x89PNG")
    assert len(png) > 10_000


XSS = '<script>alert("x")</script><b>bold</b> & <img src=x onerror=y>'


def test_visitor_markup_comes_out_as_text(
    db: Session, settings: Settings, site: SiteConfig, tmp_path: Path
) -> None:
    visits = LogVisit.__table__
    db.execute(
        sa.update(visits)
        .where(visits.c.custom_dimension_1 == "Beta")
        .values(custom_dimension_1=XSS)
    )
    db.commit()
    reports = [company_report(site)]
    schedule = add_schedule(db, site, reports=reports, format="html")
    [(_, rendered)] = _render(db, settings, schedule.idreport)
    html = rendered.message.get_body(("html",)).get_content()
    for raw in ("<script>", "<img src=x", "<b>bold"):
        assert raw not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt; &amp;" in html
    assert not re.search(r"(src|href)=\"https?:", html)  # nothing for a client to fetch
    assert XSS in rendered.message.get_body(("plain",)).get_content()
    pdf_schedule = add_schedule(db, site, reports=reports)
    [(_, pdf)] = _render(db, settings, pdf_schedule.idreport)
    text = pdftotext(pdf.files[0].content, tmp_path, layout=False)
    assert re.sub(r"\s", "", XSS) in re.sub(r"\s", "", text)  # the tags are text, not markup


def test_html_mail_has_its_charts_inline(db: Session, settings: Settings, site: SiteConfig) -> None:
    schedule = add_schedule(db, site, format="html", evolution_graph=True)
    [(_, rendered)] = _render(db, settings, schedule.idreport)
    message = rendered.message
    html = message.get_body(("html",)).get_content()
    cids = set(re.findall(r'src="cid:([^"]+)"', html))
    images = {
        part["Content-ID"].strip("<>"): part.get_content()
        for part in message.walk()
        if part.get_content_type() == "image/png"
    }
    assert cids
    assert cids == set(images)
    assert all(png.startswith(b"\x89PNG") for png in images.values())
    assert not list(message.iter_attachments())
    assert "Chrome" in message.get_body(("plain",)).get_content()


def test_csv_and_tsv_attachments_are_the_api_csv(
    db: Session, client: TestClient, clock: FakeClock, settings: Settings, site: SiteConfig
) -> None:
    token = create_token(db)
    clock.now = SEND_AT
    for fmt in ("csv", "tsv"):
        schedule = add_schedule(db, site, format=fmt)
        [(_, rendered)] = _render(db, settings, schedule.idreport)
        attached = {
            a.get_filename(): a.get_payload(decode=True)
            for a in rendered.message.iter_attachments()
        }
        name = next(n for n in attached if "DevicesDetection_getBrowsers" in n)
        assert name.endswith(f".{fmt}")
        rows = parse_delimited(attached[name], tab=fmt == "tsv")
        api = report(client, "DevicesDetection.getBrowsers", token, site.idsite, **WEEK)
        assert [(r["label"], r["nb_visits"]) for r in rows] == [
            (r["label"], str(r["nb_visits"])) for r in api
        ]
        assert len(attached) == 4
