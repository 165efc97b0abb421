"""Sites: how their URLs are checked and stored."""

from __future__ import annotations

from sqlalchemy.orm import Session

from analytics_server.sites import service as sites_service


def test_alias_urls_of_a_new_site_are_stored_once_as_checked(db: Session) -> None:
    # Two spellings of one URL used to reach the table twice: a duplicate key, not a site.
    site = sites_service.create_site(
        db,
        name="Shop",
        main_url="https://a.example",
        alias_urls=["b.example", "http://b.example/", " ", "https://c.example"],
    )
    assert sites_service.list_urls(db, site.idsite) == [
        "https://a.example",
        "http://b.example",
        "https://c.example",
    ]
