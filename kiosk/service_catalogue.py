"""The services a kiosk offers, by department, with the pinyin initials its search matches."""

from __future__ import annotations

from typing import Any

from pypinyin import Style, lazy_pinyin
from sqlalchemy.orm import Session

from hall_server.operations.hall_reads import list_services


def pinyin_initials(text: str) -> str:
    """住房公积金提取 -> zfgjjtq: the letters a visitor types on the kiosk's letter pad.

    Latin letters and digits in the name are kept as they are (ETC办理 -> etcbl); punctuation
    is dropped, so brackets in a catalogue name never break a search.
    """
    letters = []
    for part in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default"):
        letters.append("".join(c for c in part.lower() if c.isascii() and c.isalnum()))
    return "".join(letters)


def kiosk_catalogue(session: Session, hall_id: int) -> list[dict[str, Any]]:
    """The hall's active services grouped by department, in catalogue order.

    Catalogue rows imported without initials get them generated here, so `gjj` finds every
    公积金 service whatever the import carried; departments get initials too, so typing a
    department's initials lists all its services.
    """
    departments: dict[int, dict[str, Any]] = {}
    for service in list_services(session, hall_id):
        if not service["active"]:
            continue
        department = service["department"]
        entry = departments.get(department["id"])
        if entry is None:
            entry = departments[department["id"]] = {
                "id": department["id"],
                "name": department["name"],
                "name_en": department["name_en"],
                "initials": [pinyin_initials(department["name"])],
                "services": [],
            }
        stored = (service["pinyin_initials"] or "").strip().lower()
        generated = pinyin_initials(service["name"])
        entry["services"].append(
            {
                "id": service["id"],
                "name": service["name"],
                "name_en": service["name_en"],
                "prefix": service["prefix"],
                # A hand-kept abbreviation may differ from the name's; either one finds it.
                "initials": [stored, generated] if stored and stored != generated else [generated],
                "department_id": department["id"],
            }
        )
    return list(departments.values())
