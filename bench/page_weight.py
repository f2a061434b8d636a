"""Page weight for `make bench`: the data-entry page on first load and one autosave round trip, bytes on the wire.

Usage: python bench/page_weight.py BASE_URL USERNAME PASSWORD AREA_URL
Logs in, loads the area page with `Accept-Encoding: gzip, br` and an empty cache, then every stylesheet, script
and font it references (fonts found in the stylesheets), counting each response's status line, headers and body
as sent (compressed when the server compressed it). Then one autosave of one indicator: request and response bytes.
Prints JSON. Loopback only: BASE_URL must be http://127.0.0.1:… or http://localhost:….
"""

from __future__ import annotations

import json
import re
import sys
from urllib.parse import urljoin, urlparse

import requests

ACCEPT = {"Accept-Encoding": "gzip, br", "Accept": "text/html,*/*"}
ASSETS = re.compile(r'<(?:link[^>]+href|script[^>]+src)="([^"]+\.(?:css|js)[^"]*)"')
CSS_URLS = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
SAVE_URL = re.compile(r'hx-post="(/returns/\d+/indicator/(\d+)/save/)"')
VERSION = re.compile(r'id="i(\d+)-version"\s+value="(\d+)"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def wire_bytes(response: requests.Response) -> tuple[int, bytes]:
    """(bytes on the wire: status line + headers + body as sent, the decoded body)."""
    raw = response.raw.read(decode_content=False)
    head = len(f"HTTP/1.1 {response.status_code} {response.reason}\r\n") + sum(
        len(f"{k}: {v}\r\n") for k, v in response.headers.items()
    )
    body = raw
    encoding = response.headers.get("Content-Encoding", "")
    if encoding == "gzip":
        import gzip

        body = gzip.decompress(raw)
    elif encoding == "br":
        import brotli

        body = brotli.decompress(raw)
    return head + 2 + len(raw), body


def request_bytes(prepared: requests.PreparedRequest) -> int:
    line = len(f"{prepared.method} {prepared.path_url} HTTP/1.1\r\n")
    headers = sum(len(f"{k}: {v}\r\n") for k, v in prepared.headers.items())
    body = len(prepared.body or b"") if isinstance(prepared.body, bytes | str) else 0
    return line + headers + 2 + body


def main() -> None:
    base, username, password, area_url = sys.argv[1:5]
    if urlparse(base).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("loopback only")
    session = requests.Session()
    page = session.get(urljoin(base, "/accounts/login/"))
    token = CSRF_INPUT.search(page.text).group(1)
    session.post(
        urljoin(base, "/accounts/login/"),
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": urljoin(base, "/accounts/login/")},
        allow_redirects=False,
    ).raise_for_status()

    parts = []
    response = session.get(urljoin(base, area_url), headers=ACCEPT, stream=True)
    size, html_bytes = wire_bytes(response)
    html = html_bytes.decode("utf-8", "replace")
    parts.append({"url": area_url, "kind": "html", "bytes": size, "encoding": response.headers.get("Content-Encoding")})
    seen = set()
    queue = [urljoin(urljoin(base, area_url), href) for href in ASSETS.findall(html)]
    while queue:
        url = queue.pop(0)
        if url in seen or urlparse(url).hostname not in ("127.0.0.1", "localhost"):
            continue
        seen.add(url)
        response = session.get(url, headers=ACCEPT, stream=True)
        size, body = wire_bytes(response)
        kind = url.rsplit(".", 1)[-1].split("?")[0]
        encoding = response.headers.get("Content-Encoding")
        parts.append({"url": urlparse(url).path, "kind": kind, "bytes": size, "encoding": encoding})
        if kind == "css":
            fonts = [ref.split("#")[0] for ref in CSS_URLS.findall(body.decode("utf-8", "replace"))]
            fonts = [ref for ref in fonts if ref.split("?")[0].endswith((".woff2", ".woff"))]
            # A browser fetches one format of a font, the first it supports: woff2 when there is one.
            woff2 = [ref for ref in fonts if ref.split("?")[0].endswith(".woff2")]
            queue.extend(urljoin(url, ref) for ref in (woff2 or fonts))

    save = None
    match = SAVE_URL.search(html)
    if match:
        url, pk = match.group(1), match.group(2)
        versions = {p: v for p, v in VERSION.findall(html)}
        fields = {"ratio": {"base": "120", "delivered": "100"}, "count": {"count": "3"}, "yesno": {"answer": "yes"}}
        kind = "ratio" if f'name="i{pk}-base"' in html else "count" if f'name="i{pk}-count"' in html else "yesno"
        data = {f"i{pk}-{k}": v for k, v in fields[kind].items()}
        data[f"i{pk}-version"] = versions.get(pk, "0")
        csrf = session.cookies.get("csrftoken", "")
        request = requests.Request(
            "POST",
            urljoin(base, url),
            data=data,
            headers={**ACCEPT, "HX-Request": "true", "X-CSRFToken": csrf, "Referer": urljoin(base, area_url)},
        )
        prepared = session.prepare_request(request)
        response = session.send(prepared, stream=True)
        size, _body = wire_bytes(response)
        save = {"request_bytes": request_bytes(prepared), "response_bytes": size, "status": response.status_code}
    print(
        json.dumps(
            {
                "first_load_bytes": sum(p["bytes"] for p in parts),
                "html_bytes": parts[0]["bytes"],
                "parts": parts,
                "autosave": save,
            }
        )
    )


if __name__ == "__main__":
    main()
