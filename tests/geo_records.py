"""GeoIP2-City records for the small .mmdb files that tests build with mmdb-writer."""

from __future__ import annotations

LONDON = {
    "continent": {"code": "EU"},
    "country": {"iso_code": "GB", "names": {"en": "United Kingdom"}},
    "subdivisions": [{"iso_code": "ENG", "names": {"en": "England"}}],
    "city": {"names": {"en": "London"}},
    "location": {"latitude": 51.5142, "longitude": -0.0931},
}
BERLIN = {
    "continent": {"code": "EU"},
    "country": {"iso_code": "DE"},
    "subdivisions": [{"iso_code": "BE"}],
    "city": {"names": {"en": "Berlin"}},
    "location": {"latitude": 52.52, "longitude": 13.405},
}
