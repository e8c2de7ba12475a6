"""The rules every way in (form, API, import) shares: validation, versions, audit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from wcc.audit.models import AuditEvent
from wcc.errors import ServiceError
from wcc.extensions import db
from wcc.initiatives import services
from wcc.initiatives.models import Initiative, Money
from wcc.initiatives.services import MilestoneData


def _events(ini):
    return db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "initiatives", AuditEvent.object_id == str(ini.id)).order_by(AuditEvent.id)).all()


BAD_VALUES = [
    ("title", "", "title"),
    ("title", "   ", "title"),
    ("title", "x" * 10_000, "title"),
    ("title", "a\x00b", "title"),
    ("title", "two\nlines", "title"),
    ("summary", "s" * 1_001, "summary"),
    ("story", "s\x07", "story"),
    ("status", "finished", "status"),
    ("partner_country", "Russia", "partner_country"),
    ("partner_country", "XX", "partner_country"),
    ("contact_email", "not-an-address", "contact_email"),
    ("contact_phone", "call me", "contact_phone"),
    ("external_id", "r" * 101, "external_id"),
    ("start_date", date(1800, 1, 1), "start_date"),
    ("budget", Money(Decimal("-5"), "IRR", None), "budget.amount"),
    ("budget", Money(Decimal("10.555"), "EUR", None), "budget.amount"),
    ("budget", Money(Decimal("1e20"), "EUR", None), "budget.amount"),
    ("deal_value", Money(Decimal("100"), "GBP", None), "deal_value.currency"),
    ("partners", ["x" * 201], "partners"),
    ("partners", [f"p{i}" for i in range(21)], "partners"),
    ("milestones", [MilestoneData(None, "no date")], "milestones"),
    ("milestones", [MilestoneData(date(2025, 1, 1), "")], "milestones"),
]


@pytest.mark.parametrize("field, value, error_key", BAD_VALUES,
                         ids=[f"{f}-{i}" for i, (f, _v, _k) in enumerate(BAD_VALUES)])
def test_bad_values_are_refused_with_a_message_and_nothing_is_written(network, category, field, value,
                                                                     error_key):
    values = {"title": "نمایشگاه", "category": category(), field: value}
    with pytest.raises(ServiceError) as caught:
        services.create_initiative(network.orgs["IR-10"], values)
    assert error_key in caught.value.field_errors and caught.value.field_errors[error_key]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Initiative)) == 0


def test_the_end_cannot_come_before_the_start(network, make_initiative):
    ini = make_initiative(network.orgs["IR-10"], start_date=date(2025, 5, 1))
    with pytest.raises(ServiceError) as caught:
        services.update_initiative(ini, {"end_date": date(2025, 4, 1)})
    assert "end_date" in caught.value.field_errors


def test_creating_audits_every_value_and_stores_a_folded_search_key(network, make_initiative, craft):
    ini = make_initiative(network.orgs["IR-10"], "نمایشگاه‌های زنده كيفيت ۱۴۰۴", crafts=[craft("felt")],
                          partners=["Экспоцентр"], budget=Money(Decimal("1500000000"), "IRR", None),
                          start_date=date(2025, 4, 1))
    assert ini.title == "نمایشگاه‌های زنده كيفيت ۱۴۰۴"  # stored as typed
    assert "نمایشگاههایزندهکیفیت1404" in ini.search_text
    assert ini.budget.value_date == date(2025, 4, 1)  # valued at the start when no date was given
    (event,) = _events(ini)
    assert event.action == "initiative.create"
    assert event.after["crafts"] == ["felt"]
    assert event.after["budget"] == {"amount": "1500000000.00", "currency": "IRR", "value_date": "2025-04-01"}
    assert event.after["org"] == "IR-10" and event.after["published"] is False


def test_an_update_bumps_the_version_and_audits_only_what_changed(network, make_initiative):
    ini = make_initiative(network.orgs["IR-10"], "Old title", summary="Same")
    assert ini.version == 1
    assert services.update_initiative(ini, {"title": "New title", "summary": "Same"}, version=1)
    db.session.commit()
    assert ini.version == 2
    event = _events(ini)[-1]
    assert (event.action, event.before, event.after) == ("initiative.update", {"title": "Old title"},
                                                         {"title": "New title"})
    assert not services.update_initiative(ini, {"title": "New title"})  # no change, no event, same version
    assert ini.version == 2 and len(_events(ini)) == 2


def test_a_stale_version_changes_nothing(network, make_initiative):
    ini = make_initiative(network.orgs["IR-10"], "Title")
    services.update_initiative(ini, {"title": "Second"}, version=1)
    db.session.commit()
    with pytest.raises(ServiceError) as stale:
        services.update_initiative(ini, {"title": "Third"}, version=1)
    assert stale.value.status == 409 and stale.value.current is ini
    db.session.rollback()
    assert db.session.get(Initiative, ini.id).title == "Second"


def test_a_concurrent_writer_cannot_overwrite_a_newer_version(network, make_initiative):
    """The UPDATE itself is guarded by the version read, not only the check before it: the
    loser gets a 409 naming the version saved now, and its change is not written."""
    from sqlalchemy import update

    ini = make_initiative(network.orgs["IR-10"], "Title")
    assert ini.version == 1  # read by this request...
    db.session().expire_on_commit = False
    db.session.commit()  # (the read is over; the object keeps what it read)
    with db.engine.begin() as other:  # ...then changed by another one
        other.execute(update(Initiative).where(Initiative.id == ini.id).values(version=2, title="Theirs"))
    with pytest.raises(ServiceError) as lost:
        services.update_initiative(ini, {"title": "Mine"})
    assert lost.value.status == 409 and lost.value.current.version == 2
    db.session.rollback()
    assert db.session.get(Initiative, ini.id).title == "Theirs"


def test_publishing_deleting_and_restoring_are_audited(network, make_initiative):
    ini = make_initiative(network.orgs["IR-10"])
    services.set_published(ini, True)
    services.delete_initiative(ini)
    services.restore_initiative(ini)
    db.session.commit()
    assert [e.action for e in _events(ini)] == [
        "initiative.create", "initiative.publish", "initiative.delete", "initiative.restore"]
    publish = _events(ini)[1]
    assert (publish.before, publish.after) == ({"published": False}, {"published": True})
    assert ini.published_at is not None and ini.deleted_at is None and ini.version == 4


def test_external_ids_are_unique_within_an_organisation_only(network, make_initiative):
    make_initiative(network.orgs["IR-10"], external_id="X-1")
    make_initiative(network.orgs["IR-07"], external_id="X-1")
    with pytest.raises(ServiceError) as caught:
        make_initiative(network.orgs["IR-10"], external_id="X-1")
    assert "external_id" in caught.value.field_errors and caught.value.status == 409


def test_milestones_and_partners_replace_the_old_ones(network, make_initiative):
    ini = make_initiative(network.orgs["IR-10"], partners=["A", "B"],
                          milestones=[MilestoneData(date(2025, 5, 1), "Contract"),
                                      MilestoneData(date(2025, 4, 1), "Samples", True)])
    assert [m.title for m in ini.milestones] == ["Samples", "Contract"]  # timeline order
    services.update_initiative(ini, {"partners": ["C"], "milestones": []})
    db.session.commit()
    db.session.expire_all()
    ini = db.session.get(Initiative, ini.id)
    assert [p.name for p in ini.partners] == ["C"] and ini.milestones == []


def test_an_inactive_category_is_kept_but_not_chosen_anew(network, make_initiative, category):
    ini = make_initiative(network.orgs["IR-10"], category_code="film")
    category("film").active = False
    db.session.commit()
    services.update_initiative(ini, {"title": "Still film", "category": category("film")})
    with pytest.raises(ServiceError):
        services.create_initiative(network.orgs["IR-10"], {"title": "New", "category": category("film")})


def test_reference_codes_cannot_change_once_initiatives_use_them(network, make_initiative, category):
    from wcc.initiatives.models import Category

    make_initiative(network.orgs["IR-10"], category_code="film")
    film = category("film")
    values = {"code": "cinema", "name_fa": "سینما", "name_en": "Cinema", "name_ru": "Кино", "position": 1,
              "active": True}
    with pytest.raises(ServiceError):
        services.save_reference(Category, film, values)
    services.save_reference(Category, film, {**values, "code": "film"})
    assert film.name_en == "Cinema"
    with pytest.raises(ServiceError):
        services.save_reference(Category, None, {**values, "code": "film"})
