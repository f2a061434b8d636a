"""One GET as a given user, in-process (Django's test client), for the data-volume jobs of `make bench`.

Usage: python bench/fetch.py USERNAME URL [TIMES]
Prints JSON: status, bytes and seconds of each request (the process's peak memory is taken by the harness).
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.test import Client  # noqa: E402

from localstandards.accounts.models import User  # noqa: E402


def main() -> None:
    username, url = sys.argv[1], sys.argv[2]
    times = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    client = Client()
    client.force_login(User.objects.get(username=username))
    runs = []
    for _ in range(times):
        started = time.perf_counter()
        response = client.get(url)
        size = sum(len(chunk) for chunk in response.streaming_content) if response.streaming else len(response.content)
        runs.append({"status": response.status_code, "bytes": size, "seconds": round(time.perf_counter() - started, 3)})
    print(json.dumps(runs))


if __name__ == "__main__":
    main()
