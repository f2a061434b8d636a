"""The authorization matrix (issue 14): every route of the URL resolver and every JSON API operation, asked by every
role about its own อปท. or unit, a sibling (the neighbour อปท. in the same district, another district of the same
province, the other province) and a parent unit, plus anonymously, with GET and POST.

EXPECT states, per route, who may read it (GET) and who may act on it (POST) in which scope. A route missing from
EXPECT fails, and so does an entry whose route is gone: a new route cannot escape. For every request the observed
outcome (200, a redirect, a redirect to the login page or a 401, 403/404, 405, a refused input) must be one the
table allows; a LEAK is an out-of-scope request that is answered (2xx, or a redirect that is neither to the login
page nor a refusal), or a POST by someone who may not act that writes to the database. A 500 always fails.

Django's admin (`admin:`, and its unnamed patterns) is left out: its hundreds of generated pages have one gate,
NationalAdminSite.has_permission (national admins only, `is_staff` not enough), tested by
tests/accounts/test_auth.py::test_the_django_admin_is_for_national_admins_only.

Roles: the nine users of tests/conftest.py, anonymous, and for the API a read-only and a read-write token of
world.local_government's staff. Targets (tests/security/authz.py) per role: its own อปท./unit, a sibling and a
parent; routes without an object are asked once per role. The POST of someone who may act is sent in a savepoint
that is rolled back, so every request meets the same rows; every request's statements are kept and judged.

The test prints `authz-matrix: routes=N roles=N requests=N leaks=0` in the terminal summary (tests/conftest.py
carries it from the test's user properties, so it shows under pytest-xdist as well).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass

import django.test.client
import pytest
from django.core.cache import cache
from django.http import HttpResponseNotFound
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from config import urls as config_urls
from localstandards.api import endpoints as api_module
from localstandards.api.urls import api_patterns
from tests.dates import be_date_fields
from tests.security import authz
from tests.security.authz import (
    ANON,
    BAD,
    DENY,
    LG_SCOPE,
    LOGIN,
    NOT_ALLOWED,
    OK,
    PERSON_ROLES,
    REDIRECT,
    TOKEN_ROLES,
    UNIT_SCOPE,
)
from tests.test_login_required import routes

pytestmark = pytest.mark.django_db

# ---- who: policies over (role, target key); a target key is an LG target, a unit target or None


Policy = Callable[[str, str | None], bool]

NATIONAL = {"national_admin"}
OFFICERS = {"district_officer", "province_officer", "outsider_province_officer"}
FOLLOWERS = OFFICERS | {"national_admin", "committee_viewer"}  # follow a round's progress (User.follows_progress)
LG_PEOPLE = {"staff", "head", "outsider_staff"}
SIGNED_IN = set(PERSON_ROLES)


def public(role, key):
    return True


def any_signed_in(role, key):
    return role in SIGNED_IN


def nobody(role, key):
    return False


def roles(*names: str) -> Policy:
    def policy(role, key):
        return role in names

    policy.__name__ = "+".join(names)
    return policy


national_admin_only = roles("national_admin")
national_and_committee = roles("national_admin", "committee_viewer")
followers = roles(*FOLLOWERS)
token_managers = roles("national_admin", "province_officer", "outsider_province_officer", *LG_PEOPLE)


def framework_readers(role, key):
    """A published version is read by everyone signed in (the indicators they answer); a draft by national admins."""
    return role in SIGNED_IN and (key == "published" or role == "national_admin")


def lg_readers_in_scope(role, key):
    """Everyone whose scope holds the อปท. (its people, its district's and province's officers, national roles)."""
    return key in LG_SCOPE[role]


def lg_readers_not_committee(role, key):
    """As lg_readers_in_scope, without the committee viewer: evidence files are not part of what the committee reads
    (issue 14); the rest of a return it reads, as national results."""
    return role != "committee_viewer" and lg_readers_in_scope(role, key)


def lg_members_own(role, key):
    """The staff and head of the อปท. (and its read-write token, for the API)."""
    return role in {"staff", "head", "outsider_staff", "token_write"} and key in LG_SCOPE[role]


def lg_head_own(role, key):
    return role == "head" and key in LG_SCOPE[role]


def reviewers_in_scope(role, key):
    """The district's and the province's officers, and national admins, over the อปท.s they cover."""
    return role in OFFICERS | NATIONAL and key in LG_SCOPE[role]


def extenders(role, key):
    """National admins; the province's officer when the round allows it (the matrix's round does)."""
    return role == "national_admin" or (
        role in {"province_officer", "outsider_province_officer"} and key in LG_SCOPE[role]
    )


def unlockers_in_scope(role, key):
    """An อปท.'s locked-out staff member is unlocked by the officers above it and national admins."""
    return role in OFFICERS | NATIONAL and key in LG_SCOPE[role]


