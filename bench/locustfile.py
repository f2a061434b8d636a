"""The deadline rush for `make bench` (run by bench/harness.py; headless locust against 127.0.0.1 only).

Officers: each simulated officer logs in as a distinct `lg…-staff` user whose return is open, opens one area page,
then autosaves answers one indicator at a time with no think time, as HTMX does: a POST of that indicator's fields
only (prefixed `i<pk>-`, with the version it last got back), `HX-Request: true` and the CSRF token. Every
acknowledged save (HTTP 200 with the new version) is recorded for the lost-write check.

Reviewers (`BENCH_REVIEWERS`, fixed count): the national administrator and provincial officers open the progress,
not-submitted and results pages during the rush; the national progress page's latency is recorded on its own.

Input: BENCH_TARGETS (JSON written by bench/targets.py), BENCH_PASSWORD. Output: BENCH_OUT (JSON, at the end).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time

import gevent
from gevent.event import Event
from locust import HttpUser, between, constant, events, task
from locust.exception import StopUser

TARGETS = json.loads(open(os.environ["BENCH_TARGETS"], encoding="utf-8").read())  # noqa: SIM115
PASSWORD = os.environ["BENCH_PASSWORD"]
OFFICERS = iter(TARGETS["officers"])
REVIEWERS = itertools.cycle(TARGETS["reviewers"])

# The rush starts when every officer has logged in and opened its page (logins cost seconds of CPU each and are
# not what is measured) and lasts BENCH_RUSH_SECONDS; then the run stops itself (locust's -t is only a bound).
EXPECTED = int(os.environ["BENCH_OFFICERS"])
RUSH_SECONDS = float(os.environ["BENCH_RUSH_SECONDS"])
READY = Event()
STARTED: dict[str, float] = {}

ACKS: list[tuple[int, int, dict, int]] = []  # (return, indicator, values posted, version acknowledged)
SAVES: list[tuple[float, float, bool]] = []  # (start, milliseconds, acknowledged)
PAGES: dict[str, list[float]] = {}  # page name → milliseconds
ERRORS: dict[str, int] = {}

SAVE_URL = re.compile(r'hx-post="(/returns/(\d+)/indicator/(\d+)/save/)"')
VERSION = re.compile(r'id="i(\d+)-version"\s+value="(\d+)"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _error(kind: str) -> None:
    ERRORS[kind] = ERRORS.get(kind, 0) + 1


def login(user: HttpUser, username: str) -> bool:
    page = user.client.get("/accounts/login/", name="login page")
    token = CSRF_INPUT.search(page.text)
    response = user.client.post(
        "/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1) if token else ""},
        headers={"Referer": f"{user.host}/accounts/login/"},
        allow_redirects=False,
        name="login",
    )
    if response.status_code != 302:
        _error(f"login {response.status_code}")
        return False
    return True


def values_for(kind: str) -> dict[str, str]:
    """What an officer types: whole numbers, (2) ≤ (1), within the sample framework's soft rules."""
    if kind == "ratio":
        base = random.randint(10, 900)
        return {"base": str(base), "delivered": str(random.randint(0, base))}
    if kind == "count":
        return {"count": str(random.randint(0, 60))}
    return {"answer": random.choice(["yes", "no"])}


def officer_started(environment) -> None:
    """Count an officer that is ready (or gave up); the last one starts the rush and its timer."""
    STARTED["officers"] = STARTED.get("officers", 0) + 1
    if STARTED["officers"] >= EXPECTED and not READY.is_set():
        STARTED["rush"] = time.time()
        READY.set()
        gevent.spawn_later(RUSH_SECONDS, environment.runner.quit)


class Officer(HttpUser):
    wait_time = constant(0)  # the rush: the next save as soon as the last one is answered
    weight = 1

    def on_start(self) -> None:
        self.ready = False
        try:
            self.start_officer()
        finally:
            officer_started(self.environment)

    def start_officer(self) -> None:
        try:
            target = next(OFFICERS)
        except StopIteration:
            _error("not enough open returns for the officers")
            raise StopUser from None
        if not login(self, target["username"]):
            raise StopUser
        page = self.client.get(target["area_url"], name="area page")
        self.csrf = self.client.cookies.get("csrftoken", "")
        html = page.text
        versions = {int(pk): int(v) for pk, v in VERSION.findall(html)}
        self.indicators = []
        for url, assessment, indicator in SAVE_URL.findall(html):
            pk = int(indicator)
            if f'name="i{pk}-base"' in html:
                kind = "ratio"
            elif f'name="i{pk}-count"' in html:
                kind = "count"
            else:
                kind = "yesno"
            self.indicators.append({"url": url, "assessment": int(assessment), "pk": pk, "kind": kind})
            self.versions = getattr(self, "versions", {})
            self.versions[pk] = versions.get(pk, 0)
        if not self.indicators:
            _error("no editable indicator on the area page")
            raise StopUser
        self.ready = True

    @task
    def autosave(self) -> None:
        READY.wait()
        if not self.ready:
            return
        indicator = random.choice(self.indicators)
        pk = indicator["pk"]
        values = values_for(indicator["kind"])
        data = {f"i{pk}-{name}": value for name, value in values.items()}
        data[f"i{pk}-version"] = str(self.versions[pk])
        data["csrfmiddlewaretoken"] = self.csrf
        started = time.time()
        with self.client.post(
            indicator["url"],
            data=data,
            headers={"HX-Request": "true", "X-CSRFToken": self.csrf, "Referer": self.host + "/"},
            name="autosave",
            catch_response=True,
        ) as response:
            elapsed = (time.time() - started) * 1000
            found = {int(p): int(v) for p, v in VERSION.findall(response.text or "")}
            new = found.get(pk)
            ok = response.status_code == 200 and new is not None and new > self.versions[pk]
            SAVES.append((started, elapsed, ok))
            if ok:
                self.versions[pk] = new
                ACKS.append((indicator["assessment"], pk, values, new))
                response.success()
            else:
                _error(f"autosave {response.status_code}")
                if new is not None:
                    self.versions[pk] = new  # a conflict answers with the stored version
                response.failure(f"not acknowledged ({response.status_code})")


class Reviewer(HttpUser):
    fixed_count = int(os.environ.get("BENCH_REVIEWERS", "3"))
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        self.target = next(REVIEWERS)
        self.pages = itertools.cycle(self.target["pages"])
        self.ready = login(self, self.target["username"])

    @task
    def look(self) -> None:
        READY.wait()
        if not self.ready:
            return
        name, url = next(self.pages)
        started = time.time()
        with self.client.get(url, name=name, catch_response=True) as response:
            PAGES.setdefault(name, []).append((time.time() - started) * 1000)
            if response.status_code != 200:
                _error(f"{name} {response.status_code}")
                response.failure(str(response.status_code))


@events.quitting.add_listener
def write_results(environment, **kwargs) -> None:
    with open(os.environ["BENCH_OUT"], "w", encoding="utf-8") as out:
        json.dump(
            {
                "acks": ACKS,
                "saves": SAVES,
                "pages": PAGES,
                "errors": ERRORS,
                "rush_started": STARTED.get("rush"),
                "officers_started": STARTED.get("officers", 0),
            },
            out,
        )
