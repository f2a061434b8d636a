"""Bad input is never a 500 (issue 14): hypothesis sends hostile values in every form field and query parameter
of every route that reads input, as the roles that can reach it, and counts the server errors and the redirects
that would take the browser to another site. Prints `fuzz: cases=N server_errors=0`.

Where the inputs come from (tests/security/fuzzing.py): the view's code (request.GET/POST reads and the form
classes it binds), the forms its pages render (their field names and values, parsed from the HTML), and the JSON
API's OpenAPI description (query parameters). A route whose code reads input and that no target reaches fails
test_every_route_that_reads_input_is_fuzzed, by name. Not fuzzed here: uploaded files
(tests/security/test_hostile_uploads.py), the JSON bodies of the API's writes (tests/api), and Django's admin.

Each case runs in a savepoint that is rolled back (a fuzzed post that succeeds changes nothing for the next one)
and with the role's cookies restored (a fuzzed logout or language switch does not carry over). PDF templates
are rendered with the fuzzed input but not laid out (LaidOut). FUZZ_CASES=N changes the number of cases (10,000
by default, the figure issue 14 asks for); derandomize makes every run send the same requests.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.signals import got_request_exception
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from localstandards.api.endpoints import api
from localstandards.assessments import services
from localstandards.assessments.models import QualityFlag
from localstandards.reports.models import PublicLink
from tests.assessments import factories
from tests.reports.conftest import make_final
from tests.security.fuzzing import declared_inputs, is_open_redirect, page_forms, route_of, value_for
from tests.test_login_required import routes

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

CASES = int(os.environ.get("FUZZ_CASES", "10000"))
ANONYMOUS = "anonymous"


@dataclass
class Target:
    role: str
    method: str
    url: str
    route: str
    fields: dict[str, list[str]] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.role} {self.method} {self.url}"


def pages(w, u, objects) -> dict[str, list[tuple[str, str]]]:
    """route → (role, url) to open: the pages that read input or render forms, as roles that may open them."""
    a, b, final = objects["filled"], objects["submitted"], objects["final"]
    r = objects["round"].pk
    ratio = objects["ratio"].pk
    question = objects["question"].pk
    everyone = ["staff", "head", "district_officer", "province_officer", "national_admin", "committee_viewer"]
    officers = ["district_officer", "province_officer", "national_admin"]
    unit = ("province", w.province.code)

    def url(name, *args):
        return reverse(name, args=args)

    listing = {
        "home": [(role, url("home")) for role in [*everyone, ANONYMOUS]],
        "about": [(ANONYMOUS, url("about"))],
        "login": [(ANONYMOUS, url("login"))],
        "activate": [(ANONYMOUS, url("activate"))],
        "request-access": [(ANONYMOUS, url("request-access"))],
        "password_reset": [(ANONYMOUS, url("password_reset"))],
        "password_change": [("staff", url("password_change"))],
        "profile": [("staff", url("profile")), ("national_admin", url("profile"))],
        "two-factor": [("national_admin", url("two-factor")), ("staff", url("two-factor"))],
        "two-factor-verify": [("national_admin", url("two-factor-verify"))],
        "unlock": [("national_admin", url("unlock", u.staff.pk))],
        "access-requests": [("national_admin", url("access-requests")), ("head", url("access-requests"))],
        "registry:list": [(role, url("registry:list")) for role in [*officers, "staff"]],
        "registry:province": [("province_officer", url("registry:province", w.province.code))],
        "frameworks:list": [("national_admin", url("frameworks:list"))],
        "frameworks:import": [("national_admin", url("frameworks:import"))],
        "frameworks:detail": [("national_admin", url("frameworks:detail", objects["framework"].pk))],
        "frameworks:preview": [("national_admin", url("frameworks:preview", objects["framework"].pk))],
        "frameworks:preview-print": [("national_admin", url("frameworks:preview-print", objects["framework"].pk))],
        "assessments:list": [(role, url("assessments:list")) for role in ["staff", *officers]],
        "assessments:rounds": [("national_admin", url("assessments:rounds"))],
        "assessments:round-new": [("national_admin", url("assessments:round-new"))],
        "assessments:round-edit": [("national_admin", url("assessments:round-edit", r))],
        "assessments:round-cancel": [("national_admin", url("assessments:round-cancel", r))],
        "assessments:overview": [
            ("staff", url("assessments:overview", a.pk)),
            ("head", url("assessments:overview", a.pk)),
            ("national_admin", url("assessments:overview", a.pk)),
            ("district_officer", url("assessments:overview", b.pk)),
        ],
        "assessments:area": [("staff", url("assessments:area", a.pk, "1"))],
        "assessments:save-indicator": [("staff", url("assessments:save-indicator", a.pk, ratio))],
        "assessments:preview-indicator": [("staff", url("assessments:preview-indicator", a.pk, ratio))],
        "assessments:save-question": [("staff", url("assessments:save-question", a.pk, question))],
        "assessments:history": [("staff", url("assessments:history", a.pk, ratio))],
        "assessments:comment": [
            ("staff", url("assessments:comment", a.pk)),
            ("district_officer", url("assessments:comment", b.pk)),
        ],
        "assessments:submit": [("head", url("assessments:submit", a.pk))],
        "assessments:review": [
            ("district_officer", url("assessments:review", b.pk)),
            ("national_admin", url("assessments:review", b.pk)),
        ],
        "assessments:reopen": [("national_admin", url("assessments:reopen", b.pk))],
        "assessments:extend": [("national_admin", url("assessments:extend", a.pk))],
        "assessments:extension-cancel": [
            ("national_admin", url("assessments:extension-cancel", a.pk, objects["extension"].pk))
        ],
        "progress:start": [(role, url("progress:start")) for role in officers],
        "progress:public": [(ANONYMOUS, url("progress:public", r))],
        "progress:level": [("province_officer", url("progress:level", r, *unit))],
        "progress:laggards": [
            ("province_officer", url("progress:laggards", r, *unit)),
            ("national_admin", url("progress:laggards", r, "nation", "all")),
        ],
        "progress:flags": [("province_officer", url("progress:flags", r, *unit))],
        "progress:flag-check": [("province_officer", url("progress:flag-check", objects["flag"].pk))],
        "reports:results": [("staff", url("reports:results", a.pk))],
        "reports:public": [(ANONYMOUS, url("reports:public", final))],
        "analysis:start": [(role, url("analysis:start")) for role in ["province_officer", "committee_viewer"]],
        "analysis:level": [
            ("province_officer", url("analysis:level", r, *unit)),
            ("committee_viewer", url("analysis:level", r, "nation", "all")),
        ],
        "analysis:compare": [("province_officer", url("analysis:compare", r, objects["earlier_round"].pk, *unit))],
        "subsidy:start": [("national_admin", url("subsidy:start"))],
        "subsidy:import": [("national_admin", url("subsidy:import"))],
        "subsidy:unit-costs": [("national_admin", url("subsidy:unit-costs", 2567))],
        "subsidy:analysis": [("national_admin", url("subsidy:analysis", r))],
        "awards:round": [(role, url("awards:round", r)) for role in ["national_admin", "committee_viewer"]],
        "awards:freeze": [("national_admin", url("awards:freeze", r))],
        "committee:list": [
            ("committee_viewer", url("committee:list", r)),
            ("national_admin", url("committee:list", r)),
        ],
        "operations:people": [("national_admin", url("operations:people"))],
        "operations:person": [("national_admin", url("operations:person", u.staff.pk))],
        "operations:person-export": [("national_admin", url("operations:person-export", u.staff.pk))],
        "operations:person-anonymise": [("national_admin", url("operations:person-anonymise", u.no_role.pk))],
        "public:home": [(ANONYMOUS, url("public:home"))],
        "public:search": [(ANONYMOUS, url("public:search"))],
        "public:provinces": [(ANONYMOUS, url("public:provinces"))],
        "public:province": [(ANONYMOUS, url("public:province", w.province.code))],
        "public:local-government": [(ANONYMOUS, url("public:local-government", w.local_government.pk))],
        "public:open-data": [(ANONYMOUS, url("public:open-data"))],
        "public:survey": [(ANONYMOUS, url("public:survey", r, w.local_government.pk))],
        "public:survey-responses": [("staff", url("public:survey-responses", a.pk))],
        "api:tokens": [("national_admin", url("api:tokens")), ("province_officer", url("api:tokens"))],
        "api:token-create": [
            ("national_admin", url("api:token-create")),
            ("province_officer", url("api:token-create")),
        ],
        "notices:round": [("national_admin", url("notices:round", r))],
        "notices:onboarding": [(role, url("notices:onboarding", r)) for role in ["national_admin", "province_officer"]],
        "notices:onboarding-unit": [("province_officer", url("notices:onboarding-unit", r, *unit))],
        "notices:onboarding-letters": [("province_officer", url("notices:onboarding-letters", r, *unit))],
        "notices:circular": [
            ("province_officer", url("notices:circular", r, "district", w.province.code)),
            ("national_admin", url("notices:circular", r, "province", "-")),
            ("district_officer", url("notices:circular", r, "lao", w.district.code)),
        ],
        "notices:circular-template": [("national_admin", url("notices:circular-template", r, "province"))],
        "set_language": [(ANONYMOUS, url("set_language"))],
        "set-thai-digits": [(ANONYMOUS, url("set-thai-digits")), ("staff", url("set-thai-digits"))],
    }
    return listing


def api_targets() -> list[Target]:
    """The API's read operations with the query parameters its OpenAPI description names, as a national admin
    (the session) and anonymous."""
    found = []
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get or "{" in path:
            continue
        names = {p["name"]: ["1"] for p in get.get("parameters", []) if p["in"] == "query"}
        if names:
            for role in ("national_admin", ANONYMOUS):
                found.append(Target(role, "GET", path, route_of(path) or path, names))
    return found


@pytest.fixture
def fuzz_objects(world, users, open_round, closed_round, filled, framework, neighbour_staff, neighbour_head):
    neighbour = open_round.assessments.get(local_government=world.neighbour_same_district)
    submitted = factories.certify(factories.fill_return(neighbour, neighbour_staff), neighbour_head)
    final = make_final(open_round.assessments.get(local_government=world.local_government_other_district))
    extension = services.grant_extension(
        filled, users.national_admin, open_round.closes_on + dt.timedelta(days=7), "น้ำท่วม"
    )
    ratio = factories.indicator(framework, factories.RATIO)
    flag = QualityFlag.objects.create(
        assessment=submitted, indicator=ratio, kind="peer_outlier", value=9, reference=1, score=4
    )
    return {
        "round": open_round,
        "earlier_round": closed_round,
        "flag": flag,
        "framework": framework,
        "filled": filled,
        "submitted": submitted,
        "final": PublicLink.objects.unscoped().get(assessment=final).slug,
        "extension": extension,
        "ratio": ratio,
        "question": factories.question(framework),
    }


def clients(users) -> dict[str, tuple[Client, SimpleCookie]]:
    made = {}
    for role in ["staff", "head", "district_officer", "province_officer", "national_admin", "committee_viewer"]:
        client = Client(raise_request_exception=False)
        client.force_login(users.by_name(role))
        made[role] = client
    made[ANONYMOUS] = Client(raise_request_exception=False)
    return {role: (client, SimpleCookie(client.cookies.output(header="", sep="\n"))) for role, client in made.items()}


class Failures:
    """Server errors and open redirects, with what caused them (the first few of each kind in full)."""

    def __init__(self):
        self.server_errors: list[str] = []
        self.open_redirects: list[str] = []
        self.kinds: Counter[str] = Counter()
        self._exception: str | None = None
        got_request_exception.connect(self._caught)

    def _caught(self, sender, request=None, **kwargs):
        self._exception = traceback.format_exc()

    def close(self):
        got_request_exception.disconnect(self._caught)

    def check(self, target: Target, data, response) -> None:
        exception, self._exception = self._exception, None
        if response.status_code >= 500 or exception:
            last = (exception or "").strip().splitlines()[-1:] or [str(response.status_code)]
            kind = f"{target.route}: {last[0][:160]}"
            self.kinds[kind] += 1
            if self.kinds[kind] <= 2:
                self.server_errors.append(f"{target} {data!r}\n{exception or response.status_code}")
            else:
                self.server_errors.append(kind)
        location = response.get("Location", "")
        if 300 <= response.status_code < 400 and is_open_redirect(location):
            self.open_redirects.append(f"{target} {data!r} → {location}")


OMIT = object()


def case_for(target: Target) -> st.SearchStrategy[tuple[Target, dict]]:
    """One request to the target: each field left out, given a value it had on the page, or a hostile value."""
    fields = {
        name: st.one_of(st.just(OMIT), st.just(samples[0] if samples else "1"), value_for(samples))
        for name, samples in target.fields.items()
    }
    return st.tuples(st.just(target), st.fixed_dictionaries(fields))


def send(client: Client, target: Target, data: dict):
    if target.method == "GET":
        return client.get(target.url, data)
    return client.post(target.url, data)


def plan(users, world, objects, failures: Failures, sessions) -> list[Target]:
    """Open each page as its roles, and gather the GET and POST targets: the inputs the route's code reads plus the
    fields of the forms on the page, keyed by where the form goes."""
    inputs = {name: declared_inputs(view) for name, view in routes()}
    targets: dict[tuple[str, str, str], Target] = {}
    unreached: list[str] = []

    def add(role: str, method: str, url: str, names: dict[str, list[str]]) -> None:
        route = route_of(url)
        if route is None:
            return
        key = (role, method, urlsplit(url).path)
        target = targets.setdefault(key, Target(role, method, urlsplit(url).path, route))
        for name, samples in names.items():
            if name != "csrfmiddlewaretoken":
                known = target.fields.setdefault(name, [])
                known.extend(value for value in samples if value not in known)

    for route, opened in pages(world, users, objects).items():
        for role, url in opened:
            client = sessions[role][0]
            response = client.get(url)
            failures.check(Target(role, "GET", url, route), {}, response)
            if response.status_code >= 400 and response.status_code != 405:  # 405: a view that only takes posts
                unreached.append(f"{role} GET {url} → {response.status_code}")
            declared = inputs.get(route, {"GET": set(), "POST": set()})
            add(role, "GET", url, {name: ["/" if name == "next" else "1"] for name in declared["GET"]})
            add(role, "POST", url, {name: ["/" if name == "next" else "1"] for name in declared["POST"]})
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                for form in page_forms(url, response.content.decode()):
                    add(role, form.method if form.method in ("GET", "POST") else "GET", form.action, form.fields)
    assert unreached == [], "pages the fuzz cannot reach, so their inputs would not be tried"
    return [target for target in targets.values() if target.fields] + api_targets()


class LaidOut:
    """Stands in for weasyprint's layout: the PDF's template is still rendered with the fuzzed input, but laying
    out pages (up to seconds each) tests nothing about input and would take most of the time."""

    def __init__(self, string: str = "", **kwargs):
        self.pages = [string]

    def render(self, **kwargs):
        return self

    def write_pdf(self, *args, **kwargs) -> bytes:
        return b"%PDF-1.7\n%%EOF\n"


def test_bad_input_is_never_a_server_error(users, world, fuzz_objects, monkeypatch, record_property):
    monkeypatch.setattr("weasyprint.HTML", LaidOut)
    sessions = clients(users)
    failures = Failures()
    targets = plan(users, world, fuzz_objects, failures, sessions)
    cases = 0
    tried: Counter[str] = Counter()
    started = time.monotonic()

    @settings(
        max_examples=CASES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.one_of([case_for(target) for target in targets]))
    def case(drawn):
        nonlocal cases
        target, fields = drawn
        values = {name: value for name, value in fields.items() if value is not OMIT}
        client, cookies = sessions[target.role]
        client.cookies = SimpleCookie(cookies.output(header="", sep="\n"))
        block = transaction.atomic()
        block._from_testcase = True  # on-commit work runs as after a real request (tests/commit_hooks.py)
        with block:
            response = send(client, target, values)
            transaction.set_rollback(True)
        if target.method == "POST":
            cache.clear()
        cases += 1
        tried[str(target)] += 1
        failures.check(target, values, response)

    try:
        case()
    finally:
        failures.close()
    seconds = time.monotonic() - started
    server_errors = len(failures.server_errors)
    record_property("figure", f"fuzz: cases={cases} server_errors={server_errors}")
    record_property("seconds", round(seconds))
    assert cases >= CASES
    assert not failures.server_errors, (
        "\n\n".join(failures.server_errors[:40])
        + "\n\n"
        + "\n".join(f"{count} × {kind}" for kind, count in failures.kinds.most_common())
    )
    assert not failures.open_redirects, "\n".join(failures.open_redirects[:20])
    if len(targets) * 20 <= CASES:  # enough cases that every target must have had some
        assert [str(target) for target in targets if not tried[str(target)]] == []


# Routes whose code reads input and that the fuzz does not reach, each with its reason.
NOT_FUZZED: dict[str, str] = {}


def test_every_route_that_reads_input_is_fuzzed(users, world, fuzz_objects):
    """A new view that reads a query parameter or a posted field must be added to pages() (or to NOT_FUZZED with
    its reason): the list below names the ones that are missing."""
    reading = {name for name, view in routes() if not name.startswith("admin:") and any(declared_inputs(view).values())}
    fuzzed = set(pages(world, users, fuzz_objects)) | {target.route for target in api_targets()}
    assert sorted(reading - fuzzed - set(NOT_FUZZED)) == []
