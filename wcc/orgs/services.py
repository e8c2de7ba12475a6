"""Rules for organisations: codes, hierarchy, activation. Services flush and raise ServiceError."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from wcc.audit.services import diff, record, snapshot
from wcc.errors import ServiceError, conflict
from wcc.extensions import db
from wcc.orgs.models import NETWORK_CODE, PARENT_KIND, Organisation, OrgKind, Settlement
from wcc.transaction import unique

ORG_FIELDS = ("code", "kind", "settlement", "parent_id", "name_fa", "name_en", "name_ru", "country",
              "latitude", "longitude", "wcc_year", "wcc_craft_fa", "wcc_craft_en", "wcc_craft_ru",
              "active")

PROVINCE_CODE = re.compile(r"IR-\d{2}")
MUNICIPALITY_SUFFIX = re.compile(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)*")


def municipality_code(province_code: str, name_en: str) -> str:
    """``IR-10`` + "Isfahan" → ``IR-10-ISFAHAN`` (the contract's format)."""
    suffix = re.sub(r"[^A-Z0-9]+", "-", name_en.upper()).strip("-")
    return f"{province_code}-{suffix}"


def validate_org(org: Organisation, parent: Organisation | None) -> None:
    """Raise ServiceError unless the code, kind and parent fit together."""
    kind = OrgKind(org.kind)
    expected_parent = PARENT_KIND[kind]
    if expected_parent is None:
        if parent is not None:
            raise ServiceError(_("The network has no parent organisation."))
        if org.code != NETWORK_CODE:
            raise ServiceError(_("The network's code is %(code)s.", code=NETWORK_CODE))
    else:
        if parent is None or parent.kind != expected_parent:
            raise ServiceError(_("Choose a parent organisation of the right kind: a province belongs to the "
                                 "network, a municipality to a province."))
    if kind == OrgKind.PROVINCE and not PROVINCE_CODE.fullmatch(org.code):
        raise ServiceError(_("A province's code is its ISO 3166-2 code, such as IR-10."))
    if kind == OrgKind.MUNICIPALITY:
        prefix = f"{parent.code}-"
        if not (org.code.startswith(prefix) and MUNICIPALITY_SUFFIX.fullmatch(org.code[len(prefix):])):
            raise ServiceError(_("A municipality's code is its province's code and its name in capitals, "
                             "such as %(example)s.", example=f"{parent.code}-NAME"))
        if org.settlement not in (Settlement.CITY, Settlement.VILLAGE):
            raise ServiceError(_("Say whether the municipality is a city or a village."))
    else:
        org.settlement = None
    if (org.latitude is None) != (org.longitude is None):
        raise ServiceError(_("Give both latitude and longitude, or neither."))
    with db.session.no_autoflush:
        existing = db.session.scalar(select(Organisation).where(Organisation.code == org.code))
    if existing is not None and existing is not org:
        raise conflict(_("Another organisation already has the code %(code)s.", code=org.code), field="code")


def create_org(**values) -> Organisation:
    parent = values.pop("parent", None)
    org = Organisation(**values)
    org.parent_id = parent.id if parent else None
    validate_org(org, parent)
    with unique(_l("Another organisation already has the code %(code)s.", code=org.code), "code"):
        db.session.add(org)
        org.parent = parent
    record("org.create", org, after=snapshot(org, ORG_FIELDS))
    return org


def update_org(org: Organisation, **values) -> Organisation:
    before = snapshot(org, ORG_FIELDS)
    parent = values.pop("parent", org.parent)
    for name, value in values.items():
        setattr(org, name, value)
    org.parent = parent
    org.parent_id = parent.id if parent else None
    if org.kind != OrgKind.NETWORK and parent is not None and parent.id == org.id:
        raise ServiceError(_("An organisation cannot be its own parent."))
    validate_org(org, parent)
    db.session.flush()
    old, new = diff(before, snapshot(org, ORG_FIELDS))
    if new:
        record("org.update", org, before=old, after=new)
    if before["active"] and not org.active:
        from wcc.auth.services import sign_out_everywhere

        # Its people stop acting for it at once: open browsers and API tokens included.
        for user in org.users:
            sign_out_everywhere(user)
    return org
