"""A lighter copy of the provinces map for the dashboards: fewer points, same shapes at map size.

Usage: python tools/simplify_iran_geojson.py [TOLERANCE_DEGREES]   (default 0.01, about 1 km)

Reads static/geo/iran-provinces.geojson and writes static/geo/iran-provinces-light.geojson:
every ring simplified with the Douglas–Peucker method, coordinates rounded to three decimals
(about 100 m), ring orientation kept (outer rings clockwise, as d3 and Plotly expect), rings
still closed. Properties and ids are unchanged. At the overview's size (a few hundred pixels
for 2,000 km) the difference cannot be seen; the download is a fraction of the original.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "static" / "geo" / "iran-provinces.geojson"
TARGET = ROOT / "static" / "geo" / "iran-provinces-light.geojson"


def _distance(p, a, b) -> float:
    """Distance from point p to the segment a–b (planar, in degrees)."""
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return ((x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2) ** 0.5


def simplify(points: list, tolerance: float) -> list:
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        index, farthest = None, tolerance
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > farthest:
                index, farthest = i, d
        if index is not None:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def ring(points: list, tolerance: float) -> list:
    out = simplify(points, tolerance)
    if len(out) < 4:  # too small to simplify: keep its corners
        out = points
    out = [[round(x, 3), round(y, 3)] for x, y in out]
    out[-1] = out[0]
    return out


def main(tolerance: float) -> None:
    data = json.loads(SOURCE.read_text(encoding="utf-8"))
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        polygons = [[ring(r, tolerance) for r in polygon] for polygon in polygons]
        geometry["coordinates"] = polygons if geometry["type"] == "MultiPolygon" else polygons[0]
    TARGET.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{TARGET.name}: {TARGET.stat().st_size:,} bytes (from {SOURCE.stat().st_size:,})")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 0.01)
