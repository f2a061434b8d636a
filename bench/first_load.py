"""An officer's first visit, measured against a running server: the login, then the data-entry page and every
file it loads, in bytes on the wire (as a browser with an empty cache gets them).

Usage (the server started with production settings, see BENCHMARKS.md "Page weight, static files, login"):
    .venv/bin/python bench/first_load.py http://127.0.0.1:8010 demo_staff PASSWORD [--path /returns/1/area/1/]

Without --path it opens the officer's first return and takes its largest area page (the entry page).
It sends `Accept-Encoding: gzip, br` and counts the bytes as sent (compressed when the server compresses), headers
excluded. Fonts: the first (woff2) source of each @font-face of the stylesheets, as a browser picks it. It prints
one JSON object: the login time, the HTML's raw and wire size, each file's wire size and encoding, the total.
Only for 127.0.0.1 / localhost.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import time
import zlib
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit

try:
    import brotli
except ImportError:  # pragma: no cover - brotli is a runtime dependency
    brotli = None

ASSET = re.compile(r"""<(?:link[^>]+rel="(?:stylesheet|icon)"[^>]*href|script[^>]+src)="([^"]+)\"""")
CSS_URL = re.compile(r"""url\((['"]?)([^'")]+)\1\)""")
FONT_FACE = re.compile(r"@font-face\s*{[^}]*}")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """Just enough of a browser: one connection, cookies, no decompression of what it counts."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        if parts.hostname not in {"127.0.0.1", "localhost"}:
            raise SystemExit("bench/first_load.py only measures a local server")
        self.base = base.rstrip("/")
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict, bytes]:
        headers = {"Accept-Encoding": "gzip, br", "Host": urlsplit(self.base).netloc}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = self.base + path
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(value)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response.status, {k.lower(): v for k, v in response.getheaders()}, raw


def decoded(headers: dict, body: bytes) -> bytes:
    encoding = headers.get("content-encoding", "")
    if encoding == "gzip":
        return zlib.decompress(body, 16 + zlib.MAX_WBITS)
    if encoding == "br":
        return brotli.decompress(body)
    return body


def login(browser: Browser, username: str, password: str) -> float:
    status, headers, body = browser.request("GET", "/accounts/login/")
    token = CSRF.search(decoded(headers, body).decode())[1]
    started = time.perf_counter()
    status, headers, _ = browser.request(
        "POST", "/accounts/login/", {"csrfmiddlewaretoken": token, "username": username, "password": password}
    )
    elapsed = time.perf_counter() - started
    if status != 302:
        raise SystemExit(f"login failed: HTTP {status}")
    return elapsed


def entry_page(browser: Browser) -> str:
    """The officer's first return, its largest area page."""
    _, headers, body = browser.request("GET", "/returns/")
    overview = re.search(r'href="(/returns/\d+/)"', decoded(headers, body).decode())[1]
    _, headers, body = browser.request("GET", overview)
    areas = sorted(set(re.findall(r'href="(/returns/\d+/area/[^"/]+/)"', decoded(headers, body).decode())))
    sizes = {}
    for area in areas:
        _, headers, body = browser.request("GET", area)
        sizes[area] = len(decoded(headers, body))
    return max(sizes, key=sizes.get)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("username")
    parser.add_argument("password")
    parser.add_argument("--path")
    args = parser.parse_args()

    browser = Browser(args.base)
    login_s = login(browser, args.username, args.password)
    path = args.path or entry_page(browser)

    # A fresh page load (the session cookie stays): the HTML, then each file it names, then the fonts in its CSS.
    status, headers, body = browser.request("GET", path)
    raw = decoded(headers, body)
    html = raw.decode()
    files = {"html": {"path": path, "bytes": len(body), "raw": len(raw), "encoding": headers.get("content-encoding")}}
    queue = [urljoin(path, url) for url in ASSET.findall(html)]
    seen: set[str] = set()
    while queue:
        url = queue.pop(0)
        if url in seen or url.startswith("data:"):
            continue
        seen.add(url)
        status, headers, body = browser.request("GET", url)
        files[url] = {
            "bytes": len(body),
            "encoding": headers.get("content-encoding"),
            "status": status,
            "cache": headers.get("cache-control"),
        }
        if url.split("?")[0].endswith(".css"):
            for face in FONT_FACE.findall(decoded(headers, body).decode()):
                first = CSS_URL.search(face)
                if first:
                    queue.append(urljoin(url, first[2]))
    total = sum(item["bytes"] for item in files.values())
    print(json.dumps({"login_ms": round(login_s * 1000), "files": files, "total_bytes": total}, indent=1))


if __name__ == "__main__":
    main()
