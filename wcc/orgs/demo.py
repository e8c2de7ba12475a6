"""The demo network: WCC, Iran's 31 provinces and 26 member municipalities."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from importlib import resources

from sqlalchemy import select

from wcc.extensions import db
from wcc.orgs import services
from wcc.orgs.models import NETWORK_CODE, Organisation, OrgKind


def _rows(name: str) -> list[dict[str, str]]:
    with resources.files("wcc.data").joinpath(name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _float(value: str) -> float | None:
    return float(value) if value else None


def seed_orgs() -> Iterator[str]:
    """Create what is missing; existing organisations are left as they are."""
    existing = {o.code: o for o in db.session.scalars(select(Organisation))}
    network = existing.get(NETWORK_CODE)
    if network is None:
        network = services.create_org(
            code=NETWORK_CODE, kind=OrgKind.NETWORK, parent=None,
            name_fa="اتحادیه شهرهای جهانی صنایع دستی", name_en="Union of World Craft Cities",
            name_ru="Союз всемирных городов ремёсел", country="IR", latitude=35.69, longitude=51.39)
        yield NETWORK_CODE
    provinces = {}
    for row in _rows("provinces.csv"):
        org = existing.get(row["code"])
        if org is None:
            org = services.create_org(
                code=row["code"], kind=OrgKind.PROVINCE, parent=network, name_fa=row["name_fa"],
                name_en=row["name_en"], name_ru=row["name_ru"], country="IR",
                latitude=_float(row["lat"]), longitude=_float(row["lon"]))
            yield org.code
        provinces[org.code] = org
    for row in _rows("municipalities.csv"):
        if row["code"] in existing:
            continue
        org = services.create_org(
            code=row["code"], kind=OrgKind.MUNICIPALITY, settlement=row["settlement"],
            parent=provinces[row["province_code"]], name_fa=row["name_fa"], name_en=row["name_en"],
            name_ru=row["name_ru"], country="IR", latitude=_float(row["lat"]),
            longitude=_float(row["lon"]), wcc_year=int(row["wcc_year"]) if row["wcc_year"] else None,
            wcc_craft_fa=row["craft_fa"] or None, wcc_craft_en=row["craft_en"] or None,
            wcc_craft_ru=row["craft_ru"] or None)
        yield org.code