def token_owner_or_national(role, key):
    """A token is seen and revoked by its creator (the staff of the target อปท.) and national admins."""
    return role == "national_admin" or (role in {"staff", "outsider_staff"} and key in LG_SCOPE[role])


def followers_of_unit(role, key):
    """Officers, national admins and the committee, over the units they cover."""
    return role in FOLLOWERS and key in UNIT_SCOPE[role]


def provisioners_of_province(role, key):
    """Seats are provisioned from a province's page, by its officers and national admins."""
    return (
        role in {"national_admin", "province_officer", "outsider_province_officer"}
        and key in {"p1", "p2"} & (UNIT_SCOPE[role])
    )


def followers_of_unit_or_nation(role, key):
    """As followers_of_unit, and the whole country for every follower: the national figures are aggregates, the
    benchmark an officer compares their own units with (the rows under it stay scoped: analysis._children)."""
    return role in FOLLOWERS and (key == "nation" or key in UNIT_SCOPE[role])


def district_reviewers_in_scope(role, key):
    """The matrix's returns await the district: its district officer, and national admins, decide."""
    return role in {"district_officer", "national_admin"} and key in LG_SCOPE[role]


def officers_of_unit(role, key):
    """District and provincial officers over their units, national admins over all (not the committee)."""
    return role in OFFICERS | NATIONAL and key in UNIT_SCOPE[role]


def any_caller(role, key):
    """A signed-in person or a token (the API's lists: what they hold is scoped, possibly empty)."""
    return role in SIGNED_IN or role in TOKEN_ROLES


def units_in_scope(role, key):
    """The unit is in the role's scope (the registry's pages of a province or district)."""
    return key in UNIT_SCOPE[role]


def scoped_readers(role, key):
    """Anyone with a scope (registry, frameworks and rounds are shared by all units)."""
    return bool(LG_SCOPE[role])


# ---- what: one row per route


@dataclass(frozen=True)
class Expect:
    """`read`: who gets the page (GET); `write`: who may act (POST, or PUT for the API), by default the same.
    `get`: what a reader's GET gives (a page, or a redirect onwards); `post`: what an actor's POST gives (an empty
    form, or the decision in BODIES); `post_reader`: what a reader who may not act gets for a POST (a refusal, or
    the page again with the refusal in it; nothing written); `methods`: "GET" for GET-only routes, "POST" (or
    "PUT") for write-only ones; `anonymous`: what a visitor gets where they may not read (the login page, or a
    401 from the API)."""

    read: Policy
    write: Policy | None = None
    get: frozenset[str] = frozenset({OK})
    post: frozenset[str] = frozenset({OK, REDIRECT, BAD})
    post_reader: frozenset[str] = frozenset({DENY, BAD, REDIRECT, OK})
    methods: str = "GET POST"
    anonymous: frozenset[str] = frozenset({LOGIN})

    @property
    def writer(self) -> Policy:
        return self.write or self.read


# A reader who may not act is refused by a 403/404, or by the page (or a redirect) with the refusal in it; what
# makes that safe is checked on every such request: nothing is written.
READER_REFUSED = (DENY, BAD, REDIRECT, OK)


def E(
    read,
    write=None,
    *,
    get=(OK,),
    post=(OK, REDIRECT, BAD),
    post_reader=READER_REFUSED,
    methods="GET POST",
    anonymous=(LOGIN,),
) -> Expect:
    return Expect(read, write, frozenset(get), frozenset(post), frozenset(post_reader), methods, frozenset(anonymous))


GET_ONLY = "GET"
POST_ONLY = "POST"
WRITE_ONLY = ("POST", "PUT")

