"""Static files: collectstatic takes only what the pages use, and everything the templates name is in it.

It used to collect whole npm dist folders (179 MB: every echarts build, every Sarabun weight, axe-core's test
helper would have followed). These tests run the real collectstatic into a temporary folder, with the hashed
storage production uses (Django's manifest storage; production's whitenoise subclass adds compressed copies).
"""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test.utils import override_settings

from localstandards.core.staticfiles import NpmFilesFinder

STATIC_TAG = re.compile(r"""{%\s*static\s+['"]([^'"]+)['"]\s*%}""")
# About 8 MB for the pages in this test (plain and hashed copies, Django's admin a third of it), plus 7.8 MB for the
# API docs page (Swagger UI's bundle and stylesheet with the source maps they name; ninja's ReDoc and its maps are
# left out); 179 MB before (production copies compressed variants instead of plain ones). Raise it only for files
# a page loads.
CEILING_BYTES = 16 * 1024 * 1024


def template_files() -> list[Path]:
    roots = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR, "localstandards").glob("*/templates")]
    return [path for root in roots for path in root.rglob("*.html")]


def static_paths_in_templates() -> set[str]:
    return {name for path in template_files() for name in STATIC_TAG.findall(path.read_text(encoding="utf-8"))}


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("staticfiles")
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=str(root), STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((root / "staticfiles.json").read_text())["paths"]
    return root, manifest


def test_every_static_file_a_template_names_is_collected(collected):
    _, manifest = collected
    named = static_paths_in_templates()
    assert "vendor/bootstrap/css/bootstrap.min.css" in named  # the scan finds the tags
    assert sorted(named - manifest.keys()) == []


def test_the_fonts_the_stylesheets_use_are_collected(collected):
    # The hashed storage rewrites url(...) in CSS, so a missing font would have failed collectstatic; check the
    # files are there under their hashed names too.
    root, manifest = collected
    for name in (
        "vendor/sarabun/files/sarabun-thai-400-normal.woff2",
        "vendor/sarabun/files/sarabun-latin-600-normal.woff2",
    ):
        assert (root / manifest[name]).is_file()


def test_only_what_the_pages_use_is_collected(collected):
    root, manifest = collected
    assert not [name for name in manifest if "axe" in name]  # axe-core is for the browser tests only
    assert not [name for name in manifest if name.startswith("vendor/bootstrap-icons/")]  # icons are inline SVG
    assert [name for name in manifest if name.startswith("vendor/echarts/")] == ["vendor/echarts/echarts.min.js"]
    assert not [name for name in manifest if name.startswith("django_htmx/")]  # its htmx copies; npm's is used
    assert not [name for name in manifest if "redoc" in name]  # the API docs page uses Swagger UI only
    size = sum(path.stat().st_size for path in root.rglob("*") if path.is_file())
    assert size <= CEILING_BYTES, f"{size:,} bytes collected"


def test_a_listed_file_is_found_and_an_unlisted_file_of_the_same_package_is_not():
    assert finders.find("vendor/echarts/echarts.min.js", find_all=False).endswith("echarts/dist/echarts.min.js")
    assert finders.find("vendor/echarts/echarts.js") is None
    assert finders.find("vendor/htmx/../../axe-core/axe.min.js") is None


def test_a_listed_file_missing_from_node_modules_fails_the_system_check(settings):
    settings.NPM_STATIC_FILES = [*settings.NPM_STATIC_FILES, ("vendor/gone", "bootstrap/dist", ["css/no-such.css"])]
    errors = NpmFilesFinder().check()
    assert [error.id for error in errors] == ["localstandards.E001"]
    assert "no-such.css" in errors[0].msg
