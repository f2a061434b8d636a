"""{% icon %}: the pages' icons are SVG from the bootstrap-icons package, hidden from screen readers (the text
next to each says what it means), and a misspelt icon fails when the template compiles, not on a user's page."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError
from django.template.loader import get_template

from tests.core.test_staticfiles import template_files


def render(source: str) -> str:
    return Template(source).render(Context())


def test_an_icon_is_the_packages_svg_sized_to_the_text_and_hidden_from_screen_readers():
    html = render('{% icon "check-circle" %}')
    package_svg = (Path(settings.NODE_MODULES) / "bootstrap-icons" / "icons" / "check-circle.svg").read_text()
    assert html.startswith(
        '<svg class="bi" width="1em" height="1em" fill="currentColor" viewBox="0 0 16 16" aria-hidden="true">'
    )
    for path in package_svg.split("<path")[1:]:
        assert "<path" + path.split("/>")[0] + "/>" in html


def test_an_icon_takes_extra_classes():
    assert render('{% icon "flag-fill" class="text-success me-1" %}').startswith('<svg class="bi text-success me-1" ')


@pytest.mark.parametrize(
    "source",
    [
        '{% icon "no-such-icon" %}',  # not in the package
        '{% icon "../../bootstrap/dist/css/bootstrap" %}',  # not a name
        "{% icon name %}",  # only literals: checked when compiled
        '{% icon "flag" style="x" %}',
        '{% icon "flag" class="x\\" onload=\\"y" %}',
    ],
)
def test_a_wrong_icon_fails_when_the_template_compiles(source):
    with pytest.raises(TemplateSyntaxError):
        Template(source)


def test_every_template_compiles_so_every_icon_it_names_exists():
    names = [path.relative_to(_root(path)).as_posix() for path in template_files()]
    assert len(names) > 50
    for name in names:
        get_template(name)


def test_no_template_still_uses_the_icon_font():
    # The font is no longer served: an <i class="bi bi-…"> would show nothing.
    assert [str(path) for path in template_files() if 'class="bi bi-' in path.read_text(encoding="utf-8")] == []


def _root(path: Path) -> Path:
    """The templates folder a template file lives in."""
    return next(parent for parent in path.parents if parent.name == "templates")