EXPECT: dict[str, Expect] = {
    # pages, core, i18n
    "home": E(public, get=(OK, REDIRECT)),  # a signed-in person is sent on to their own start page
    "about": E(public),
    "healthz": E(public),
    "set-thai-digits": E(public, get=(REDIRECT, NOT_ALLOWED), post=(REDIRECT,)),
    "set_language": E(public, get=(REDIRECT,), post=(REDIRECT,)),
    "javascript-catalog": E(public, methods=GET_ONLY),
    # accounts
    "login": E(public, get=(OK, REDIRECT)),  # a signed-in person is sent on
    "logout": E(any_signed_in, methods=POST_ONLY, post=(REDIRECT, OK)),
    "password_change": E(any_signed_in),
    "password_change_done": E(any_signed_in, methods=GET_ONLY),
    "password_reset": E(public),
    "password_reset_done": E(public, methods=GET_ONLY),
    "password_reset_confirm": E(public),
    "password_reset_complete": E(public, methods=GET_ONLY),
    "profile": E(any_signed_in),
    "activate": E(public),
    "unlock": E(unlockers_in_scope, methods=POST_ONLY),
    "request-access": E(public),
    # The head approves the อปท.'s staff; an empty POST names no request: 404 for everyone.
    "access-requests": E(roles("national_admin", "head", *OFFICERS), post=(DENY,)),
    "two-factor": E(any_signed_in, post=(DENY, OK)),  # an empty POST names no action
    "two-factor-verify": E(any_signed_in),
    # Single sign-on is public when configured; the tests' settings configure none: 404 for everyone.
    "oidc_authentication_init": E(nobody, anonymous=(DENY,)),
    "oidc_authentication_callback": E(nobody, anonymous=(DENY,)),
    "sso-link": E(nobody, methods=POST_ONLY),  # 404 while single sign-on is not configured (the tests' settings)
    # registry
    "registry:list": E(any_signed_in),  # the rows are scoped (none for a person without a role)
    "registry:local-government": E(lg_readers_in_scope),
    "registry:provinces": E(any_signed_in),
    "registry:province": E(units_in_scope),
    "registry:district": E(units_in_scope),
    # frameworks
    "frameworks:list": E(any_signed_in),
    "frameworks:import": E(national_admin_only),
    "frameworks:detail": E(framework_readers, national_admin_only),
    "frameworks:preview": E(framework_readers, national_admin_only),
    "frameworks:preview-print": E(framework_readers, national_admin_only),
    "frameworks:export": E(national_admin_only),  # the workbook, for the next version's import
    "frameworks:problems": E(national_admin_only, methods=GET_ONLY),
    "frameworks:action": E(national_admin_only),
    # returns
    "assessments:list": E(any_signed_in),
    "assessments:rounds": E(national_admin_only),
    "assessments:round-new": E(national_admin_only),
    "assessments:round-edit": E(national_admin_only),
    "assessments:round-cancel": E(national_admin_only, methods=POST_ONLY),
    "assessments:overview": E(lg_readers_in_scope),
    "assessments:area": E(lg_readers_in_scope, lg_members_own),
    "assessments:save-indicator": E(lg_readers_in_scope, lg_members_own, methods=POST_ONLY),
    "assessments:preview-indicator": E(lg_readers_in_scope, methods=POST_ONLY),
    "assessments:upload-evidence": E(lg_readers_in_scope, lg_members_own, methods=POST_ONLY),
    "assessments:history": E(lg_readers_in_scope),
    "assessments:save-question": E(lg_readers_in_scope, lg_members_own, methods=POST_ONLY),
    "assessments:download-evidence": E(lg_readers_not_committee),
    "assessments:remove-evidence": E(lg_readers_in_scope, lg_members_own, methods=POST_ONLY),
    "assessments:comment": E(lg_readers_in_scope, methods=POST_ONLY),
    "assessments:submit": E(lg_readers_in_scope, lg_head_own),  # GET: the certification form
    "assessments:receipt": E(lg_readers_in_scope),
    "assessments:review": E(lg_readers_in_scope, district_reviewers_in_scope),
    "assessments:reopen": E(lg_readers_in_scope, national_admin_only, methods=POST_ONLY),
    "assessments:extend": E(lg_readers_in_scope, extenders, methods=POST_ONLY),
    "assessments:extension-cancel": E(lg_readers_in_scope, extenders, methods=POST_ONLY),
    # progress
    "progress:start": E(followers, get=(REDIRECT,)),
    "progress:public": E(public),
    "progress:level": E(followers_of_unit),
    "progress:laggards": E(followers_of_unit),
    "progress:flags": E(followers_of_unit),
    "progress:flag-check": E(lg_readers_in_scope, reviewers_in_scope, methods=POST_ONLY),
    # results
    "reports:results": E(lg_readers_in_scope),
    "reports:pdf": E(lg_readers_in_scope),
    "reports:plan": E(lg_readers_in_scope),
    "reports:public": E(public),
    "reports:embed": E(public),
    "reports:public-pdf": E(public),
    # analysis, subsidy, awards, committee
    "analysis:start": E(followers, get=(REDIRECT,)),
    "analysis:provinces": E(any_signed_in, methods=GET_ONLY),  # the provinces' outlines: public geography
    "analysis:level": E(followers_of_unit_or_nation),
    "analysis:compare-lg": E(lg_readers_in_scope),
    "analysis:compare": E(followers_of_unit_or_nation),
    "subsidy:start": E(
        roles("national_admin", "committee_viewer", "province_officer", "outsider_province_officer"),
        get=(REDIRECT,),  # on to the latest round's analysis
        methods=GET_ONLY,
    ),
    "subsidy:import": E(national_admin_only),
    "subsidy:unit-costs": E(national_admin_only),
    "subsidy:analysis": E(
        roles("national_admin", "committee_viewer", "province_officer", "outsider_province_officer"), methods=GET_ONLY
    ),
    "awards:round": E(followers),
    "awards:freeze": E(followers, national_admin_only, methods=POST_ONLY),
    "committee:list": E(national_and_committee),
    "committee:request": E(national_and_committee, methods=POST_ONLY),
    "committee:download": E(national_and_committee),
    # a person's data (PDPA)
    "operations:people": E(national_admin_only),
    "operations:person": E(national_admin_only),
    "operations:person-export": E(national_admin_only, methods=POST_ONLY),
    "operations:person-anonymise": E(national_admin_only, methods=POST_ONLY),
    # the public site
    "public:home": E(public, methods=GET_ONLY),
    "public:search": E(public, methods=GET_ONLY),
    "public:provinces": E(public, methods=GET_ONLY),
    "public:province": E(public, methods=GET_ONLY),
    "public:local-government": E(public, methods=GET_ONLY),
    "public:open-data": E(public, methods=GET_ONLY),
    "public:data-dictionary": E(public, methods=GET_ONLY),
    "public:data-catalogue": E(public, methods=GET_ONLY),
    "public:data-file": E(public, methods=GET_ONLY),
    "public:survey": E(public),
    "public:survey-responses": E(lg_readers_in_scope),
    "public:survey-poster": E(lg_readers_in_scope, methods=GET_ONLY),
    # API tokens (pages) and the JSON API
    "api:tokens": E(any_signed_in),
    "api:token-create": E(token_managers),
    "api:token-revoke": E(token_owner_or_national, methods=POST_ONLY),
    "api:openapi-json": E(public, post=(OK,)),  # django-ninja serves the schema to any method
    "api:openapi-view": E(public, post=(OK,)),
    "api:api-root": E(nobody, anonymous=(DENY,)),  # the prefix of the operations, no page of its own: 404
    "api:me": E(any_caller, methods=GET_ONLY),
    "api:provinces": E(any_caller, methods=GET_ONLY),
    "api:province": E(units_in_scope, methods=GET_ONLY),
    "api:districts": E(any_caller, methods=GET_ONLY),
    "api:local_governments": E(any_caller, methods=GET_ONLY),
    "api:local_government": E(lg_readers_in_scope, methods=GET_ONLY),
    "api:framework_list": E(any_caller, methods=GET_ONLY),
    "api:framework_detail": E(scoped_readers, methods=GET_ONLY),
    "api:round_list": E(any_caller, methods=GET_ONLY),
    "api:round_detail": E(scoped_readers, methods=GET_ONLY),
    "api:return_list": E(any_caller, methods=GET_ONLY),
    "api:return_detail": E(lg_readers_in_scope, methods=GET_ONLY),
    "api:return_results": E(lg_readers_in_scope, methods=GET_ONLY),
    "api:save_answer": E(lg_readers_in_scope, lg_members_own, methods="PUT", anonymous=(LOGIN, NOT_ALLOWED)),
    "api:save_satisfaction": E(lg_readers_in_scope, lg_members_own, methods="PUT", anonymous=(LOGIN, NOT_ALLOWED)),
    "api:round_progress": E(followers_of_unit, methods=GET_ONLY),
    "api:round_awards": E(followers, methods=GET_ONLY),
    # reminders, onboarding and circulars
    "notices:round": E(national_admin_only),
    # Seats are provisioned for the whole round by national admins, for a province by its officers (not from a
    # district's page: 404 there for everyone).
    "notices:onboarding": E(roles("national_admin", *OFFICERS), national_admin_only),
    "notices:onboarding-unit": E(officers_of_unit, provisioners_of_province),
    "notices:onboarding-letters": E(officers_of_unit, methods=POST_ONLY),
    "notices:circular": E(officers_of_unit),
    "notices:circular-template": E(national_admin_only),
}

