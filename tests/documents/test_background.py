"""Documents are made by a background job: on RQ with the test run's Redis and a real worker in
burst mode, or in this process right after the request without a queue. The page shows the state;
a job run twice makes one version; a failure is shown with its reason; an activity report is
attached to the member's World Craft City obligation."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from tests.conftest import REDIS_URL, sign_in_session
from tests.documents.conftest import download, pdf_text
from tests.fixtures.jobs import queued, work
from wcc.documents.models import Document, DocumentVersion
from wcc.extensions import db

REPORT_URL = "/members/IR-10-ISFAHAN/designation-report?from=1404&to=1405"


@pytest.fixture
def designated(city):
    """Isfahan's designation (2015) with its two- and four-year obligations."""
    from wcc.designations.services import designate

    designation = designate(city.org, date(2015, 1, 1), confirmed=True)
    db.session.commit()
    return designation


@pytest.fixture
def rq_app(make_app, redis_store):
    # The web process may render one page only; the worker renders as many as it is allowed.
    return make_app(REDIS_URL=REDIS_URL, JOB_RETRY_INTERVALS=[0, 0], PDF_MAX_PAGES=1)


def only_document() -> Document:
    db.session.expire_all()
    return db.session.scalars(select(Document)).one()


def versions() -> int:
    return db.session.scalar(select(func.count()).select_from(DocumentVersion))


@pytest.fixture
def states():
    """Every state a document was written in, in order (what its page could have shown)."""
    seen: list[str] = []

    def record(session, _context):
        for obj in [*session.new, *session.dirty]:
            if isinstance(obj, Document) and (not seen or seen[-1] != obj.state):
                seen.append(str(obj.state))

    event.listen(Session, "after_flush", record)
    yield seen
    event.remove(Session, "after_flush", record)


def test_on_the_queue_the_page_waits_for_the_worker(rq_app, network, city, designated, states):
    client = rq_app.test_client()
    sign_in_session(client, network.users["isfahan"])
    response = client.post(REPORT_URL, data={"language": "en", "narrative": "Felt."})
    document = only_document()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/documents/{document.id}")
    # Saved at once, waiting in Redis; the page says so and refreshes itself, with no inline script.
    assert (document.state, versions(), queued()) == ("queued", 0, 1)
    page = client.get(f"/documents/{document.id}?lang=en").get_data(as_text=True)
    assert "waits for its turn to be made" in page and 'data-document-status="/documents/' in page
    assert "/static/js/documents" in page and '<meta http-equiv="refresh" content="5">' in page
    assert "Download PDF" not in page
    status = client.get(f"/documents/{document.id}/status").get_json()
    assert (status["state"], status["pending"], status["version"]) == ("queued", True, None)
    fa = client.get(f"/documents/{document.id}?lang=fa").get_data(as_text=True)
    assert "سند در نوبت ساخت است" in fa and "data-document-status" in fa

    work(rq_app)
    document = only_document()
    assert (document.state, [v.number for v in document.versions]) == ("ready", [1])
    # The worker rendered past the web process's one-page limit.
    assert document.latest.pages >= 2
    assert states == ["queued", "rendering", "ready"]
    status = client.get(f"/documents/{document.id}/status").get_json()
    assert (status["state"], status["pending"], status["version"]) == ("ready", False, 1)
    page = client.get(f"/documents/{document.id}?lang=en").get_data(as_text=True)
    assert f"/documents/{document.id}/versions/1.pdf" in page and "Download PDF" in page
    assert "data-document-status" not in page
    assert "Isfahan" in pdf_text(download(client, f"/documents/{document.id}/versions/1.pdf").data)

    # The same job again (RQ's retry, a worker that crashed after the commit) makes nothing new.
    with rq_app.app_context():
        from wcc.jobs import get_queue, run

        get_queue().enqueue(run, "wcc.documents.services.render_job", document.id, 1, None)
    work(rq_app)
    assert versions() == 1 and only_document().state == "ready"

    # Making it again queues version 2; asking twice while it waits queues nothing more.
    assert client.post(f"/documents/{document.id}/regenerate").status_code == 302
    assert client.post(f"/documents/{document.id}/regenerate").status_code == 302
    assert (only_document().state, queued()) == ("queued", 1)
    work(rq_app)
    assert [v.number for v in only_document().versions] == [2, 1]


