"""Error messages in the reader's language, translated at the edge that sends them.

The operations raise `Refused` with an English message, often with values in it ("no window
with id 7"); validation and HTTP errors arrive in English too. The server's catalogue
(hall_server/translations) holds each message under the context "error", a message with values
as a template ("no window with id %(window_id)s"). A message is translated by its exact entry,
or else by the template it was made from, the values carried over; a value that is itself a
word of the queue ("called", "window") is translated under the context "error value". A message
with neither stays English. Error codes and fields never change, so clients that key on the
code keep working. Logs keep the English message.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from typing import Any

from flask_babel import get_translations, pgettext

ERROR_CONTEXT = "error"
VALUE_CONTEXT = "error value"
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_CONTEXT_SEPARATOR = "\x04"  # how gettext keys a message with a context


@dataclass(frozen=True)
class MessageTemplate:
    msgid: str
    pattern: re.Pattern[str]
    literal_length: int  # the more fixed text a template has, the more specific it is


def message_template(msgid: str) -> MessageTemplate | None:
    """The pattern that recognises messages made from `msgid`; None without placeholders."""
    parts = _PLACEHOLDER.split(msgid)  # literal, name, literal, name, ..., literal
    if len(parts) == 1:
        return None
    pieces, named = [], set()
    for index, part in enumerate(parts):
        if index % 2 == 0:
            pieces.append(re.escape(part.replace("%%", "%")))
        elif part in named:
            pieces.append(f"(?P={part})")
        else:
            named.add(part)
            pieces.append(f"(?P<{part}>.+?)")
    literal_length = sum(len(part) for part in parts[::2])
    return MessageTemplate(msgid, re.compile("".join(pieces), re.DOTALL), literal_length)


_templates_by_catalogue: weakref.WeakKeyDictionary[Any, list[MessageTemplate]] = (
    weakref.WeakKeyDictionary()
)


def _templates(translations: Any) -> list[MessageTemplate]:
    """The catalogue's error templates, most specific first (built once per loaded catalogue)."""
    cached = _templates_by_catalogue.get(translations)
    if cached is not None:
        return cached
    prefix = ERROR_CONTEXT + _CONTEXT_SEPARATOR
    # gettext keeps the merged catalogue in `_catalog`; it has no public way to list messages.
    keys = getattr(translations, "_catalog", {})
    found = [
        template
        for key in keys
        if isinstance(key, str) and key.startswith(prefix)
        for template in [message_template(key[len(prefix) :])]
        if template is not None
    ]
    found.sort(key=lambda template: -template.literal_length)
    _templates_by_catalogue[translations] = found
    return found


def translate_error(message: str) -> str:
    """`message` in the request's language (Chinese by default); English where none is known."""
    exact = str(pgettext(ERROR_CONTEXT, message))
    if exact != message:
        return exact
    for template in _templates(get_translations()):
        match = template.pattern.fullmatch(message)
        if match is None:
            continue
        translated = str(pgettext(ERROR_CONTEXT, template.msgid))
        if translated == template.msgid:  # listed but not translated: a vaguer one may be
            continue
        values = {name: pgettext(VALUE_CONTEXT, value) for name, value in match.groupdict().items()}
        try:
            return translated % values
        except (KeyError, ValueError, TypeError):  # a broken translation must not break errors
            return message
    return message


def translate_refusal(refusal: dict[str, str] | None) -> dict[str, str] | None:
    """A refusal carried in an answer (`{"code", "message"}`, as a preview says what issuing
    would refuse) with its message in the request's language; None stays None."""
    if refusal is None:
        return None
    return {"code": refusal["code"], "message": translate_error(refusal["message"])}
