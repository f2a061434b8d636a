"""Time the full registry import on a fresh database (first import, then an unchanged re-import).

Usage: .venv/bin/python bench/registry_import.py ../shared/data/lao_registry.csv
Uses a temporary SQLite file unless DATABASE_URL is set.
"""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
workdir = tempfile.mkdtemp()
os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from localstandards.registry.services import import_registry  # noqa: E402


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/lao_registry.csv")
    call_command("migrate", verbosity=0)
    data = path.read_bytes()
    first = import_registry(data)
    again = import_registry(data)
    print(f"first import:  {first.added} added in {first.seconds:.2f} s")
    print(f"re-import:     {again.unchanged} unchanged in {again.seconds:.2f} s")


if __name__ == "__main__":
    main()