# ---- where: the URL of each route for a target key (None: the route takes no object, asked once per role)

T = authz.Targets
UNIT_LEVEL = {"nation": ("nation", "all"), "p1": ("province", "50"), "p2": ("province", "90")} | {
    key: ("district", code) for key, code in authz.UNIT_CODES.items() if key.startswith("d")
}


def per_lg(build: Callable[[T, str], dict]):
    return "lg", build


def per_unit(build: Callable[[T, str], dict | None]):
    return "unit", build


def per_framework(build: Callable[[T, str], dict]):
    """A published framework version and a draft (still being edited: the national admins' only)."""
    return "framework", build


def once(build: Callable[[T], dict]):
    return "once", lambda t, key: build(t)


def levels(t: T, key: str) -> dict:
    level, code = UNIT_LEVEL[key]
    return {"round_id": t.round_id, "level": level, "code": code}


def provinces_and_districts(t: T, key: str) -> dict | None:
    return None if key == "nation" else levels(t, key)


CIRCULAR = {"nation": ("province", "-"), "p1": ("district", "50"), "p2": ("district", "90")} | {
    key: ("lao", code) for key, code in authz.UNIT_CODES.items() if key.startswith("d")
}


def return_args(**extra: str) -> Callable[[T, str], dict]:
    """The return of the LG target, with the object of that return named by each extra kwarg."""

    def build(t: T, key: str) -> dict:
        kwargs = {"pk": t.assessment[key]}
        for name, what in extra.items():
            kwargs[name] = {
                "indicator": t.indicator_id,
                "question": t.question_id,
                "evidence": t.evidence.get(key),
                "extension": t.extension.get(key),
                "area": "1",
            }[what]
        return kwargs

    return build


