"""Time and peak memory of making a long World Craft City activity report and a photo-heavy brochure.

Usage:
    python tools/bench_documents.py [--initiatives 60] [--photos 30] [--runs 3]

Builds a throwaway SQLite database in a temporary directory with one designated
city, ``--initiatives`` initiatives with long stories, and ``--photos`` camera-size
photos (4000 x 2667 JPEG, about 2-3 MB each), all ticked for the report. Each run
renders in a fresh child process, so its peak memory (maximum resident set) is
its own (Linux: the peak is reset through /proc/self/clear_refs just before
rendering). Prints pages, bytes, seconds and MB; nothing outside the temporary
directory is touched.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STORY = ("Masters of felt-making lay out coloured wool, soak it with hot soapy water and roll it for hours "
         "until the fibres lock. ") * 6


def _photo(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (4000, 2667), (40 + seed * 7 % 200, 90, 120))
    draw = ImageDraw.Draw(image)
    for i in range(0, 4000, 50):  # texture, so the JPEG is camera-sized rather than flat
        draw.line([(i, 0), (4000 - i, 2667)], fill=((i * 13 + seed) % 255, (i * 7) % 255, 200), width=9)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def build(instance: Path, initiatives: int, photos: int) -> None:
    from werkzeug.datastructures import FileStorage

    from wcc import create_app
    from wcc.extensions import db
    from wcc.initiatives import services
    from wcc.initiatives.models import Category, Craft, Money
    from wcc.orgs.models import Organisation

    app = create_app({"INSTANCE_DIR": str(instance), "UPLOAD_DIR": str(instance / "uploads"),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'bench.db'}"})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        services.ensure_reference_data()
        net = Organisation(code="WCC", kind="network", name_fa="اتحادیه", name_en="Union", name_ru="Союз")
        prov = Organisation(code="IR-10", kind="province", parent=net, name_fa="اصفهان", name_en="Isfahan",
                            name_ru="Исфахан")
        city = Organisation(code="IR-10-ISFAHAN", kind="municipality", parent=prov, name_fa="اصفهان",
                            name_en="Isfahan", name_ru="Исфахан", wcc_year=2015, wcc_craft_fa="صنایع دستی",
                            wcc_craft_en="multiple handicrafts", wcc_craft_ru="ремёсла", settlement="city")
        db.session.add_all([net, prov, city])
        db.session.flush()
        categories = db.session.query(Category).all()
        felt = db.session.query(Craft).filter_by(code="felt").one()
        made = []
        for n in range(initiatives):
            ini = services.create_initiative(city, {
                "title": f"Initiative {n + 1}: felt rugs for Moscow", "category": categories[n % len(categories)],
                "status": "active", "start_date": date(2025, 4, 1) + timedelta(days=n * 5), "story": STORY,
                "story_ru": STORY, "title_ru": f"Инициатива {n + 1}", "published": True, "crafts": [felt],
                "partners": [f"Partner {n}"], "summary": "",
                "deal_value": Money(Decimal(1000 + n), "EUR", date(2025, 6, 1)) if n % 3 == 0 else None})
            made.append(ini)
        for n in range(photos):
            services.add_file(made[n % len(made)], FileStorage(io.BytesIO(_photo(n)), filename=f"p{n}.jpg"))
        db.session.commit()


def run_once(instance: Path, kind: str) -> dict:
    """In a child process: render once, report pages, bytes, seconds and peak memory."""
    code = f"""
import json, sys, time
sys.path.insert(0, {str(ROOT)!r})
from wcc import create_app
from wcc.extensions import db
app = create_app({{"INSTANCE_DIR": {str(instance)!r}, "UPLOAD_DIR": {str(instance / 'uploads')!r},
                  "SQLALCHEMY_DATABASE_URI": "sqlite:///{instance / 'bench.db'}", "PDF_MAX_PAGES": 500}})
with app.app_context(), app.test_request_context():
    from sqlalchemy import select
    from wcc.documents import queries, services
    from wcc.orgs.models import Organisation
    city = db.session.scalar(select(Organisation).where(Organisation.code == "IR-10-ISFAHAN"))
    prov = db.session.scalar(select(Organisation).where(Organisation.code == "IR-10"))
    def status(field):
        for line in open("/proc/self/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1])
    before = status("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:  # resets the peak (VmHWM) to the current size
        f.write("5")
    start = time.perf_counter()
    if {kind!r} == "report":
        span = queries.Span(1404, 1405)
        photos = [f.id for f in queries.photos_of(queries.span_initiatives(city, span))]
        doc = services.create_designation_report(city, language="en", span=span, photo_ids=photos,
                                                 narrative="Benchmark.", user=None, background=False)
    else:
        doc = services.create_brochure(prov, language="ru", paper="A4", initiative_ids=None, craft_code="felt",
                                       contact_ids=[], user=None, background=False)
    seconds = time.perf_counter() - start
    peak = status("VmHWM")
    db.session.rollback()
    print(json.dumps({{"pages": doc.latest.pages, "bytes": doc.latest.size, "seconds": seconds,
                      "peak_mb": peak / 1024, "before_mb": before / 1024}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--initiatives", type=int, default=60)
    parser.add_argument("--photos", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp)
        started = time.perf_counter()
        build(instance, args.initiatives, args.photos)
        uploads = sum(p.stat().st_size for p in (instance / "uploads").rglob("*") if p.is_file())
        print(f"built in {time.perf_counter() - started:.1f} s: {args.initiatives} initiatives, {args.photos} "
              f"photos ({uploads / 1024 / 1024:.1f} MB stored)")
        for kind in ("report", "brochure"):
            for run in range(args.runs):
                r = run_once(instance, kind)
                print(f"{kind:8} run {run + 1}: {r['pages']} pages, {r['bytes'] / 1024 / 1024:.2f} MB, "
                      f"{r['seconds']:.1f} s, peak RSS while rendering {r['peak_mb']:.0f} MB "
                      f"(before {r['before_mb']:.0f} MB)")


if __name__ == "__main__":
    main()
