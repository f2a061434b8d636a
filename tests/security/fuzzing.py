"""What the fuzz test (tests/security/test_fuzz.py) sends and where: the inputs each view reads, found in its
code and in the forms its pages render, and the hostile values hypothesis draws for them."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from hypothesis import strategies as st

# ---- Inputs a view reads, from its source: request.GET/POST.get("x"), getlist, ["x"], and the fields of the
# form classes it binds to request.GET/POST (with the module's helpers that take the request, one level down).

_READ = re.compile(r"request\.(GET|POST)(?:\.get(?:list)?\(|\[)\s*f?[\"']([A-Za-z_][\w-]*)")
_FORM = re.compile(r"(\w+Form)\(\s*request\.(GET|POST)")
_CALL = re.compile(r"\b(_?\w+)\(\s*request\b")


def _view_source(view) -> tuple[str, object] | None:
    function = inspect.unwrap(view)
    function = getattr(function, "view_class", function)
    try:
        return inspect.getsource(function), inspect.getmodule(function)
    except TypeError:  # functools.partial (the API's documentation pages): no input of its own
        return None


def declared_inputs(view) -> dict[str, set[str]]:
    """{"GET": names, "POST": names} the view reads, as far as its code says."""
    found: dict[str, set[str]] = {"GET": set(), "POST": set()}
    source = _view_source(view)
    if source is None:
        return found
    text, module = source
    helpers = [getattr(module, name, None) for name in _CALL.findall(text)]
    for helper in helpers:
        if inspect.isfunction(helper) and inspect.getmodule(helper) is module:
            text += inspect.getsource(helper)
    for method, name in _READ.findall(text):
        found[method].add(name)
    for form_name, method in _FORM.findall(text):
        form_class = getattr(module, form_name, None)
        found[method].update(getattr(form_class, "base_fields", {}))
    view_class = getattr(inspect.unwrap(view), "view_class", None)
    if view_class is not None:
        form_class = getattr(view_class, "form_class", None)
        if form_class is not None:
            found["POST"].update(getattr(form_class, "base_fields", {}))
        if getattr(view_class, "redirect_field_name", None):
            found["GET"].add(view_class.redirect_field_name)
            found["POST"].add(view_class.redirect_field_name)
    return found


# ---- Forms on a page: their method, where they go, and the names and sample values of their fields.


@dataclass
class PageForm:
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name → values seen (options, value="")


class FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            action = attributes.get("action") or self.page_url
            self._form = PageForm(attributes.get("method", "get").upper(), action)
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attributes.get("name")
        if tag in ("input", "button") and name:
            if attributes.get("type") == "file":
                return  # uploads have their own test (tests/security/test_hostile_uploads.py)
            self._form.fields.setdefault(name, []).append(attributes.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self._form.fields.setdefault(name, [])
        elif tag == "option" and self._select:
            self._form.fields[self._select].append(attributes.get("value", ""))
        elif tag == "textarea" and name:
            self._form.fields.setdefault(name, []).append("")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def page_forms(page_url: str, html: str) -> list[PageForm]:
    parser = FormParser(page_url)
    parser.feed(html)
    return parser.forms


def route_of(url: str) -> str | None:
    """The route name of a same-site path, None for another site or an unknown path."""
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != "testserver":
        return None
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        return None
    return match.view_name


# ---- Hostile values.

BIG_INTEGERS = ["2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808", str(2**64)]
SMALL_INTEGERS = ["-1", "0", "1", "-0", "+1", "00001", "1e3", "1.5", " 1 ", "0x10", "1_000", "NaN", "inf", "-inf"]
# str.isdigit() says yes, int() says no (superscripts, circled digits), or int() takes them (Arabic-Indic, Thai).
UNICODE_DIGITS = ["²", "³", "①", "٣", "๓", "१२", "𝟙", "¹²", "٣٣", "๒๕๖๗", "⁰"]
NON_NUMERIC = ["abc", "null", "None", "true", "[]", "{}", "1;DROP TABLE x", "' OR 1=1 --", "%", "_", "*"]
CONTROL = ["\x00", "a\x00b", "\x00" * 3, "\x01\x02\x1f", "\r\n", "\t", "\u200b", "\ufeff", "\ud7ff", "\U0010ffff"]
LONG = ["x" * 5000, "9" * 400, "ก" * 3000, "1" * 20]
DATES = [
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "0000-00-00",
    "2024-02-30",
    "2567-01-01",
    "01/01/0001",
    "31/12/9999",
    "31/02/2567",
    "29/02/2567",
    "29/02/2566",
    "01/13/2567",
    "๓๑/๐๒/๒๕๖๗",
    "1/1/2567",
    "2567",
    "-1/1/2567",
]
DATE_PARTS = ["0", "1", "29", "31", "32", "13", "543", "544", "2567", "3000", "9999", "10542", "10543", "99999"]
URLS = [
    "evil",
    "evil/path",
    "http://evil.example/",
    "https://evil.example/x",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    " //evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "data:text/html,x",
    "/",
    "/returns/",
    "?x=1",
    "#x",
]
MARKUP = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{ 7*7 }}", "{% now %}", "=1+1", "%s%s%n"]

HOSTILE = [
    *BIG_INTEGERS,
    *SMALL_INTEGERS,
    *UNICODE_DIGITS,
    *NON_NUMERIC,
    *CONTROL,
    *LONG,
    *DATES,
    *DATE_PARTS,
    *URLS,
    *MARKUP,
    "",
]
# The list above most of the time (one draw each: cheaper than a choice among many strategies), else made up.
hostile_scalar = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(HOSTILE),
    st.sampled_from(HOSTILE),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=20),
    st.text(alphabet=st.characters(categories=["Nd", "No", "Cc"]), max_size=8),
)


def value_for(samples: list[str]) -> st.SearchStrategy[str | list[str]]:
    """A value for one field: one it had on the page (valid-looking) or a hostile one; sometimes a list."""
    valid = st.sampled_from(samples) if any(samples) else st.just("1")
    scalar = st.one_of(valid, hostile_scalar, hostile_scalar)
    return st.one_of(scalar, scalar, scalar, st.lists(scalar, min_size=2, max_size=3))


def is_open_redirect(location: str) -> bool:
    """Would the browser leave the site? (What the browser does with backslashes and leading blanks included.)"""
    cleaned = location.strip().replace("\\", "/")
    parts = urlsplit(cleaned)
    return bool(parts.netloc and parts.netloc != "testserver") or parts.scheme not in ("", "http", "https")
