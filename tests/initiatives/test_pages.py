"""The pages: list with filters and search, detail, forms, publish, delete and restore."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from wcc.audit.models import AuditEvent
from wcc.extensions import db
from wcc.initiatives import services
from wcc.initiatives.models import Initiative

from .samples import png

XSS = "<img src=x onerror=alert(1)>"


def form(org="IR-10", **overrides) -> dict:
    """A valid create/edit form as a browser posts it."""
    data = {"title": "نمایشگاه‌های زنده", "org": org, "category": "exhibition", "status": "planned",
            "start_date": "", "end_date": "", "summary": "", "story": "", "partner_country": "",
            "partners": "", "budget_amount": "", "budget_currency": "IRR", "budget_value_date": "",
            "deal_amount": "", "deal_currency": "EUR", "deal_value_date": "", "contact_name": "",
            "contact_email": "", "contact_phone": "", "external_id": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Initiative))


# --- who sees what -------------------------------------------------------------------

def test_the_list_shows_published_initiatives_and_only_the_drafts_one_may_see(
        client, network, login_as, make_initiative):
    make_initiative(network.orgs["IR-07-SHIRAZ"], "Shiraz published", published=True)
    make_initiative(network.orgs["IR-07-SHIRAZ"], "Shiraz draft")
    make_initiative(network.orgs["IR-10-KASHAN"], "Kashan draft")
    make_initiative(network.orgs["IR-10-ISFAHAN"], "Isfahan draft")
    login_as(network.users["isfahan"])
    page = client.get("/initiatives?lang=en").get_data(as_text=True)
    assert "Shiraz published" in page and "Kashan draft" in page
    assert "Shiraz draft" not in page
    login_as(network.users["isfahan_city"])
    page = client.get("/initiatives?lang=en").get_data(as_text=True)
    assert "Isfahan draft" in page and "Shiraz published" in page
    assert "Kashan draft" not in page and "Shiraz draft" not in page


@pytest.mark.parametrize("path", ["", "/edit", "/files/1"])
def test_another_members_draft_answers_404(client, network, login_as, make_initiative, path):
    ini = make_initiative(network.orgs["IR-07-SHIRAZ"], "Shiraz draft")
    login_as(network.users["isfahan_city"])
    assert client.get(f"/initiatives/{ini.id}{path}").status_code == 404
    assert client.post(f"/initiatives/{ini.id}/publish", data={"published": "1"}).status_code == 404


@pytest.mark.parametrize("method, path", [("get", "/edit"), ("post", "/edit"), ("post", "/publish"),
                                          ("post", "/delete"), ("post", "/files")])
def test_changing_another_members_published_initiative_answers_403(client, network, login_as,
                                                                   make_initiative, method, path):
    ini = make_initiative(network.orgs["IR-07-SHIRAZ"], "Shiraz published", published=True)
    login_as(network.users["isfahan"])
    assert client.get(f"/initiatives/{ini.id}").status_code == 200
    assert getattr(client, method)(f"/initiatives/{ini.id}{path}", data=form()).status_code == 403
    assert db.session.get(Initiative, ini.id).title == "Shiraz published"


def test_the_ministry_reads_drafts_but_cannot_create_or_edit(client, network, login_as, make_initiative):
    ini = make_initiative(network.orgs["IR-07-SHIRAZ"], "Shiraz draft")
    login_as(network.users["ministry"])
    page = client.get(f"/initiatives/{ini.id}?lang=en").get_data(as_text=True)
    assert "Shiraz draft" in page and "History of changes" in page and ">Edit<" not in page
    assert client.get("/initiatives/new").status_code == 403
    assert "/initiatives/new" not in client.get("/").get_data(as_text=True)


# --- creating and editing ------------------------------------------------------------------

def test_a_province_officer_registers_an_initiative_in_persian(client, network, login_as, craft):
    login_as(network.users["isfahan"])
    response = client.post("/initiatives/new", data={
        **form(title="  نمایشگاه‌های زنده  ", crafts=["felt", "needlework"], budget_amount="۱۲٬۵۰۰٬۰۰۰",
               start_date="۱۴۰۴/۰۴/۰۱", end_date="2025-07-30", partner_country="RU",
               partners="Экспоцентр\nسفارت ایران در مسکو", published="y"),
        "milestones-0-due_date": "1404/04/10", "milestones-0-title": "ارسال آثار", "milestones-0-done": "y",
        "milestones-1-due_date": "", "milestones-1-title": ""})
    assert response.status_code == 302
    ini = db.session.scalars(select(Initiative)).one()
    assert response.headers["Location"].endswith(f"/initiatives/{ini.id}")
    assert ini.title == "نمایشگاه‌های زنده"  # ZWNJ kept, spaces trimmed
    assert ini.org.code == "IR-10" and ini.published and ini.start_date == date(2025, 6, 22)
    assert ini.budget_amount == Decimal("12500000") and ini.budget_currency == "IRR"
    assert [c.code for c in ini.crafts] == ["felt", "needlework"]
    assert [(m.due_date, m.title, m.done) for m in ini.milestones] == [(date(2025, 7, 1), "ارسال آثار", True)]
    assert [p.name for p in ini.partners] == ["Экспоцентр", "سفارت ایران در مسکو"]
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "initiatives")).all()
    assert actions == ["initiative.create"]


BAD_FORMS = [
    {"title": ""},
    {"title": "x" * 10_000},
    {"title": "bad\x00title"},
    {"category": ""},
    {"category": "no_such_category"},
    {"org": "IR-07"},
    {"start_date": "31/31/2025"},
    {"start_date": "۱۴۰۴/۱۲/۳۰"},  # 1404 is not a leap year
    {"budget_amount": "twelve"},
    {"budget_amount": "-5"},
    {"start_date": "2025-06-01", "end_date": "2025-05-01"},
    {"contact_email": "nobody"},
    {"milestones-0-due_date": "2025-06-01", "milestones-0-title": ""},
]


@pytest.mark.parametrize("overrides", BAD_FORMS, ids=[",".join(o) + f"-{i}" for i, o in enumerate(BAD_FORMS)])
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(client, network, login_as, overrides):
    login_as(network.users["isfahan"])
    response = client.post("/initiatives/new?lang=en", data=form(**overrides))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Please correct the highlighted fields." in page and 'role="alert"' in page
    assert count() == 0


def test_form_errors_are_in_the_users_language(client, network, login_as):
    login_as(network.users["isfahan"])
    page = client.post("/initiatives/new?lang=fa", data=form(start_date="۱۴۰۴/۱۲/۳۰")).get_data(as_text=True)
    assert "چنین تاریخی وجود ندارد" in page
    page = client.post("/initiatives/new?lang=ru", data=form(title="")).get_data(as_text=True)
    assert "Это поле обязательно." in page


def test_dates_and_amounts_are_read_as_typed_and_ambiguous_amounts_are_asked_about(client, network, login_as):
    login_as(network.users["isfahan"])
    page = client.get("/initiatives/new?lang=fa").get_data(as_text=True)
    assert "<bdi>2027-02-11</bdi>" in page and "<bdi>۲۲ بهمن ۱۴۰۵</bdi>" in page
    data = form(start_date="۲۲ بهمن ۱۴۰۵", end_date="11.03.2027", budget_amount="۱۲٬۵۰۰ یورو", budget_currency="IRR",
                deal_amount="۱۲.۵۰۰")
    asked = client.post("/initiatives/new?lang=fa", data=data)
    assert asked.status_code in (400, 422) and count() == 0
    page = asked.get_data(as_text=True)
    assert 'name="deal_amount-meant"' in page and "۱۲٬۵۰۰" in page and "۱۲٫۵" in page
    assert client.post("/initiatives/new?lang=fa", data={**data, "deal_amount-meant": "decimal:۱۲.۵۰۰"}).status_code == 302
    ini = db.session.scalars(select(Initiative)).one()
    assert (ini.start_date, ini.end_date) == (date(2027, 2, 11), date(2027, 3, 11))
    assert (ini.budget_amount, ini.budget_currency) == (Decimal("12500"), "EUR")  # the currency typed wins
    assert (ini.deal_amount, ini.deal_currency) == (Decimal("12.5"), "EUR")


@pytest.mark.parametrize("typed", ["۱۲٬۵۰۰ تومان", "EUR 12 500 RUB", "دوازده هزار"])
def test_an_amount_with_words_that_are_not_a_currency_is_refused(client, network, login_as, typed):
    login_as(network.users["isfahan"])
    response = client.post("/initiatives/new?lang=en", data=form(budget_amount=typed))
    assert response.status_code in (400, 422) and count() == 0


def test_every_input_has_a_visible_label_tied_to_it(client, network, login_as):
    import re

    login_as(network.users["admin"])
    page = client.get("/initiatives/new?lang=en").get_data(as_text=True)
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', page)
    labelled = set(re.findall(r'<label[^>]*for="([^"]+)"', page))
    unlabelled = [i for i in ids if i not in labelled and i not in ("csrf_token", "version")]
    assert not unlabelled


def test_editing_with_a_stale_version_is_refused_and_changes_nothing(client, network, login_as,
                                                                     make_initiative):
    ini = make_initiative(network.orgs["IR-10"], "First")
    services.update_initiative(ini, {"title": "Changed meanwhile"})
    db.session.commit()
    login_as(network.users["isfahan"])
    response = client.post(f"/initiatives/{ini.id}/edit?lang=en", data=form(title="Mine", version="1"))
    assert response.status_code == 409
    assert "Someone else changed this initiative" in response.get_data(as_text=True)
    assert db.session.get(Initiative, ini.id).title == "Changed meanwhile"
    response = client.post(f"/initiatives/{ini.id}/edit", data=form(title="Mine", version="2"))
    assert response.status_code == 302 and db.session.get(Initiative, ini.id).title == "Mine"


def test_editing_without_a_version_does_not_overwrite_a_concurrent_change(client, network, login_as,
                                                                          make_initiative):
    ini = make_initiative(network.orgs["IR-10"], "First")
    services.update_initiative(ini, {"title": "Changed meanwhile"})
    db.session.commit()
    login_as(network.users["isfahan"])
    data = form(title="Mine")
    data.pop("version", None)
    response = client.post(f"/initiatives/{ini.id}/edit?lang=en", data=data)
    assert response.status_code == 409
    assert db.session.get(Initiative, ini.id).title == "Changed meanwhile"


def test_publishing_deleting_and_restoring(client, network, login_as, make_initiative):
    ini = make_initiative(network.orgs["IR-10-ISFAHAN"], "Felt for Moscow")
    login_as(network.users["isfahan_city"])
    assert client.post(f"/initiatives/{ini.id}/publish", data={"published": "1"}).status_code == 302
    assert db.session.get(Initiative, ini.id).published
    login_as(network.users["shiraz_city"])
    assert client.get(f"/initiatives/{ini.id}").status_code == 200
    login_as(network.users["isfahan_city"])
    assert client.post(f"/initiatives/{ini.id}/delete").status_code == 302
    assert "Felt for Moscow" not in client.get("/initiatives").get_data(as_text=True)
    assert client.get(f"/initiatives/{ini.id}").status_code == 404
    assert client.post(f"/initiatives/{ini.id}/restore").status_code == 404
    login_as(network.users["admin"])
    assert "Felt for Moscow" in client.get("/initiatives?deleted=1").get_data(as_text=True)
    assert client.post(f"/initiatives/{ini.id}/restore").status_code == 302
    login_as(network.users["shiraz_city"])
    assert client.get(f"/initiatives/{ini.id}").status_code == 200


# --- search, filters, queries ------------------------------------------------------------

@pytest.mark.parametrize("query, title", [
    ("کیفیت", "كيفيت فرش"),  # Persian ی/ک find Arabic ي/ك
    ("كيفيت", "کیفیت فرش"),
    ("نمایشگاه ها", "نمایشگاه‌های زنده"),  # a space where the title has a ZWNJ
    ("نمایشگاههای", "نمایشگاه‌های زنده"),
    ("1404", "حراج ۱۴۰۴"),  # Latin digits find Persian ones
    ("۱۴۰۴", "Auction 1404"),
    ("MOSCOW", "Felt for moscow"),
    ("50%", "A 50% discount"),
])
def test_search_is_persian_aware(client, network, login_as, make_initiative, query, title):
    make_initiative(network.orgs["IR-10"], title, published=True)
    make_initiative(network.orgs["IR-10"], "Something else", published=True)
    login_as(network.users["shiraz_city"])
    page = client.get("/initiatives", query_string={"q": query}).get_data(as_text=True)
    assert title in page and "Something else" not in page


@pytest.mark.parametrize("query", ["نمدمالي مسكو", "مسکو نمدمالی", "felt moscow", "MOSCOW felt", "войлок москва",
                                   "Москва ВОЙЛОК"])
def test_every_word_matches_in_any_order_and_title_matches_come_first(client, network, login_as, make_initiative,
                                                                       query):
    org = network.orgs["IR-10"]
    make_initiative(org, "Moscow buyers", summary="نمدمالی برای مسکو; felt to Moscow; войлок в Москва",
                    published=True)
    make_initiative(org, "نمدمالی برای مسکو — felt to Moscow, войлок в Москва", published=True)
    make_initiative(org, "نمدمالی کرمانشاه", summary="felt only", published=True)
    login_as(network.users["shiraz_city"])
    page = client.get("/initiatives", query_string={"q": query, "view": "table"}).get_data(as_text=True)
    assert "نمدمالی کرمانشاه" not in page  # one of the words is missing
    assert page.index("نمدمالی برای مسکو") < page.index("Moscow buyers")  # both words in the title


@pytest.mark.parametrize("query", ["نمدمالي مسكو", "felt moscow", "войлок москва", "export deal Moscow"])
def test_an_initiative_is_found_by_the_names_of_its_crafts_and_category_in_every_language(
        client, network, login_as, make_initiative, craft, query):
    make_initiative(network.orgs["IR-10"], "حراج نفیس در مسکو", published=True, crafts=[craft("felt")],
                    story="فروش به خریدار روس.", partners=["Moscow buyers club", "ТД «Москва»"])
    make_initiative(network.orgs["IR-10"], "حراج فرش در مسکو", published=True, category_code="auction",
                    crafts=[craft("carpet")], partners=["Moscow buyers club", "ТД «Москва»"])
    login_as(network.users["shiraz_city"])
    page = client.get("/initiatives", query_string={"q": query}).get_data(as_text=True)
    assert "حراج نفیس در مسکو" in page and "حراج فرش در مسکو" not in page


def test_filters_narrow_the_list(client, network, login_as, make_initiative, craft):
    make_initiative(network.orgs["IR-10-KASHAN"], "Kashan felt", published=True, crafts=[craft("felt")],
                    status="completed", partner_country="RU", start_date=date(2025, 4, 1),
                    end_date=date(2025, 5, 1))
    make_initiative(network.orgs["IR-07-SHIRAZ"], "Shiraz film", published=True, category_code="film",
                    partner_country="KZ", start_date=date(2024, 1, 1), end_date=date(2024, 2, 1))
    login_as(network.users["isfahan_city"])
    cases = {"province": "IR-10", "org": "IR-10-KASHAN", "category": "export_deal", "craft": "felt",
             "status": "completed", "partner_country": "RU", "year": "1404"}
    for name, value in cases.items():
        page = client.get("/initiatives", query_string={name: value}).get_data(as_text=True)
        assert "Kashan felt" in page and "Shiraz film" not in page, name
    page = client.get("/initiatives", query_string={"year": "1402", "category": "film"}).get_data(as_text=True)
    assert "Shiraz film" in page and "Kashan felt" not in page


@pytest.mark.parametrize("view", ["table", "cards"])
def test_the_list_runs_a_fixed_number_of_queries(client, network, login_as, make_initiative, craft,
                                                 count_queries, view):
    login_as(network.users["isfahan"])

    def add(n):
        for i in range(n):
            ini = make_initiative(network.orgs["IR-10-KASHAN" if i % 2 else "IR-07"], f"Item {i}",
                                  published=True, crafts=[craft("felt"), craft("carpet")], partners=["P"])
            services.add_file(ini, png())
            db.session.commit()

    def queries():
        with count_queries() as counted:
            assert client.get(f"/initiatives?view={view}").status_code == 200
        return counted.count

    add(3)
    few = queries()
    add(30)
    assert queries() == few


def test_titles_are_shown_as_text_never_run(client, network, login_as, make_initiative):
    ini = make_initiative(network.orgs["IR-10"], XSS, published=True, summary=XSS, partners=[XSS],
                          story=f"**bold** {XSS} <script>alert(2)</script>")
    services.update_initiative(ini, {"title": XSS + " 2"})
    db.session.commit()
    login_as(network.users["isfahan"])
    for path in ("/initiatives", "/initiatives?view=cards", f"/initiatives/{ini.id}",
                 f"/initiatives/{ini.id}/edit"):
        page = client.get(path).get_data(as_text=True)
        assert "<img src=x" not in page and "<script>alert" not in page, path
        assert "&lt;img src=x onerror=alert(1)&gt;" in page, path
    assert "<strong>bold</strong>" in client.get(f"/initiatives/{ini.id}").get_data(as_text=True)


def test_home_and_navigation_lead_to_initiatives(client, network, login_as):
    login_as(network.users["kashan_city"])
    page = client.get("/").get_data(as_text=True)
    assert 'href="/initiatives/new"' in page and 'href="/initiatives"' in page


@pytest.mark.parametrize("lang", ["fa", "en", "ru"])
@pytest.mark.parametrize("path, args", [("/initiatives", {}), ("/initiatives", {"view": "cards"}),
                                        ("/initiatives/new", {}), ("/initiatives/import", {})])
def test_pages_render_in_every_language(client, network, login_as, make_initiative, lang, path, args):
    make_initiative(network.orgs["IR-10"], "نمایش", published=True)
    login_as(network.users["isfahan"])
    response = client.get(path, query_string={"lang": lang, **args})
    assert response.status_code == 200
    assert f'lang="{lang}"' in response.get_data(as_text=True)


def test_admins_manage_categories_and_crafts(client, network, login_as):
    login_as(network.users["isfahan"])
    assert client.get("/admin/initiatives/categories").status_code == 403
    login_as(network.users["admin"])
    response = client.post("/admin/initiatives/crafts/new", data={
        "code": "glass", "name_fa": "شیشه‌گری", "name_en": "Glassblowing", "name_ru": "Стеклоделие",
        "position": "30", "active": "y"})
    assert response.status_code == 302
    assert "Glassblowing" in client.get("/admin/initiatives/crafts?lang=en").get_data(as_text=True)
    response = client.post("/admin/initiatives/crafts/new", data={
        "code": "Glass!", "name_fa": "x", "name_en": "x", "name_ru": "x", "position": "1"})
    assert response.status_code == 400
