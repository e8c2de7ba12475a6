"""Search on both databases: the same words find the same rows, best first, on the initiatives
list, the member directory and the user list, through an index kept in step with every write."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from wcc.extensions import db
from wcc.i18n.search import matches_all, search_words
from wcc.initiatives import services
from wcc.initiatives.models import Initiative

pytestmark = pytest.mark.usefixtures("reference_data")

QUERIES = ["نمدمالي مسكو", "مسکو نمدمالی", "felt moscow", "MOSCOW Felt", "войлок москва", "Москва ВОЙЛОК",
           "نمدمالي ۱۴۰۴ مسكو"]
# Folded the same way: ZWNJ and spaces inside a word, Arabic ي/ك, Persian digits.
NAMES = {"fa": "نمد\u200cمالی مسکو ۱۴۰۴", "en": "Felt Moscow 1404", "ru": "Войлок Москва 1404"}
OTHERS = {"fa": "نمدمالی کرمانشاه ۱۴۰۴", "en": "Felt Kermanshah 1404", "ru": "Войлок Керманшах 1404"}


def _words_of(query: str) -> list[str]:
    return search_words(query)


@pytest.mark.parametrize("query", QUERIES)
def test_every_list_finds_every_word_in_any_order_with_the_same_folding(client, network, login_as, create_org,
                                                                         create_user, make_initiative, query):
    org = create_org("municipality", code="IR-10-NAMAD", parent=network.orgs["IR-10"], name_fa=NAMES["fa"],
                     name_en=NAMES["en"], name_ru=NAMES["ru"])
    create_org("municipality", code="IR-10-OTHER", parent=network.orgs["IR-10"], name_fa=OTHERS["fa"],
               name_en=OTHERS["en"], name_ru=OTHERS["ru"])
    create_user("municipality", org, email="namad@example.org", name=" · ".join(NAMES.values()))
    create_user("municipality", org, email="other@example.org", name=" · ".join(OTHERS.values()))
    make_initiative(org, " · ".join(NAMES.values()), published=True)
    make_initiative(org, " · ".join(OTHERS.values()), published=True)
    login_as(network.users["admin"])

    page = client.get("/initiatives", query_string={"q": query, "view": "table"}).get_data(as_text=True)
    assert "Felt Moscow 1404" in page and "Felt Kermanshah 1404" not in page
    page = client.get("/orgs", query_string={"q": query}).get_data(as_text=True)
    assert "IR-10-NAMAD" in page and "IR-10-OTHER" not in page
    page = client.get("/admin/users", query_string={"q": query}).get_data(as_text=True)
    assert "namad@example.org" in page and "other@example.org" not in page


def test_words_in_the_name_rank_first_on_the_directory_and_the_user_list(client, network, login_as, create_org,
                                                                         create_user):
    parent = network.orgs["IR-10"]
    # Both hold both words; only the second has them in its first (Persian) name.
    create_org("municipality", code="IR-10-AAA", parent=parent, name_fa="شهرداری آران",
               name_en="Moscow felt partner town", name_ru="Войлок Москва")
    create_org("municipality", code="IR-10-ZZZ", parent=parent, name_fa="نمدمالی مسکو", name_en="Felt Moscow",
               name_ru="Войлок Москва")
    org = network.orgs["IR-10-KASHAN"]
    create_user("municipality", org, email="felt.moscow@example.org", name="Ali Karimi")
    create_user("municipality", org, email="zz@example.org", name="Felt Moscow")
    login_as(network.users["admin"])
    page = client.get("/orgs", query_string={"q": "مسكو نمدمالي"}).get_data(as_text=True)
    assert "IR-10-AAA" not in page and "IR-10-ZZZ" in page  # «مسکو» is not in «Moscow»
    page = client.get("/orgs", query_string={"q": "moscow felt"}).get_data(as_text=True)
    assert page.index("IR-10-AAA") < page.index("IR-10-ZZZ")  # neither has the words in the Persian name: by code
    page = client.get("/admin/users", query_string={"q": "moscow felt"}).get_data(as_text=True)
    assert page.index("zz@example.org") < page.index("felt.moscow@example.org")  # the name before the e-mail


@pytest.mark.parametrize("path", ["/initiatives", "/orgs", "/admin/users"])
def test_a_search_runs_a_fixed_number_of_queries(client, network, login_as, create_org, create_user,
                                                 make_initiative, count_queries, path):
    login_as(network.users["admin"])
    added = iter(range(1000))

    def add(n):
        for _ in range(n):
            i = next(added)
            org = create_org("municipality", parent=network.orgs["IR-10"], name_fa=f"نمدمالی مسکو {i}",
                             name_en=f"Felt Moscow {i}", name_ru=f"Войлок Москва {i}")
            create_user("municipality", org, name=f"Felt Moscow {i}")
            make_initiative(org, f"Felt Moscow {i}", published=True)

    def queries():
        with count_queries() as counted:
            response = client.get(path, query_string={"q": "moscow felt"})
            page = response.get_data(as_text=True)
            assert response.status_code == 200 and ("Moscow" in page or "مسکو" in page)
        return counted.count

    add(2)
    few = queries()
    add(12)
    assert queries() == few


def test_the_search_index_follows_every_insert_edit_and_delete(app, backend, network, make_initiative):
    """What the index finds is what the rows hold, after each kind of write, on both databases."""
    org = network.orgs["IR-10"]
    felt = make_initiative(org, "نمدمالی مسکو", published=True)
    carpet = make_initiative(org, "فرش تبریز", published=True)

    def found(query: str) -> set[int]:
        return set(db.session.scalars(select(Initiative.id).where(
            matches_all(Initiative.search_text, _words_of(query)))))

    def indexed(query: str) -> set[int]:
        """Rows the index alone names (on PostgreSQL the same LIKE, forced through the GIN index)."""
        words = _words_of(query)
        if backend == "sqlite":
            phrases = " AND ".join(f'"{w}"' for w in words)
            return set(db.session.scalars(text("SELECT rowid FROM initiatives_search WHERE initiatives_search "
                                               "MATCH :q"), {"q": phrases}))
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        return found(query)

    assert found("مسكو نمدمالي") == indexed("مسكو نمدمالي") == {felt.id}
    services.update_initiative(felt, {"title": "نمدمالی کرمانشاه"})
    db.session.commit()
    assert found("مسكو نمدمالي") == indexed("مسكو نمدمالي") == set()
    assert found("کرمانشاه") == indexed("کرمانشاه") == {felt.id}
    db.session.delete(carpet)
    db.session.commit()
    assert found("تبریز") == indexed("تبریز") == set()


def test_a_search_goes_through_the_index(app, backend, network, make_initiative):
    make_initiative(network.orgs["IR-10"], "نمدمالی مسکو", published=True)
    stmt = select(Initiative.id).where(matches_all(Initiative.search_text, _words_of("felt نمدمالی")))
    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    if backend == "sqlite":
        plan = " ".join(str(row[-1]) for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
        assert "VIRTUAL TABLE INDEX" in plan and "initiatives_search" in plan
    else:
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(row[0] for row in db.session.execute(text(f"EXPLAIN {compiled}")))
        assert "ix_initiatives_search_text" in plan


@pytest.mark.parametrize("path, empty", [("/initiatives", "No initiatives match these filters."),
                                         ("/orgs", "No organisations match these filters."),
                                         ("/admin/users", "No users match these filters.")])
def test_a_search_that_finds_nothing_says_so_without_counting_from_zero_to_zero(client, network, login_as,
                                                                               path, empty):
    login_as(network.users["admin"])
    page = client.get(path, query_string={"q": "войлок москва", "lang": "en"}).get_data(as_text=True)
    assert empty in page and "0–0 of 0" not in page


@pytest.mark.parametrize("query", ['"""felt', 'fe"lt "moscow NEAR(x)', "felt* OR moscow", "^^^ - ::: {}", "%%%_ \\\\"])
def test_search_syntax_in_a_query_is_only_text(client, network, login_as, make_initiative, query):
    make_initiative(network.orgs["IR-10"], 'Felt* OR "Moscow" NEAR(x) ^^^ - ::: {} %%%_ \\\\', published=True)
    login_as(network.users["admin"])
    for path in ("/initiatives", "/orgs", "/admin/users"):
        assert client.get(path, query_string={"q": query}).status_code == 200
    page = client.get("/initiatives", query_string={"q": "felt* \"moscow\" near(x)"}).get_data(as_text=True)
    assert "NEAR(x)" in page
