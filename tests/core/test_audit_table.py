"""The audit trail as a readable table: action names and changed values in the reader's language,
links to the objects that still exist, and a fixed number of queries per page."""

from __future__ import annotations

import re

import pytest

from wcc.audit.display import ACTION_LABELS
from wcc.audit.services import record
from wcc.extensions import db

pytestmark = pytest.mark.usefixtures("reference_data")


def visible_text(html: str) -> str:
    """The page as read: no tags, no attribute values (option values are codes on purpose)."""
    body = html.split("<main", 1)[-1]
    return re.sub(r"<[^>]+>", " ", body)


@pytest.fixture
def events(network, make_initiative):
    ini = make_initiative(network.orgs["IR-10"], "Felt in Moscow")
    admin = network.users["admin"]
    record("initiative.update", ini, actor=admin,
           before={"budget": {"amount": "12500.00", "currency": "EUR"}, "start_date": "2026-02-11",
                   "published": False, "story": "short"},
           after={"budget": {"amount": "15000.00", "currency": "EUR"}, "start_date": "2027-02-11",
                  "published": True, "story": "x" * 500})
    record("org.update", network.orgs["IR-10-KASHAN"], actor=admin, before={"active": True}, after={"active": False})
    record("initiative.delete", object_type="initiatives", object_id=987654, actor=admin,
           before={"deleted_at": None}, after={"deleted_at": "2026-03-01T08:30:00+00:00"})
    db.session.commit()
    return ini


def test_actions_and_values_read_in_persian(client, network, login_as, events):
    login_as(network.users["admin"])
    page = client.get("/admin/audit?lang=fa").get_data(as_text=True)
    text = visible_text(page)
    assert _label("initiative.update", "fa") in text
    assert "۱۲٬۵۰۰" in text and "۱۵٬۰۰۰" in text  # amounts with Persian digits
    assert "۲۲ بهمن ۱۴۰۴" in text and "۲۲ بهمن ۱۴۰۵" in text  # dates in the Solar Hijri calendar
    assert "بله" in text and "خیر" in text  # booleans as words
    assert "x" * 119 + "…" in text and "x" * 120 not in text  # long text shortened
    assert f'href="/initiatives/{events.id}"' in page  # a link to the object, which still exists
    assert "/initiatives/987654" not in page  # none to one that is gone
    for code in ("initiative.update", "org.update", "initiative.delete"):
        assert code not in text, f"raw action code {code} shown"
    assert "\\u0" not in page


def _label(code: str, lang: str) -> str:
    from flask_babel import force_locale

    with force_locale(lang):
        return str(ACTION_LABELS[code])


@pytest.mark.parametrize("lang", ["fa", "en", "ru"])
def test_every_language_names_the_actions_and_shows_no_codes(app, client, network, login_as, events, lang):
    login_as(network.users["admin"])
    text = visible_text(client.get(f"/admin/audit?lang={lang}").get_data(as_text=True))
    with app.test_request_context():
        labels = [_label(code, lang) for code in ("initiative.update", "org.update", "initiative.delete")]
    for label in labels:
        assert label in text
    for code in ACTION_LABELS:
        assert code not in text
    if lang == "en":
        assert "Initiative changed" in text and "12,500" in text and "11 Feb 2027" in text and "yes" in text
    if lang == "ru":
        assert "Инициатива изменена" in text and "да" in text and "нет" in text


def test_every_recorded_action_has_a_translated_label(app):
    """Every action code the app writes (found in its source) is in the one table of labels."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    source = "\n".join(p.read_text(encoding="utf-8") for p in (root / "wcc").rglob("*.py"))
    written = set(re.findall(r'(?:record|_emit)\((?:[^,()]+, )?"([a-z_]+\.[a-z_]+)"', source))
    written |= {f"report.{step}" for step in ("submit", "review", "approve", "return", "reopen")}
    written |= {f"{kind}.{verb}" for kind in ("initiative_categories", "crafts") for verb in ("create", "update")}
    assert written - set(ACTION_LABELS) == set()
    from babel.messages.pofile import read_po

    for lang in ("fa", "ru"):
        with open(root / f"translations/{lang}/LC_MESSAGES/messages.po", "rb") as f:
            catalog = read_po(f)
        for label in ACTION_LABELS.values():
            message = catalog.get(label._args[0])
            assert message is not None and message.string and not message.fuzzy, (lang, label._args[0])


def test_the_page_runs_a_fixed_number_of_queries(client, network, login_as, make_initiative, count_queries,
                                                  events):
    login_as(network.users["admin"])
    client.get("/admin/audit")
    with count_queries() as few:
        assert client.get("/admin/audit?lang=en").status_code == 200
    for n in range(12):
        ini = make_initiative(network.orgs["IR-10"], f"More {n}")
        record("initiative.publish", ini, actor=network.users["isfahan"], before={"published": False},
               after={"published": True})
        record("user.update", network.users["kashan_city"], actor=network.users["admin"],
               before={"role": "municipality"}, after={"role": "municipality"})
    db.session.commit()
    with count_queries() as many:
        assert client.get("/admin/audit?lang=en").status_code == 200
    assert many.count == few.count + 1  # the users on the page, now that there are some
