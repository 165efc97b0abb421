"""Build `world.json` (country outlines as simplified SVG paths by ISO code) from world-atlas.

Run by hand when the shapes should change; its output is committed, so the server never
needs this script, node or the network:

    cd /tmp && npm pack world-atlas@2.0.2 i18n-iso-countries@7.14.0
    tar xzf world-atlas-2.0.2.tgz && mv package atlas
    tar xzf i18n-iso-countries-7.14.0.tgz && mv package codes
    .venv/bin/python analytics_server/dashboard/data/build_map.py \
        /tmp/atlas/countries-50m.json /tmp/codes/codes.json

world-atlas (ISC) is Natural Earth's public-domain 1:50m countries as TopoJSON, keyed by ISO
3166-1 numeric codes; i18n-iso-countries (MIT) maps those to the two-letter codes our
GeoIP lookup stores. Arcs are simplified once, before rings are put together, so borders
that two countries share stay identical on both sides. Projection: Miller cylindrical,
Antarctica left out.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
from pathlib import Path
from typing import Any

Point = tuple[float, float]
WIDTH = 1000.0
NORTH, SOUTH = 84.0, -58.0
TOLERANCE = 0.45  # pixels: finer detail is invisible at the map's size
MIN_AREA = 1.5  # square pixels: smaller islands are dropped; a country of only such, a dot
DOT = 2.0
# Features Natural Earth gives no ISO number: shown as the country GeoIP reports there.
BY_NAME = {"Kosovo": "xk", "Somaliland": "so", "N. Cyprus": "cy"}
LEFT_OUT = {"010"}  # Antarctica
HERE = Path(__file__).resolve().parent


def _miller(lat: float) -> float:
    phi = math.radians(max(min(lat, NORTH), SOUTH))
    return 1.25 * math.log(math.tan(math.pi / 4 + 0.4 * phi))


SCALE = WIDTH / (2 * math.pi)
TOP = _miller(NORTH)
HEIGHT = round((TOP - _miller(SOUTH)) * SCALE)


def project(lon: float, lat: float) -> Point:
    return ((math.radians(lon) + math.pi) * SCALE, (TOP - _miller(lat)) * SCALE)


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """Quantized, delta-encoded arcs as projected points."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append(project(x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _distance(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    if dx == dy == 0:
        return math.hypot(px - ax, py - ay)
    return abs(dy * px - dx * py + bx * ay - by * ax) / math.hypot(dx, dy)


def simplify(points: list[Point], tolerance: float = TOLERANCE) -> list[Point]:
    """Douglas-Peucker, iterative; both ends are kept."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > worst:
                worst, index = d, i
        if worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def ring(indexes: list[int], arcs: list[list[Point]]) -> list[Point]:
    points: list[Point] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def area(points: list[Point]) -> float:
    pairs = zip(points, points[1:] + points[:1], strict=True)
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairs)) / 2


def unwrap(points: list[Point]) -> list[list[Point]]:
    """A ring that crosses the antimeridian (Chukotka, Fiji) made contiguous past the map's
    edge, and drawn once from each side; the SVG's viewport cuts what lies outside."""
    if all(abs(b[0] - a[0]) < WIDTH / 2 for a, b in itertools.pairwise(points)):
        return [points]
    east = sum(1 for x, _ in points if x > WIDTH / 2) * 2 > len(points)
    moved = [(x + WIDTH, y) if east and x < WIDTH / 2 else (x, y) for x, y in points]
    if not east:
        moved = [(x - WIDTH, y) if x > WIDTH / 2 else (x, y) for x, y in points]
    shift = -WIDTH if east else WIDTH
    return [moved, [(x + shift, y) for x, y in moved]]


def rings_of(geometry: dict[str, Any], arcs: list[list[Point]]) -> list[list[Point]]:
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    return [part for polygon in polygons for r in polygon for part in unwrap(ring(r, arcs))]


def path(rings: list[list[Point]]) -> str:
    parts = []
    for points in rings:
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points[:-1])
        parts.append(f"M{coords}Z")
    return "".join(parts)


def dot(points: list[Point], radius: float = DOT) -> str:
    """A small circle where a country too small to draw lies (Singapore, Malta)."""
    x = sum(p[0] for p in points) / len(points)
    y = sum(p[1] for p in points) / len(points)
    d = 2 * radius
    return (
        f"M{x - radius:.1f},{y:.1f}a{radius},{radius} 0 1,0 {d},0a{radius},{radius} 0 1,0 -{d},0Z"
    )


def build(topology: dict[str, Any], codes: list[list[str]]) -> dict[str, Any]:
    alpha2 = {numeric: two.lower() for two, _three, numeric, *_ in codes}
    arcs = [simplify(arc) for arc in decode_arcs(topology)]
    shapes: dict[str, list[list[Point]]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        number = geometry.get("id")
        code = alpha2.get(number) if number else BY_NAME.get(geometry["properties"]["name"])
        if (
            code is None
            or number in LEFT_OUT
            or geometry["type"] not in ("Polygon", "MultiPolygon")
        ):
            continue
        shapes.setdefault(code, []).extend(rings_of(geometry, arcs))
    countries = {}
    for code, rings in sorted(shapes.items()):
        kept = [r for r in rings if len(r) > 3 and area(r) >= MIN_AREA]
        countries[code] = path(kept) if kept else dot(max(rings, key=len))
    return {
        "source": "world-atlas 2.0.2 countries-50m (Natural Earth, public domain; ISC)",
        "width": int(WIDTH),
        "height": HEIGHT,
        "countries": countries,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("atlas", type=Path, help="world-atlas countries-50m.json")
    parser.add_argument("codes", type=Path, help="i18n-iso-countries codes.json")
    parser.add_argument("--out", type=Path, default=HERE / "world.json")
    args = parser.parse_args()
    found = build(json.loads(args.atlas.read_text()), json.loads(args.codes.read_text()))
    args.out.write_text(json.dumps(found, separators=(",", ":"), sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
