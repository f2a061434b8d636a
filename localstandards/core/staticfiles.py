"""A static-files finder that takes only the listed files of the npm packages, not their whole folders.

A package's dist folder holds every build (ESM, CommonJS, unminified, source maps): echarts alone ships 51 MB,
of which the pages use one 1 MB file. Pointing STATICFILES_DIRS at such folders made `collectstatic` copy,
hash and compress 179 MB. `settings.NPM_STATIC_FILES` names the files the templates and their CSS use instead:

    NPM_STATIC_FILES = [
        # (URL prefix under STATIC_URL, folder under NODE_MODULES, the files in it, glob patterns allowed)
        ("vendor/htmx", "htmx.org/dist", ["htmx.min.js"]),
    ]

`{% static 'vendor/htmx/htmx.min.js' %}` then finds node_modules/htmx.org/dist/htmx.min.js. A listed pattern that
matches no file is an error of `manage.py check` (the npm install is missing or a package changed its layout).

`AppDirectoriesFinder` here is Django's, minus the apps in `settings.STATICFILES_SKIP_APPS` (django-htmx ships
1.2 MB of htmx builds; the pages load the npm package's htmx, and use django-htmx only for `request.htmx`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.finders import BaseFinder, searched_locations
from django.contrib.staticfiles.utils import matches_patterns
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage


@dataclass(frozen=True)
class NpmFiles:
    prefix: str
    root: Path
    patterns: tuple[str, ...]

    def files(self) -> list[str]:
        """The package's files this entry selects, as paths relative to its folder (with forward slashes)."""
        found: set[str] = set()
        for pattern in self.patterns:
            found.update(path.relative_to(self.root).as_posix() for path in self.root.glob(pattern) if path.is_file())
        return sorted(found)

    def selects(self, relative: str) -> bool:
        return any(fnmatch(relative, pattern) for pattern in self.patterns)


def npm_entries() -> list[NpmFiles]:
    return [
        NpmFiles(prefix=prefix, root=Path(settings.NODE_MODULES) / folder, patterns=tuple(patterns))
        for prefix, folder, patterns in getattr(settings, "NPM_STATIC_FILES", [])
    ]


class NpmFilesFinder(BaseFinder):
    """Finds `<prefix>/<file>` for the files NPM_STATIC_FILES lists, and lists only those to collectstatic."""

    def __init__(self, *args, **kwargs) -> None:
        self.entries = npm_entries()
        self.storages: dict[str, FileSystemStorage] = {}
        for entry in self.entries:
            storage = FileSystemStorage(location=entry.root)
            storage.prefix = entry.prefix  # collectstatic puts the file under this prefix
            self.storages[entry.prefix] = storage
        super().__init__(*args, **kwargs)

    def check(self, **kwargs) -> list[Error]:
        errors = []
        for entry in self.entries:
            for pattern in entry.patterns:
                if not any(path.is_file() for path in entry.root.glob(pattern)):
                    errors.append(
                        Error(
                            f"NPM_STATIC_FILES: {entry.root / pattern} matches no file.",
                            hint="Run `make assets` (npm ci), or update the entry to the package's layout.",
                            id="localstandards.E001",
                        )
                    )
        return errors

    def find(self, path: str, find_all: bool = False) -> str | list[str]:
        matches: list[str] = []
        for entry in self.entries:
            if str(entry.root) not in searched_locations:
                searched_locations.append(str(entry.root))
            head = entry.prefix + "/"
            if not path.startswith(head):
                continue
            relative = path.removeprefix(head)
            candidate = entry.root / relative
            # The pattern check keeps unlisted files (and `..` tricks) out, as collectstatic would.
            if ".." not in Path(relative).parts and entry.selects(relative) and candidate.is_file():
                if not find_all:
                    return os.fspath(candidate)
                matches.append(os.fspath(candidate))
        return matches  # empty when nothing matched, as Django's finders answer (None would count as a match)

    def list(self, ignore_patterns):
        for entry in self.entries:
            storage = self.storages[entry.prefix]
            for relative in entry.files():
                if not matches_patterns(relative, ignore_patterns):
                    yield relative, storage


class AppDirectoriesFinder(finders.AppDirectoriesFinder):
    """Django's finder of the apps' `static/` folders, skipping the apps whose files no page loads, and taking only
    the listed files of the apps in `settings.STATICFILES_APP_FILES` (django-ninja ships two API-docs viewers and
    their source maps, 8 MB; the API's docs page uses Swagger UI only)."""

    def __init__(self, app_names=None, *args, **kwargs) -> None:
        if app_names is None:
            skipped = set(getattr(settings, "STATICFILES_SKIP_APPS", []))
            app_names = [config.name for config in apps.get_app_configs() if config.name not in skipped]
        super().__init__(app_names, *args, **kwargs)
        self.only = {app: tuple(files) for app, files in getattr(settings, "STATICFILES_APP_FILES", {}).items()}

    def _allowed(self, app: str, path: str) -> bool:
        files = self.only.get(app)
        return files is None or any(fnmatch(path.replace(os.sep, "/"), pattern) for pattern in files)

    def list(self, ignore_patterns):
        for path, storage in super().list(ignore_patterns):
            app = next((name for name, store in self.storages.items() if store is storage), None)
            if app is None or self._allowed(app, path):
                yield path, storage

    def find_in_app(self, app, path):
        if not self._allowed(app, path):
            return None
        return super().find_in_app(app, path)
