"""Every parameter family of the Tracking HTTP API ends up in the right raw-log columns."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.privacy.ip import unpack_ip
from analytics_server.sites import service as sites_service
from tests.conftest import FakeClock
from tests.factories import (
    actions,
    conversions,
    create_site,
    create_token,
    items,
    name_of,
    url_of,
    visits,
)
from tests.tracking.helpers import IPHONE, js_hit, send


def test_event_with_value(client: TestClient, db: Session) -> None:
    site = create_site(db)
    send(
        client,
        js_hit(
            site.idsite, e_c="Article", e_a="radio-button click", e_n="Tariff", e_v="2.5", ca="1"
        ),
    )
    [action] = actions(db)
    assert action["action_type"] == 10
    assert name_of(db, action["idaction_event_category"]) == "Article"
    assert name_of(db, action["idaction_event_action"]) == "radio-button click"
    assert name_of(db, action["idaction_name"]) == "Tariff"
    assert action["custom_float"] == 2.5
    assert visits(db)[0]["visit_total_events"] == 1


def test_outlink_and_download_keep_the_raw_url(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = create_site(db)
    send(client, js_hit(site.idsite, link="https://partner.example.org/?utm_source=x"))
    clock.advance(seconds=5)
    send(client, js_hit(site.idsite, download="https://portal.example.com/files/setup.zip?v=2"))
    outlink, download = actions(db)
    assert outlink["action_type"] == 2
    assert name_of(db, outlink["idaction_url"]) == "https://partner.example.org/?utm_source=x"
    assert download["action_type"] == 3
    assert name_of(db, download["idaction_url"]) == "https://portal.example.com/files/setup.zip?v=2"
    assert visits(db)[0]["visit_total_actions"] == 2


def test_content_impression_and_interaction(client: TestClient, db: Session) -> None:
    site = create_site(db)
    send(client, js_hit(site.idsite, c_n="Banner", c_p="/img/promo.png", c_t="https://x.example/"))
    send(client, js_hit(site.idsite, c_n="Banner", c_p="/img/promo.png", c_i="click"))
    impression, interaction = actions(db)
    assert impression["action_type"] == 13
    assert name_of(db, impression["idaction_content_name"]) == "Banner"
    assert name_of(db, impression["idaction_content_target"]) == "https://x.example/"
    assert impression["idaction_content_interaction"] is None
    assert name_of(db, interaction["idaction_content_interaction"]) == "click"
    assert visits(db)[0]["visit_total_actions"] == 0  # contents are not actions


def test_page_performance_and_product_view(client: TestClient, db: Session) -> None:
    site = create_site(db)
    send(
        client,
        js_hit(
            site.idsite,
            pf_net="12",
            pf_srv="140",
            pf_tfr="8",
            pf_dm1="300",
            pf_dm2="50",
            pf_onl="20",
            _pks="SKU-1",
            _pkn="Cement 50 kg",
            _pkc='["Building", "Cement"]',
            _pkp="9.90",
        ),
    )
    [action] = actions(db)
    assert (action["time_network"], action["time_server"], action["time_on_load"]) == (12, 140, 20)
    assert name_of(db, action["idaction_product_sku"]) == "SKU-1"
    assert name_of(db, action["idaction_product_cat2"]) == "Cement"
    assert action["product_price"] == 9.9


def test_heartbeat_gives_its_page_a_read_time_and_performance(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = create_site(db)
    send(client, js_hit(site.idsite, pv_id="pv0001"))
    clock.advance(seconds=15)
    send(client, js_hit(site.idsite, ping="1", pv_id="pv0001", pf_srv="99"))
    assert actions(db)[0]["time_server"] == 99
    assert actions(db)[0]["time_spent"] == 15  # how long the (last) page was read


def test_custom_dimensions_by_scope_and_custom_variables(client: TestClient, db: Session) -> None:
    site = create_site(db)
    company = sites_service.add_custom_dimension(db, idsite=site.idsite, name="Company")
    section = sites_service.add_custom_dimension(
        db, idsite=site.idsite, name="Section", scope="action"
    )
    db.commit()
    send(
        client,
        js_hit(
            site.idsite,
            **{
                f"dimension{company.idcustomdimension}": "ACME GmbH",
                f"dimension{section.idcustomdimension}": "Docs",
                "dimension999": "ignored",
                "_cvar": json.dumps({"1": ["Role", "dealer"]}),
                "cvar": json.dumps({"2": ["Page type", "article"]}),
            },
        ),
    )
    [visit] = visits(db)
    [action] = actions(db)
    assert visit["custom_dimension_1"] == "ACME GmbH"
    assert action["custom_dimension_1"] == "Docs"
    assert (visit["custom_var_k1"], visit["custom_var_v1"]) == ("Role", "dealer")
    assert (action["custom_var_k2"], action["custom_var_v2"]) == ("Page type", "article")


def test_manual_goal_with_revenue(client: TestClient, db: Session) -> None:
    site = create_site(db)
    goal = sites_service.add_goal(db, idsite=site.idsite, name="Registration", revenue=5)
    db.commit()
    send(client, js_hit(site.idsite))
    send(client, js_hit(site.idsite, idgoal=str(goal.idgoal), revenue="12.5"))
    send(client, js_hit(site.idsite, idgoal=str(goal.idgoal)))  # once per visit
    [conversion] = conversions(db)
    assert conversion["idgoal"] == goal.idgoal
    assert conversion["revenue"] == 12.5
    assert conversion["pageviews_before"] == 1
    assert len(actions(db)) == 1  # a goal request stores no action
    assert visits(db)[0]["visit_goal_converted"]


def test_url_and_file_goals_convert_automatically(client: TestClient, db: Session) -> None:
    site = create_site(db)
    sites_service.add_goal(
        db, idsite=site.idsite, name="Pricing", match_attribute="url", pattern="/pricing"
    )
    sites_service.add_goal(
        db, idsite=site.idsite, name="Zip", match_attribute="file", pattern=".zip"
    )
    db.commit()
    send(client, js_hit(site.idsite, url="https://portal.example.com/pricing?plan=pro"))
    send(client, js_hit(site.idsite, download="https://portal.example.com/setup.zip"))
    assert sorted(c["idgoal"] for c in conversions(db)) == [1, 2]


def test_ecommerce_cart_then_order(client: TestClient, db: Session, clock: FakeClock) -> None:
    site = create_site(db, ecommerce=True)
    cart = json.dumps([["SKU-1", "Cement", "Building", 9.5, 2], ["SKU-2", "Sand", "", 3, 1]])
    send(client, js_hit(site.idsite, idgoal="0", revenue="22", ec_items=cart))
    assert [c["idgoal"] for c in conversions(db)] == [-1]
    assert visits(db)[0]["visit_goal_buyer"] == 2
    clock.advance(seconds=30)
    order = json.dumps([["SKU-1", "Cement", ["Building", "Dry"], 9.5, 2]])
    send(
        client,
        js_hit(
            site.idsite,
            idgoal="0",
            ec_id="A-100",
            revenue="24",
            ec_st="19",
            ec_tx="3",
            ec_sh="2",
            ec_dt="0",
            ec_items=order,
        ),
    )
    [conversion] = conversions(db)
    assert (conversion["idgoal"], conversion["idorder"], conversion["items"]) == (0, "A-100", 2)
    assert conversion["revenue"] == 24
    assert conversion["revenue_tax"] == 3
    [item] = items(db)
    assert item["idorder"] == "A-100"
    assert name_of(db, item["idaction_category2"]) == "Dry"
    assert visits(db)[0]["visit_goal_buyer"] == 1


def test_duplicate_order_id_is_rejected_without_a_trace(client: TestClient, db: Session) -> None:
    site = create_site(db, ecommerce=True)
    order = {"idgoal": "0", "ec_id": "A-1", "revenue": "10", "ec_items": '[["S","N","C",10,1]]'}
    sdk = {k: v for k, v in js_hit(site.idsite, **order).items() if k != "send_image"}
    assert send(client, sdk).status_code == 200
    again = send(client, sdk)
    assert again.status_code == 400
    assert "already recorded" in again.text
    assert len(conversions(db)) == 1
    assert len(items(db)) == 1


def test_trusted_server_side_parameters_need_a_write_token(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = create_site(db)
    token = create_token(db)
    past = clock.now - timedelta(days=3)
    hit = js_hit(site.idsite, cdt=str(int(past.timestamp())), cip="198.51.100.77", country="de")
    del hit["send_image"]
    assert send(client, hit).status_code == 400
    assert send(client, {**hit, "token_auth": token}).status_code == 200
    [visit] = visits(db)
    assert visit["visit_first_action_time"] == past.replace(microsecond=0)
    assert unpack_ip(visit["location_ip"]) == "198.51.0.0"  # two bytes masked by default
    assert visit["location_country"] == "de"


def test_view_only_token_cannot_set_cip(client: TestClient, db: Session) -> None:
    site = create_site(db)
    token = create_token(db, login="viewer", superuser=False, access={site.idsite: "view"})
    hit = {
        k: v
        for k, v in js_hit(site.idsite, cip="10.0.0.1", token_auth=token).items()
        if k != "send_image"
    }
    answer = send(client, hit)
    assert answer.status_code == 400
    assert "write access" in answer.text


def test_device_detection_from_the_user_agent(client: TestClient, db: Session) -> None:
    site = create_site(db)
    send(client, js_hit(site.idsite), ua=IPHONE)
    [visit] = visits(db)
    assert visit["config_os"] == "IOS"
    assert visit["config_device_type"] == 1
    assert visit["config_device_brand"] == "Apple"


def test_url_normalisation_removes_session_ids_and_excluded_parameters(
    client: TestClient, db: Session
) -> None:
    site = create_site(db, excluded_parameters="partner_token")
    send(
        client,
        js_hit(
            site.idsite,
            url="https://Portal.Example.com/docs?id=7&PHPSESSID=abc&partner_token=s3cret#section",
        ),
    )
    [action] = actions(db)
    assert url_of(db, action["idaction_url"]) == "https://portal.example.com/docs?id=7"


def test_cdo_alone_dates_a_hit_kept_by_an_offline_tracker(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = create_site(db)
    send(client, js_hit(site.idsite, cdo="600"))  # sent ten minutes late: no token needed
    [visit] = visits(db)
    assert visit["visit_first_action_time"] == clock.now - timedelta(seconds=600)
    hit = js_hit(site.idsite, cdo=str(3 * 86400))
    del hit["send_image"]
    assert send(client, hit).status_code == 400  # days late: only with a token, like cdt
