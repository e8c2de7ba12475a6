from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FloatField, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from wcc.forms import CleanStringField, choices, required
from wcc.orgs.models import OrgKind, Settlement

KIND_LABELS = {
    OrgKind.NETWORK: _l("Network"),
    OrgKind.PROVINCE: _l("Province"),
    OrgKind.MUNICIPALITY: _l("Municipality"),
}
SETTLEMENT_LABELS = {
    Settlement.CITY: _l("City"),
    Settlement.VILLAGE: _l("Village"),
}


class OrgForm(FlaskForm):
    code = CleanStringField(_l("Code"), [required()], max_length=40,
                            description=_l("Provinces: ISO 3166-2 code such as IR-10. "
                                           "Municipalities: province code and name, such as IR-10-ISFAHAN."))
    kind = SelectField(_l("Kind"), choices=choices((k.value, label) for k, label in KIND_LABELS.items()))
    settlement = SelectField(_l("City or village"),
                             choices=choices([("", "—")] + [(s.value, label) for s, label in SETTLEMENT_LABELS.items()]))
    parent = SelectField(_l("Belongs to"), coerce=lambda v: int(v) if v not in (None, "") else None)
    name_fa = CleanStringField(_l("Name in Persian"), [required()])
    name_en = CleanStringField(_l("Name in English"), [required()])
    name_ru = CleanStringField(_l("Name in Russian"), [required()])
    country = CleanStringField(_l("Country (ISO code)"), [required()], max_length=2, default="IR")
    latitude = FloatField(_l("Latitude"), [Optional(), NumberRange(-90, 90, message=_l(
        "Latitude must be between -90 and 90."))])
    longitude = FloatField(_l("Longitude"), [Optional(), NumberRange(-180, 180, message=_l(
        "Longitude must be between -180 and 180."))])
    wcc_year = IntegerField(_l("Year designated a World Craft City"), [Optional(), NumberRange(
        1964, 2100, message=_l("Enter a year between 1964 and 2100."))])
    wcc_craft_fa = CleanStringField(_l("Designated craft (Persian)"), [Optional()])
    wcc_craft_en = CleanStringField(_l("Designated craft (English)"), [Optional()])
    wcc_craft_ru = CleanStringField(_l("Designated craft (Russian)"), [Optional()])
    active = BooleanField(_l("Active member"), default=True)

    def values(self) -> dict:
        return {
            "code": self.code.data.upper(),
            "kind": self.kind.data,
            "settlement": self.settlement.data or None,
            "name_fa": self.name_fa.data, "name_en": self.name_en.data, "name_ru": self.name_ru.data,
            "country": self.country.data.upper(),
            "latitude": self.latitude.data, "longitude": self.longitude.data,
            "wcc_year": self.wcc_year.data,
            "wcc_craft_fa": self.wcc_craft_fa.data or None,
            "wcc_craft_en": self.wcc_craft_en.data or None,
            "wcc_craft_ru": self.wcc_craft_ru.data or None,
            "active": self.active.data,
        }
