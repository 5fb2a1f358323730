"""The packages' catalogues are merged into one by Flask-Babel (hall_server/i18n.py); a message
that two catalogues translate differently would show one package the other's words. None may."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from flask_babel import get_translations

from hall_server.i18n import CATALOGUE_DIRECTORIES

Key = tuple[str, str | None, str]  # locale, context, msgid
PLURAL_SEPARATOR = "\x00"


def catalogue_entries(directory: Path) -> dict[Key, str]:
    """The translated entries of one package's catalogues, by locale, context and msgid."""
    entries: dict[Key, str] = {}
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        locale = po_path.parent.parent.name
        with po_path.open("rb") as po_file:
            for message in read_po(po_file):
                if not message.id or not message.string or message.fuzzy:
                    continue
                if isinstance(message.id, str):
                    entries[(locale, message.context, message.id)] = str(message.string)
                else:  # a message with plural forms: all its forms together
                    forms = PLURAL_SEPARATOR.join(message.string)
                    entries[(locale, message.context, message.id[0])] = forms
    return entries


def collisions(directories: list[Path]) -> list[str]:
    translations: dict[Key, dict[str, str]] = defaultdict(dict)
    for directory in directories:
        for key, text in catalogue_entries(directory).items():
            translations[key][str(directory)] = text
    return [
        f"{key}: {by_catalogue}"
        for key, by_catalogue in sorted(translations.items(), key=str)
        if len(set(by_catalogue.values())) > 1
    ]


def test_there_are_catalogues_to_compare() -> None:
    found = [directory for directory in CATALOGUE_DIRECTORIES if catalogue_entries(directory)]
    assert len(found) >= 5


def test_no_message_is_translated_differently_in_two_catalogues() -> None:
    assert collisions(CATALOGUE_DIRECTORIES) == []


def test_the_check_finds_a_collision(tmp_path: Path) -> None:
    for name, text in (("first", "暂停"), ("second", "休息")):
        po_path = tmp_path / name / "zh" / "LC_MESSAGES" / "messages.po"
        po_path.parent.mkdir(parents=True)
        po_path.write_text(f'msgid "Pause"\nmsgstr "{text}"\n', encoding="utf-8")

    found = collisions([tmp_path / "first", tmp_path / "second"])

    assert len(found) == 1 and "Pause" in found[0]


def test_the_merged_catalogue_gives_each_package_its_own_words(app: Any) -> None:
    """What the running app translates is what each package's catalogue says."""
    for locale in app.config["LANGUAGES"]:
        with app.test_request_context("/", query_string={"lang": locale}):
            merged = get_translations()
            for directory in CATALOGUE_DIRECTORIES:
                for (entry_locale, context, msgid), text in catalogue_entries(directory).items():
                    if entry_locale != locale or PLURAL_SEPARATOR in text:
                        continue
                    if context is None:
                        seen = merged.ugettext(msgid)
                    else:
                        seen = merged.upgettext(context, msgid)
                    assert seen == text, (directory, context, msgid)