def only_code(t: T, key: str) -> dict | None:
    return None if key == "nation" else {"code": authz.UNIT_CODES[key]}


def provinces_only(t: T, key: str) -> dict | None:
    return {"code": authz.UNIT_CODES[key]} if key in ("p1", "p2") else None


def districts_only(t: T, key: str) -> dict | None:
    return {"code": authz.UNIT_CODES[key]} if key.startswith("d") else None


URLS = {
    "password_reset_confirm": once(lambda t: {"uidb64": "MQ", "token": "set-password"}),
    "unlock": per_lg(lambda t, key: {"user_id": t.person[key]}),
    "registry:local-government": per_lg(lambda t, key: {"pk": t.lg[key]}),
    "registry:province": per_unit(provinces_only),
    "registry:district": per_unit(districts_only),
    "frameworks:detail": per_framework(lambda t, key: {"pk": t.frameworks[key]}),
    "frameworks:preview": per_framework(lambda t, key: {"pk": t.frameworks[key]}),
    "frameworks:preview-print": per_framework(lambda t, key: {"pk": t.frameworks[key]}),
    "frameworks:export": per_framework(lambda t, key: {"pk": t.frameworks[key]}),
    "frameworks:problems": per_framework(lambda t, key: {"pk": t.frameworks[key]}),
    "frameworks:action": once(lambda t: {"pk": t.draft_framework_id, "action": "publish"}),
    "assessments:round-edit": once(lambda t: {"pk": t.round_id}),
    "assessments:round-cancel": once(lambda t: {"pk": t.round_id}),
    "assessments:overview": per_lg(return_args()),
    "assessments:area": per_lg(return_args(code="area")),
    "assessments:save-indicator": per_lg(return_args(indicator_pk="indicator")),
    "assessments:preview-indicator": per_lg(return_args(indicator_pk="indicator")),
    "assessments:upload-evidence": per_lg(return_args(indicator_pk="indicator")),
    "assessments:history": per_lg(return_args(indicator_pk="indicator")),
    "assessments:save-question": per_lg(return_args(question_pk="question")),
    "assessments:download-evidence": per_lg(return_args(evidence_pk="evidence")),
    "assessments:remove-evidence": per_lg(return_args(evidence_pk="evidence")),
    "assessments:comment": per_lg(return_args()),
    "assessments:submit": per_lg(return_args()),
    "assessments:receipt": per_lg(return_args()),
    "assessments:review": per_lg(return_args()),
    "assessments:reopen": per_lg(return_args()),
    "assessments:extend": per_lg(return_args()),
    "assessments:extension-cancel": per_lg(return_args(extension_pk="extension")),
    "progress:public": once(lambda t: {"round_id": t.round_id}),
    "progress:level": per_unit(levels),
    "progress:laggards": per_unit(levels),
    "progress:flags": per_unit(levels),
    "progress:flag-check": per_lg(lambda t, key: {"pk": t.flag[key]}),
    "reports:results": per_lg(return_args()),
    "reports:pdf": per_lg(return_args()),
    "reports:plan": per_lg(return_args()),
    "reports:public": once(lambda t: {"slug": t.slug["final"]}),
    "reports:embed": once(lambda t: {"slug": t.slug["final"]}),
    "reports:public-pdf": once(lambda t: {"slug": t.slug["final"]}),
    "analysis:level": per_unit(levels),
    "analysis:compare-lg": per_lg(
        lambda t, key: {"round_id": t.round_id, "other_id": t.other_round_id, "pk": t.lg[key]}
    ),
    "analysis:compare": per_unit(lambda t, key: levels(t, key) | {"other_id": t.other_round_id}),
    "subsidy:unit-costs": once(lambda t: {"fiscal_year": t.fiscal_year}),
    "subsidy:analysis": once(lambda t: {"round_id": t.round_id}),
    "awards:round": once(lambda t: {"round_id": t.round_id}),
    "awards:freeze": once(lambda t: {"round_id": t.round_id}),
    "committee:list": once(lambda t: {"round_id": t.round_id}),
    "committee:request": once(lambda t: {"round_id": t.round_id}),
    "committee:download": once(lambda t: {"pk": t.report_id, "kind": "pdf"}),
    "operations:person": per_lg(lambda t, key: {"pk": t.person[key]}),
    "operations:person-export": per_lg(lambda t, key: {"pk": t.person[key]}),
    "operations:person-anonymise": per_lg(lambda t, key: {"pk": t.person[key]}),
    "public:province": per_unit(provinces_only),
    "public:local-government": per_lg(lambda t, key: {"pk": t.lg[key]}),
    "public:data-file": once(lambda t: {"round_id": t.round_id, "dataset": "indicators", "fmt": "csv"}),
    "public:survey": per_lg(lambda t, key: {"round_id": t.round_id, "lg_pk": t.lg[key]}),
    "public:survey-responses": per_lg(return_args()),
    "public:survey-poster": per_lg(return_args()),
    "api:token-revoke": per_lg(lambda t, key: {"pk": t.token[key]}),
    "api:province": per_unit(provinces_only),
    "api:local_government": per_lg(lambda t, key: {"lg_id": t.lg[key]}),
    "api:framework_detail": once(lambda t: {"framework_id": t.framework_id}),
    "api:round_detail": once(lambda t: {"round_id": t.round_id}),
    "api:return_detail": per_lg(lambda t, key: {"return_id": t.assessment[key]}),
    "api:return_results": per_lg(lambda t, key: {"return_id": t.assessment[key]}),
    "api:save_answer": per_lg(lambda t, key: {"return_id": t.assessment[key], "indicator_id": t.indicator_id}),
    "api:save_satisfaction": per_lg(lambda t, key: {"return_id": t.assessment[key], "question_id": t.question_id}),
    "api:round_progress": per_unit(
        lambda t, key: {
            "round_id": t.round_id,
            "?": "level=nation" if key == "nation" else "level={}&code={}".format(*UNIT_LEVEL[key]),
        }
    ),
    "api:round_awards": once(lambda t: {"round_id": t.round_id}),
    "notices:round": once(lambda t: {"round_id": t.round_id}),
    "notices:onboarding": once(lambda t: {"round_id": t.round_id}),
    "notices:onboarding-unit": per_unit(provinces_and_districts),
    "notices:onboarding-letters": per_unit(provinces_and_districts),
    "notices:circular": per_unit(
        lambda t, key: {"round_id": t.round_id, "level": CIRCULAR[key][0], "code": CIRCULAR[key][1]}
    ),
    "notices:circular-template": once(lambda t: {"round_id": t.round_id, "level": "province"}),
}


