"""Every Thai catalogue is complete and compiled: a string added in English and never translated fails here."""

import gettext
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(path for path in ROOT.glob("**/locale/th/LC_MESSAGES/django.po") if ".venv" not in path.parts)


def test_there_is_a_thai_catalogue():
    assert ROOT / "locale/th/LC_MESSAGES/django.po" in CATALOGUES


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_is_translated_and_compiled(po_path):
    with po_path.open("rb") as handle:
        catalogue = read_po(handle)
    assert catalogue.plural_forms.startswith("nplurals=1"), "Thai has one plural form"
    with po_path.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    untranslated, stale = [], []
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            if not message.string or not message.string[0]:
                untranslated.append(message.id[0])
            elif compiled.ngettext(message.id[0], message.id[1], 2) != message.string[0]:
                stale.append(message.id[0])
            continue
        if not message.string:
            untranslated.append(message.id)
        elif message.context is None and compiled.gettext(message.id) != message.string:
            stale.append(message.id)
    assert untranslated == [], "run `make messages` and translate these"
    assert stale == [], "the .mo is older than the .po: run `make messages`"