def test_without_a_queue_it_is_made_right_after_the_request(client, login_as, network, city, states):
    login_as(network.users["isfahan"])
    response = client.post(REPORT_URL, data={"language": "fa"})
    assert response.status_code == 302
    document = only_document()
    assert (document.state, document.latest.number) == ("ready", 1)
    assert states == ["queued", "rendering", "ready"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"/documents/{document.id}/versions/1.pdf" in page and "data-document-status" not in page


def test_a_document_too_long_for_the_web_process_fails_with_the_reason(make_app, network, city):
    app = make_app(PDF_MAX_PAGES=1)
    client = app.test_client()
    sign_in_session(client, network.users["isfahan"])
    response = client.post(REPORT_URL, data={"language": "en"})
    assert response.status_code == 302
    document = only_document()
    assert (document.state, versions()) == ("failed", 0)
    assert document.failure["kind"] == "too_long" and document.failure["limit"] == 1
    page = client.get(f"/documents/{document.id}?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Could not be made." in html and "at most 1 can be made at once" in html and "Try again" in html
    fa = client.get(f"/documents/{document.id}?lang=fa").get_data(as_text=True)
    assert "هر بار حداکثر ۱ صفحه ساخته می‌شود" in fa and "ساخته نشد" in fa
    status = client.get(f"/documents/{document.id}/status?lang=en").get_json()
    assert (status["state"], status["pending"]) == ("failed", False)
    assert "at most 1" in status["failure"]
    assert "could not be made" in client.get("/documents?lang=en").get_data(as_text=True)
    # A failed report does not move the next report's default span.
    from wcc.documents import queries
    from wcc.periods import today

    assert queries.default_span(city.org, today()).first == 1394


def test_a_brochure_whose_initiatives_were_unpublished_fails_when_made_again(client, login_as, network, city):
    from wcc.initiatives.models import Initiative

    login_as(network.users["isfahan"])
    assert client.post("/brochures/new", data={"language": "ru", "craft": "felt"}).status_code == 302
    document = only_document()
    assert document.state == "ready"
    db.session.get(Initiative, city.felt.id).published = False
    db.session.commit()
    assert client.post(f"/documents/{document.id}/regenerate").status_code == 302
    document = only_document()
    assert (document.state, document.failure, [v.number for v in document.versions]) == (
        "failed", {"kind": "nothing_to_show"}, [1])
    page = client.get(f"/documents/{document.id}?lang=en").get_data(as_text=True)
    assert "is published any more" in page
    assert f"/documents/{document.id}/versions/1.pdf" in page  # the earlier version stays


def test_a_brochure_with_no_finished_version_is_not_published(make_app, network, city):
    app = make_app(PDF_MAX_PAGES=1)
    client = app.test_client()
    sign_in_session(client, network.users["isfahan"])
    assert client.post("/brochures/new", data={"language": "ru", "craft": "felt"}).status_code == 302
    document = only_document()
    assert (document.state, versions()) == ("failed", 0)
    assert "Mark as published" not in client.get(f"/documents/{document.id}?lang=en").get_data(as_text=True)
    assert client.post(f"/documents/{document.id}/publish").status_code == 302
    assert only_document().published_at is None
    assert "no finished version to publish" in client.get(f"/documents/{document.id}?lang=en").get_data(as_text=True)


def test_the_report_is_attached_to_the_next_open_obligation(client, login_as, network, city, designated):
    from wcc.designations.models import DesignationReport

    first, second = designated.reports
    login_as(network.users["isfahan"])
    form = client.get("/members/IR-10-ISFAHAN/designation-report?lang=en").get_data(as_text=True)
    assert "attached to the World Craft City obligation due" in form
    client.post(REPORT_URL, data={"language": "en"})
    document = only_document()
    assert document.obligation_id == first.id
    detail = client.get(f"/documents/{document.id}?lang=en").get_data(as_text=True)
    assert "Answers the World Craft City activity report due" in detail

    # The obligations page shows the versions made for each obligation, to whoever may see them.
    page = client.get("/designations?lang=en").get_data(as_text=True)
    assert f'data-generated-for="{first.id}"' in page and f'data-generated-for="{second.id}"' not in page
    assert f"/documents/{document.id}/versions/1.pdf" in page

    # The admin records the obligation as received with it: the generated report is offered first.
    login_as(network.users["admin"])
    page = client.get("/designations?lang=en").get_data(as_text=True)
    assert f'<option value="{document.id}" selected>' in page
    url = f"/designations/{designated.id}/reports/{first.id}/received"
    assert client.post(url, data={"received_on": "2017-03-01", "document": str(document.id)}).status_code == 302
    report = db.session.get(DesignationReport, first.id)
    assert (report.received_on, report.document_type, report.document_id) == (date(2017, 3, 1), "document",
                                                                              str(document.id))
    detail = client.get(f"/documents/{document.id}?lang=en").get_data(as_text=True)
    assert "Recorded as received on" in detail

    # The next report answers the four-year obligation.
    login_as(network.users["isfahan"])
    client.post("/members/IR-10-ISFAHAN/designation-report?from=1405&to=1405", data={"language": "fa"})
    newest = db.session.scalars(select(Document).order_by(Document.id.desc())).first()
    assert newest.obligation_id == second.id


@pytest.mark.parametrize("name", ["fars", "kashan_city", "shiraz_city"])
def test_another_province_gets_404_on_a_document_and_its_status(client, login_as, network, city, name):
    login_as(network.users["isfahan"])
    client.post(REPORT_URL, data={"language": "en"})
    document = only_document()
    assert client.get(f"/documents/{document.id}/status").status_code == 200
    login_as(network.users[name])
    assert client.get(f"/documents/{document.id}").status_code == 404
    assert client.get(f"/documents/{document.id}/status").status_code == 404
    assert download(client, f"/documents/{document.id}/versions/1.pdf").status_code == 404
    assert f"/documents/{document.id}" not in client.get("/designations").get_data(as_text=True)