def _until(t: T, key: str) -> dict:
    return {**be_date_fields("until", timezone.localdate() + dt.timedelta(days=20)), "reason": "ขยายเวลา"}


# What a POST carries: nothing (an empty form), except where an empty form would stop before the rule the matrix is
# about: then the whole decision, so that someone who may read the return but not act on it is seen not to act.
BODIES: dict[str, Callable[[T, str | None], dict]] = {
    "assessments:review": lambda t, key: {"action": "accept", "level": "district", "version": str(t.version[key])},
    "assessments:comment": lambda t, key: {"body": "ความเห็นจากเมทริกซ์"},
    "assessments:extend": _until,
    "assessments:extension-cancel": lambda t, key: {"reason": "ยกเลิก"},
    "assessments:reopen": lambda t, key: {"reason": "เปิดใหม่"},
    "progress:flag-check": lambda t, key: {"comment": "ตรวจแล้ว"},
    "notices:onboarding": lambda t, key: {"action": "provision"},
    "notices:onboarding-unit": lambda t, key: {"action": "provision"},
}
WRITES_SEEN = {
    "assessments:review",
    "assessments:comment",
    "assessments:extend",
    "assessments:extension-cancel",
    "progress:flag-check",
    "api:token-revoke",
    "committee:request",
    "frameworks:action",
}
API_BODIES = {
    "api:save_answer": {"version": 0, "base": "10", "delivered": "9"},
    "api:save_satisfaction": {"version": 0, "satisfied": "5", "needs_improvement": "1"},
}


