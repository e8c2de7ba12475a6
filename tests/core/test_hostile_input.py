"""A corpus of hostile inputs sent to every form and every JSON endpoint: never a server error.

The forms are found from the URL map: every route that takes a POST, its path filled with
objects of the demo network, its fields read from the forms of the pages that post to it (or
from its own page). Each field gets each value of the corpus - over-long text, NUL, lone
surrogates, bidi overrides, huge and negative numbers, 5000-digit numbers - and every file field
a malformed spreadsheet. The JSON endpoints come from the OpenAPI document: every field of each
request body gets each hostile JSON value (5000-digit numbers, wrong types, lone surrogates,
deep nesting), and whole bodies that are not what the endpoint takes. Both databases; a
signed-in admin and a municipality officer (who between them may open every form).
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from html.parser import HTMLParser
from urllib.parse import quote, quote_from_bytes, urlsplit

import pytest
from sqlalchemy import select

from wcc.auth.models import ApiToken, User
from wcc.auth.services import find_user_by_email
from wcc.designations.models import Designation
from wcc.documents.models import Document
from wcc.extensions import db
from wcc.goals.models import Goal
from wcc.initiatives.models import Category, Initiative, InitiativeFile
from wcc.notifications.models import Delivery, Notification
from wcc.reporting.models import ProgressReport, ReportEvidence

USERS = {"admin": "admin@wcc.example.org", "municipality": "isfahan.city@wcc.example.org"}

#: Form values, as the bytes a browser would put in the request (some are not valid UTF-8).
FORM_VALUES = {
    "over-long": ("ا" * 20_000).encode(),
    "NUL": b"abc\x00def",
    "lone surrogate": b"ab\xed\xa0\x80cd",  # U+D800 encoded as if it were a character
    "invalid UTF-8": b"\xff\xfe\xc0\x80",
    "bidi override": "\u202e1404\u202c\u2066x\u2069".encode(),
    "5000 digits": b"9" * 5000,
    "huge": b"1e308",
    "overflow": b"1e999",
    "negative": b"-99999999999999999999",
    "not a number": b"NaN",
    "persian digits": "۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹۹".encode(),
    "big id": str(2**63).encode(),
}

#: JSON values put in every field of a request body (as JSON text, not all valid for Python).
JSON_VALUES = {
    "5000-digit integer": "9" * 5000,
    "5000-digit negative": "-" + "9" * 5000,
    "5000-digit fraction": "0." + "1" * 5000,
    "huge float": "1e308",
    "overflowing float": "1e999",
    "negative": "-9223372036854775809",
    "big id": str(2**63),
    "list": "[1, 2]",
    "object": '{"a": {"b": 1}}',
    "boolean": "true",
    "null": "null",
    "lone surrogate": '"ab\\ud800cd"',
    "NUL": '"a\\u0000b"',
    "bidi override": '"\\u202e1404\\u202c"',
    "over-long": '"' + "x" * 100_000 + '"',
    "deep nesting": "[" * 5000 + "]" * 5000,
}

#: Whole request bodies that are not a JSON object of the right shape.
JSON_BODIES = {
    "empty": b"",
    "not JSON": b"{'a': 1",
    "invalid UTF-8": b'{"a": "\xff\xfe"}',
    "a list": b"[]",
    "a number": b"9" * 5000,
    "a string": b'"\\ud800"',
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "duplicate keys": b'{"value": 1, "value": [1]}',
}


def _xlsx_with_bad_xml() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types><Override PartName=")
        archive.writestr("xl/workbook.xml", "<workbook><sheets><sheet name='a' sheetId='1'")
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet>" + "<row>" * 1000)
    return out.getvalue()


FILES = {
    "xlsx with malformed XML": ("import.xlsx", _xlsx_with_bad_xml()),
    "xlsx that is not a zip": ("import.xlsx", b"PK\x03\x04" + b"\x00" * 200),
    "csv with NUL and bad UTF-8": ("import.csv", b"title,year\n\x00\xff\xfe,\xc0\x80\n" + b'"unclosed' * 50),
    # (below the 500 KB past which the test client spools a request to a file it leaves open)
    "csv with a huge field": ("import.csv", b"title\n" + b"a" * 300_000),
    "csv of 5000 digits": ("import.csv", b"title,budget,year\nx," + b"9" * 5000 + b",-1\n"),
    "empty file": ("import.csv", b""),
}


class _Forms(HTMLParser):
    """The POST forms of a page: ``{action path: ({text field names}, {file field names})}``."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path = page_path
        self.forms: dict[str, tuple[set, set]] = {}
        self._current: tuple[set, set] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                action = urlsplit(attrs.get("action") or self.page_path).path or self.page_path
                self._current = self.forms.setdefault(action, (set(), set()))
            else:
                self._current = None
        elif tag in ("input", "select", "textarea", "button") and self._current is not None:
            name = attrs.get("name")
            if not name or name == "csrf_token":
                return
            if (attrs.get("type") or "").lower() == "file":
                self._current[1].add(name)
            else:
                self._current[0].add(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _first(model, *where):
    return db.session.scalar(select(model).where(*where).order_by(model.id).limit(1))


def _ids(user: User) -> dict:
    """Objects the user may reach, one of each kind the routes name."""
    own = user.org.kind != "network"
    initiative = _first(Initiative, *((Initiative.org_id == user.org_id,) if own else ()))
    report = _first(ProgressReport, *((ProgressReport.org_id == user.org_id,) if own else ()))
    values = {
        "initiative_id": initiative and initiative.id,
        "report_id": report and report.id,
        "file_id": (f := _first(InitiativeFile, InitiativeFile.initiative_id == initiative.id)) and f.id
        if initiative else None,
        "evidence_id": (e := _first(ReportEvidence, ReportEvidence.report_id == report.id)) and e.id
        if report else None,
        "user_id": (u := _first(User, User.id != user.id)) and u.id,  # not themselves: resets end sessions
        "token_id": (t := _first(ApiToken, ApiToken.user_id == user.id)) and t.id,
        "notification_id": (n := _first(Notification, Notification.user_id == user.id)) and n.id,
        "delivery_id": (d := _first(Delivery)) and d.id,
        "designation_id": (d := _first(Designation)) and d.id,
        "document_id": (d := _first(Document)) and d.id,
        "item_id": (c := _first(Category)) and c.id,
        "goal_code": (g := _first(Goal)) and g.code,
        "org_code": user.org.code if own else "IR-10-ISFAHAN",
    }
    return {k: (1 if v is None else v) for k, v in values.items()}


def _path(rule, ids: dict) -> str:
    path = rule.rule
    for name, converter in rule._converters.items():
        if name == "code":
            value = ids["goal_code"] if "/goals/" in rule.rule else ids["org_code"]
        elif getattr(converter, "items", None):  # any(...)
            value = sorted(converter.items)[0]
        else:
            value = ids.get(name, 1)
        path = re.sub(r"<(?:[^:>]+:)?" + re.escape(name) + ">", str(value), path)
    return path


def _crawl_forms(client, app, ids) -> dict[str, tuple[set, set]]:
    """Every POST form on every page the user can open (pages with ids filled in)."""
    forms: dict[str, tuple[set, set]] = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static")) \
                or rule.endpoint in ("auth.logout",):
            continue
        path = _path(rule, ids)
        response = client.get(path)
        page = response.get_data(as_text=True) if response.mimetype.startswith("text/html") else ""
        response.close()  # a file download keeps its file open until closed
        if response.status_code != 200 or not page:
            continue
        parser = _Forms(path)
        parser.feed(page)
        for action, (text_fields, file_fields) in parser.forms.items():
            known = forms.setdefault(action, (set(), set()))
            known[0].update(text_fields)
            known[1].update(file_fields)
    return forms


def _encode_form(fields: set, value: bytes) -> bytes:
    return "&".join(f"{quote(name)}={quote_from_bytes(value)}" for name in sorted(fields)).encode()


def _post_rules(app):
    skip = {"auth.logout", "auth.login", "auth.second_factor"}  # sign-in has its own corpus test
    return [rule for rule in app.url_map.iter_rules()
            if "POST" in rule.methods and not rule.rule.startswith("/api/") and rule.endpoint not in skip]


def _send(client, failures: list, label: str, **request) -> None:
    try:
        response = client.open(**request)
    except Exception as exc:  # noqa: BLE001 - an exception escaping the app is a server error
        failures.append(f"{label}: {type(exc).__name__}: {exc}"[:400])
        return
    response.close()
    if response.status_code >= 500:
        failures.append(f"{label}: {response.status_code}")


@pytest.mark.parametrize("role", sorted(USERS))
def test_every_form_survives_the_corpus(demo_copy, role):
    app = demo_copy.app
    user = find_user_by_email(USERS[role])
    client = demo_copy.sign_in(app.test_client(), user)
    ids = _ids(user)
    forms = _crawl_forms(client, app, ids)
    failures: list[str] = []
    rules = _post_rules(app)
    assert len(rules) > 30
    with_fields = 0
    for rule in rules:
        demo_copy.sign_in(client, user)  # a form may have ended the session (password, sign out elsewhere)
        path = _path(rule, ids)
        text_fields, file_fields = forms.get(path, (set(), set()))
        text_fields = text_fields or {"name", "title", "value", "comment", "code", "date", "q"}
        with_fields += bool(forms.get(path))
        for case, value in FORM_VALUES.items():
            _send(client, failures, f"POST {rule.rule} [{case}]", path=path + "?lang=en", method="POST",
                  data=_encode_form(text_fields, value), content_type="application/x-www-form-urlencoded")
        for (case, (filename, content)), field in itertools.product(FILES.items(), sorted(file_fields)):
            data = {name: "1" for name in text_fields if name not in ("dry_run",)}
            data[field] = (io.BytesIO(content), filename)
            _send(client, failures, f"POST {rule.rule} {field}=[{case}]", path=path + "?lang=en",
                  method="POST", data=data, content_type="multipart/form-data")
    assert with_fields >= 10, "the pages' forms were not found"
    assert not failures, "\n".join(failures)


def _request_bodies(spec: dict) -> list[tuple[str, str, list[str]]]:
    """(method, path template, body field names) of every JSON request body in the document."""
    schemas = spec["components"]["schemas"]
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            content = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" not in content:
                continue
            schema = content["application/json"]["schema"]
            if "$ref" in schema:
                schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
            found.append((method.upper(), path, sorted(schema.get("properties", {}))))
    return found


@pytest.mark.parametrize("role", sorted(USERS))
def test_every_json_endpoint_survives_the_corpus(demo_copy, role):
    app = demo_copy.app
    user = find_user_by_email(USERS[role])
    headers = {**demo_copy.bearer(user), "Content-Type": "application/json"}
    client = app.test_client()
    ids = _ids(user)
    spec = client.get("/api/v1/openapi.json").get_json()
    bodies = _request_bodies(spec)
    assert len(bodies) >= 10
    failures: list[str] = []
    for method, template, fields in bodies:
        path = template
        for name in re.findall(r"{(\w+)}", template):
            value = ids["goal_code"] if name == "code" else ids.get(name, 1)
            path = path.replace("{" + name + "}", str(value))
        for case, value in JSON_VALUES.items():
            for field in fields:
                body = "{" + f'"{field}": {value}' + "}"
                _send(client, failures, f"{method} {template} {field}=[{case}]", path=path, method=method,
                      data=body.encode(), headers=headers)
            everything = "{" + ", ".join(f'"{field}": {value}' for field in fields) + "}"
            _send(client, failures, f"{method} {template} every field=[{case}]", path=path, method=method,
                  data=everything.encode(), headers=headers)
        for case, body in JSON_BODIES.items():
            _send(client, failures, f"{method} {template} body=[{case}]", path=path, method=method, data=body,
                  headers=headers)
    # Query strings of the JSON reads get the corpus too.
    for template in ("/api/v1/orgs", "/api/v1/initiatives", "/api/v1/reports", "/api/v1/goals",
                     "/api/v1/dashboard/overview", "/api/v1/notifications"):
        for case, value in FORM_VALUES.items():
            query = "&".join(f"{name}={quote_from_bytes(value)}" for name in
                             ("page", "per_page", "q", "org", "province", "period_from", "period_to", "year",
                              "status", "kind", "goal", "active", "theme", "category"))
            _send(client, failures, f"GET {template}?[{case}]", path=f"{template}?{query}", method="GET",
                  headers=headers)
    assert not failures, "\n".join(failures)
