"""A designated World Craft City with initiatives, photos, money and approved figures; PDF text helpers."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from wcc.extensions import db

BIDI_AND_JOINERS = re.compile("[\u200c\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: install Debian's poppler-utils (.ci/run does)", pytrace=False)
    return path


def pdf_text(data: bytes) -> str:
    """The PDF's text as pdftotext reads it, without direction marks and joiners, spaces collapsed."""
    out = subprocess.run([_tool("pdftotext"), "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                         check=True).stdout.decode("utf-8")
    return re.sub(r"\s+", " ", BIDI_AND_JOINERS.sub("", out))


def pdf_info(data: bytes) -> dict[str, str]:
    out = subprocess.run([_tool("pdfinfo"), "-"], input=data, capture_output=True, check=True).stdout.decode()
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line) | {}


def download(client, url: str):
    """GET a file and close it (a file response keeps its file open until closed)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def photo_bytes(width: int = 2400, height: int = 1600, colour=(180, 60, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
def city(reference_data, network, make_initiative, make_goal, make_report):
    """Isfahan, World Craft City since 2015, with three initiatives in 1404 (one exhibition, one deal
    in EUR, one felt-making story in Russian), two photos, partners, and an approved EXPORT-RU value
    of 12,500 EUR in 1404-Q1 against a target of 50,000."""
    from wcc.dashboards.rollups import rebuild
    from wcc.goals.models import Target
    from wcc.initiatives import services
    from wcc.initiatives.models import Money

    org = network.orgs["IR-10-ISFAHAN"]
    org.name_fa, org.name_ru = "اصفهان", "Исфахан"
    org.wcc_year, org.wcc_craft_fa, org.wcc_craft_en, org.wcc_craft_ru = (
        2015, "صنایع دستی گوناگون", "multiple handicrafts", "разные ремёсла")
    db.session.commit()
    goal = make_goal("EXPORT-RU", title_en="Export value to Russia", title_fa="ارزش صادرات به روسیه")
    for year in ("1404", "1405"):
        db.session.add(Target(goal_id=goal.id, org_id=org.id, period_key=year, value=Decimal("50000")))
    db.session.commit()
    deal = make_initiative(org, "Felt rugs for a Moscow buyer", category_code="export_deal",
                           start_date=date(2025, 5, 1), partners=["Persian Pattern LLC"],
                           deal_value=Money(Decimal("48000"), "EUR", date(2025, 6, 10)))
    show = make_initiative(org, "Live felt-making at the embassy", category_code="exhibition",
                           start_date=date(2025, 8, 1), end_date=date(2025, 8, 3), published=True)
    felt = make_initiative(org, "نمد اصفهان", category_code="storytelling", start_date=date(2025, 9, 1),
                           published=True, story="داستان نمدمالان اصفهان.",
                           title_ru="Войлок Исфахана", story_ru="Мастера Исфахана валяют намад вручную.",
                           contact_name="Нарги Ахмади", contact_email="felt@example.org",
                           crafts=[_craft("felt")])
    for ini in (deal, felt):
        services.add_file(ini, FileStorage(io.BytesIO(photo_bytes()), filename="photo.jpg"),
                          caption="A felt rug")
    db.session.commit()
    make_report(org, goal, "1404-Q1", status="approved", value=Decimal("12500"))
    rebuild()
    db.session.commit()
    return SimpleNamespace(org=org, goal=goal, deal=deal, show=show, felt=felt)


def _craft(code: str):
    from sqlalchemy import select

    from wcc.initiatives.models import Craft

    return db.session.scalar(select(Craft).where(Craft.code == code))