def all_routes() -> set[str]:
    """Every named route of the resolver (tests/test_login_required.routes), Django's admin left out."""
    names: set[str] = set()
    for pattern in get_resolver().url_patterns:
        if not isinstance(pattern, URLResolver):
            names.add(pattern.name or str(pattern.pattern))
        elif pattern.namespace != "admin":
            names.update(name for name, _view in routes(pattern, f"{pattern.namespace}:" if pattern.namespace else ""))
    return names


API_OPERATIONS = {f"api:{pattern.name}" for pattern in api_patterns}

# ---- the expectation for one request


def expected(rule: Expect, role: str, key: str | None, method: str) -> frozenset[str]:
    may_read = rule.read(role, key)
    may_act = rule.writer(role, key)
    anonymous_refused = role == ANON and not may_read and not may_act
    if method == "GET":
        if anonymous_refused:
            return rule.anonymous
        if rule.methods in WRITE_ONLY:
            return frozenset({NOT_ALLOWED})
        return rule.get if may_read else frozenset({DENY})
    if rule.methods == GET_ONLY:
        # Django's login middleware answers an anonymous visitor first (django-ninja does not), and a gate may
        # refuse a stranger before the method is looked at.
        if anonymous_refused:
            return frozenset({NOT_ALLOWED}) | rule.anonymous
        return frozenset({NOT_ALLOWED} if may_read else {NOT_ALLOWED, DENY})
    if anonymous_refused:
        return rule.anonymous
    if may_act:
        return rule.post
    return rule.post_reader if may_read else frozenset({DENY})


def is_leak(rule: Expect, role: str, key: str | None, method: str, outcome: authz.Outcome) -> bool:
    may_read = rule.read(role, key)
    may_act = rule.writer(role, key)
    if outcome.writes and method != "GET" and not may_act:
        return True
    if outcome.writes and method == "GET" and not may_read:
        return True
    if not may_read and not may_act:
        return outcome.kind in (OK, REDIRECT)
    if method != "GET" and not may_act and not may_read:
        return outcome.kind in (OK, REDIRECT)
    return False


def url_for(name: str, kwargs: dict) -> str:
    kwargs = dict(kwargs)
    query = kwargs.pop("?", "")
    return reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")


def _bare_404(request, exception):
    return HttpResponseNotFound(b"not found")


class _Document:
    def write_pdf(self, *args, **kwargs) -> bytes:
        return b"%PDF-1.4 stub"


class _StubHTML:
    """WeasyPrint's layout replaced (the template is still rendered): the matrix asks who gets a PDF, and laying
    out a page costs a third of a second (the PDFs have their own tests)."""

    def __init__(self, *args, **kwargs):
        pass

    def render(self, *args, **kwargs):
        return _Document()


@pytest.fixture
def matrix_settings(settings, monkeypatch):
    import weasyprint

    monkeypatch.setattr(weasyprint, "HTML", _StubHTML)
    # The test client keeps a copy of every template context it sees (for assertions on response.context, which
    # the matrix never reads): thousands of pages of copies.
    monkeypatch.setattr(django.test.client, "store_rendered_templates", lambda *args, **kwargs: None)
    # A refused request is logged as a warning (django.request); thousands of them are noise here.
    monkeypatch.setattr(logging.getLogger("django.request"), "level", logging.ERROR)
    # A refusal's 404 page is laid out like every page (a sixth of the matrix's time): the status is what the matrix
    # reads, so a bare 404 answers here. (Pages that render their own 404 keep theirs.)
    monkeypatch.setattr(config_urls, "handler404", _bare_404, raising=False)
    # The OpenAPI schema is built afresh for each request (a quarter of a second): once is enough here.
    built = functools.cache(api_module.api.get_openapi_schema)
    monkeypatch.setattr(api_module.api, "get_openapi_schema", lambda path_params=None, **kw: built(**kw))
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"  # one query less per request
    settings.API_RATE_LIMIT_PER_MINUTE = 0  # thousands of requests a minute from the same token
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    cache.clear()
    yield
    cache.clear()


def test_every_route_is_in_the_table():
    names = all_routes()
    missing = sorted(names - EXPECT.keys())
    gone = sorted(EXPECT.keys() - names)
    assert not missing, f"routes missing from the authorization table (tests/security/test_authz_matrix.py): {missing}"
    assert not gone, f"table entries for routes that no longer exist: {gone}"
    assert names >= API_OPERATIONS
    assert not sorted(URLS.keys() - names), "URL builders for routes that no longer exist"


def test_the_authorization_matrix(world, users, framework, matrix_settings, record_property):
    targets = authz.build_targets(world, users, framework)
    clients = authz.clients(users, targets)
    person_roles = [ANON, *PERSON_ROLES]
    failures: list[str] = []
    leaks: list[str] = []
    requests = 0
    written: set[str] = set()
    # A signed-in page may show no อปท. outside the role's scope, by name or DLA code (public pages show them all).
    lgs = {
        "lg1": world.local_government,
        "neighbour": world.neighbour_same_district,
        "other_district": world.local_government_other_district,
        "outside": world.outside_local_government,
    }
    names_out_of_scope = {
        role: [text for key, lg in lgs.items() if key not in LG_SCOPE[role] for text in (lg.name_th, lg.dla_code)]
        for role in LG_SCOPE
    }
    all_names = {text for lg in lgs.values() for text in (lg.name_th, lg.dla_code)}
    names_seen: set[str] = set()
    for name in sorted(all_routes()):
        rule = EXPECT.get(name)
        if rule is None:
            failures.append(f"{name}: not in EXPECT (test_every_route_is_in_the_table)")
            continue
        kind, build = URLS.get(name, ("once", lambda t, key: {}))
        who = person_roles + list(TOKEN_ROLES) if name in API_OPERATIONS else person_roles
        write_method = "PUT" if "PUT" in rule.methods else "POST"
        for role in who:
            keys = {
                "lg": authz.ROLE_LG_TARGETS,
                "unit": authz.ROLE_UNIT_TARGETS,
                "framework": authz.ROLE_FRAMEWORK_TARGETS,
            }.get(kind, {}).get(role, {None: ""})
            for key in keys:
                kwargs = build(targets, key)
                if kwargs is None:
                    continue
                url = url_for(name, kwargs)
                for method in ("GET", write_method):
                    body = API_BODIES.get(name) if method == "PUT" else None
                    form = BODIES[name](targets, key) if method == "POST" and name in BODIES else None
                    isolate = method != "GET" and rule.writer(role, key)
                    outcome = authz.send(clients[role], method, url, body, form, isolate=isolate)
                    requests += 1
                    where = f"{name} {method} {url} as {role} (target {key}: {keys[key] or '-'})"
                    if outcome.kind == authz.ERROR:
                        failures.append(f"{where}: server error {outcome.error}")
                        continue
                    if outcome.writes:
                        written.add(name)
                    if method == "GET" and outcome.kind == OK and rule.read is not public:
                        shown = [lg for lg in names_out_of_scope[role] if lg in outcome.text]
                        if shown:
                            leaks.append(f"{where}: shows {shown}, outside the role's scope")
                        names_seen.update(lg for lg in all_names if lg in outcome.text)
                    if method == "GET" and outcome.writes:
                        failures.append(f"{where}: a GET wrote {outcome.writes[:2]}")
                    if is_leak(rule, role, key, method, outcome):
                        leaks.append(f"{where}: {outcome.status} writes={outcome.writes[:2]}")
                    allowed = expected(rule, role, key, method)
                    if outcome.kind not in allowed:
                        failures.append(f"{where}: got {outcome.status} ({outcome.kind}), expected {sorted(allowed)}")
    role_count = len(person_roles) + len(TOKEN_ROLES)
    line = f"authz-matrix: routes={len(EXPECT)} roles={role_count} requests={requests} leaks={len(leaks)}"
    record_property("figure", line)  # printed in the terminal summary (tests/conftest.py), under xdist too
    assert not leaks, "\n".join(leaks)
    assert names_seen == all_names, "the name check is blind: the pages of those who may see them never show them"
    # The write detector is not blind: the decisions of those who may act are seen writing.
    assert written >= WRITES_SEEN, f"no write seen for {sorted(WRITES_SEEN - written)}"
    assert not failures, f"{len(failures)} requests did not match the table:\n" + "\n".join(failures)
