"""Every error message a person can read comes in Chinese by default and in English on request,
with the same code and field, and none is left without a translation.

The first tests read the source: every message given to `Refused` (and the exceptions whose
messages the operations pass on), every validation message of the API's schemas and the HTTP
errors' descriptions must have an entry in hall_server's Chinese catalogue, and translating a
sample of each through the app must give Chinese with the message's values kept. A new message
without a translation fails here, listing the entries to add. The others go through the API.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from marshmallow import Schema, fields
from werkzeug.exceptions import default_exceptions

import hall_server.api
from hall_server.api.error_translation import ERROR_CONTEXT, translate_error
from hall_server.api.errors import CODE_BY_HTTP_STATUS
from tests.conftest import login_headers
from tests.factories import build_hall

ROOT = Path(__file__).resolve().parents[2]
ZH_CATALOGUE = ROOT / "hall_server" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
EN_CATALOGUE = ROOT / "hall_server" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
SERVED_PACKAGES = ["hall_server", "kiosk", "display", "counter_client"]
PLACEHOLDER = re.compile(r"%\(\w+\)s")
CHINESE = re.compile(r"[\u4e00-\u9fff]")

# Refusals whose message is not written at the call but passed on from another exception; the
# messages of those exceptions are collected from the modules that raise them.
PASSED_ON = {
    ("hall_server/operations/calling_settings.py", "str(error)"),
    ("hall_server/operations/administration.py", "str(error)"),
    ("hall_server/operations/administration.py", "error.message"),
}
PASSED_ON_SOURCES = {
    "hall_server/core/opening_hours.py": "ValueError",
    "hall_server/core/due_time_policy.py": "ValueError",
    "hall_server/core/calling_policy.py": "ValueError",
    "hall_server/operations/catalogue_import.py": "UsageError",
}


@dataclass(frozen=True)
class Message:
    """A message as written in the source: its fixed text around the values, and a sample."""

    where: str
    skeleton: tuple[str, ...]  # the literal text between the values
    sample: str  # the message with each value replaced by a marker like «3»
    markers: tuple[str, ...]


_marker_numbers = count(1)


def _marker() -> str:
    return f"«{next(_marker_numbers)}»"


def message_from_node(node: ast.expr, where: str) -> Message | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return Message(where, (node.value,), node.value, ())
    if not isinstance(node, ast.JoinedStr):
        return None
    skeleton, sample, markers, literal = [], [], [], ""
    for part in node.values:
        if isinstance(part, ast.Constant):
            literal += str(part.value)
            sample.append(str(part.value))
            continue
        assert isinstance(part, ast.FormattedValue)
        marker = _marker()
        markers.append(marker)
        skeleton.append(literal)
        literal = ""
        sample.append(repr(marker) if part.conversion == ord("r") else marker)
    skeleton.append(literal)
    return Message(where, tuple(skeleton), "".join(sample), tuple(markers))


def message_from_format(text: str, where: str) -> Message:
    """A message with str.format placeholders ("Longer than maximum length {max}.")."""
    parts = re.split(r"\{\w+\}", text)
    markers = tuple(_marker() for _ in parts[1:])
    sample = parts[0] + "".join(m + p for m, p in zip(markers, parts[1:], strict=True))
    return Message(where, tuple(parts), sample, markers)


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def source_messages() -> tuple[list[Message], list[str]]:
    """Every refusal message in the served packages; and the refusals the test cannot read."""
    found: list[Message] = []
    unreadable: list[str] = []
    for package in SERVED_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for call in ast.walk(tree):
                if not isinstance(call, ast.Call):
                    continue
                name = _called_name(call)
                where = f"{relative}:{call.lineno}"
                if name in ("Refused", "_refused", "_connection_refused") and len(call.args) >= 2:
                    node = call.args[1]  # (code, message)
                elif (
                    name == "translate_error"
                    and call.args
                    and isinstance(call.args[0], ast.Constant | ast.JoinedStr)
                ):
                    node = call.args[0]  # the Socket.IO handlers' refusals
                elif relative in PASSED_ON_SOURCES and name == PASSED_ON_SOURCES[relative]:
                    node = call.args[0]
                else:
                    continue
                message = message_from_node(node, where)
                if message is not None:
                    found.append(message)
                elif (relative, ast.unparse(node)) not in PASSED_ON:
                    unreadable.append(f"{where}: {ast.unparse(node)}")
    return found, unreadable


def _api_schemas() -> Iterator[type[Schema]]:
    for module_info in pkgutil.iter_modules(hall_server.api.__path__):
        module = importlib.import_module(f"hall_server.api.{module_info.name}")
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Schema) and value.__module__.startswith("hall_server.api"):
                yield value


def _fields_within(field: Any) -> Iterator[Any]:
    yield field
    if isinstance(field, fields.List):
        yield from _fields_within(field.inner)
    if isinstance(field, fields.Dict):
        for inner in (field.key_field, field.value_field):
            if inner is not None:
                yield from _fields_within(inner)


def validation_messages() -> list[Message]:
    """What marshmallow can answer for the fields and validators the API's schemas use."""
    texts: dict[str, str] = {}
    for schema_class in set(_api_schemas()):
        schema = schema_class()
        texts.update({text: schema_class.__name__ for text in schema.error_messages.values()})
        for declared in schema.fields.values():
            for field in _fields_within(declared):
                where = f"{schema_class.__name__} {type(field).__name__}"
                texts.update({text: where for text in field.error_messages.values()})
                for validator in field.validators:
                    for attribute in (
                        "error",
                        "message_min",
                        "message_max",
                        "message_all",
                        "message_equal",
                    ):
                        text = getattr(validator, attribute, None)
                        if isinstance(text, str):
                            texts[text] = f"{where} {type(validator).__name__}"
    return [message_from_format(text, where) for text, where in sorted(texts.items())]


def http_messages() -> list[Message]:
    return [
        message_from_format(str(default_exceptions[status].description), f"HTTP {status}")
        for status in CODE_BY_HTTP_STATUS
        if status in default_exceptions and status not in (422, 429)  # both have their own text
    ]


def catalogue(path: Path) -> dict[str, str]:
    with path.open("rb") as po_file:
        read = read_po(po_file)
    return {
        str(entry.id): str(entry.string)
        for entry in read
        if entry.id and entry.context == ERROR_CONTEXT
    }


def skeleton_of(msgid: str) -> tuple[str, ...]:
    return tuple(part.replace("%%", "%") for part in PLACEHOLDER.split(msgid))


def missing_translations(messages: list[Message]) -> list[str]:
    """The messages with no Chinese entry, as entries to paste into the catalogue."""
    translated = {skeleton_of(msgid): text for msgid, text in catalogue(ZH_CATALOGUE).items()}
    missing = []
    for message in messages:
        if not translated.get(message.skeleton):
            literals = [part.replace("%", "%%") for part in message.skeleton]
            msgid = literals[0] + "".join(
                f"%(value_{number})s{literal}" for number, literal in enumerate(literals[1:], 1)
            )
            missing.append(f'# {message.where}\nmsgctxt "error"\nmsgid "{msgid}"\nmsgstr ""')
    return sorted(set(missing))


def untranslated_samples(app: Any, messages: list[Message]) -> list[str]:
    """Samples that the running app does not turn into Chinese with their values kept."""
    wrong = []
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}):
        for message in messages:
            answer = translate_error(message.sample)
            kept = all(marker in answer for marker in message.markers)
            if not CHINESE.search(answer) or not kept or "%(" in answer:
                wrong.append(f"{message.where}: {message.sample!r} -> {answer!r}")
    return wrong


def test_the_source_holds_many_refusal_messages_and_each_is_readable() -> None:
    messages, unreadable = source_messages()

    # Written as text or an f-string at the call, so that this test can find them.
    assert unreadable == []
    assert len(messages) > 150
    assert any("%" not in m.sample and m.markers for m in messages)  # f-strings were seen


def test_every_refusal_message_has_a_chinese_translation(app: Any) -> None:
    messages, _ = source_messages()

    missing = missing_translations(messages)
    assert not missing, "add to hall_server/translations/*/messages.po:\n\n" + "\n\n".join(missing)
    assert untranslated_samples(app, messages) == []


def test_every_validation_and_http_message_has_a_chinese_translation(app: Any) -> None:
    messages = validation_messages() + http_messages()
    assert {"Missing data for required field.", "Not a valid integer.", "Unknown field."} <= {
        message.sample for message in messages
    }

    missing = missing_translations(messages)
    assert not missing, "add to hall_server/translations/*/messages.po:\n\n" + "\n\n".join(missing)
    assert untranslated_samples(app, messages) == []


def test_the_english_catalogue_lists_the_same_messages_as_the_chinese_one() -> None:
    assert set(catalogue(EN_CATALOGUE)) == set(catalogue(ZH_CATALOGUE))


def test_a_message_with_no_translation_stays_english(app: Any) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "zh"}):
        assert translate_error("a message nobody translated") == "a message nobody translated"


# ----- through the API -----


@pytest.fixture
def clerk(client: Any, hall: Any) -> dict[str, str]:
    return login_headers(client, hall.clerk_numbers[1])


def _finish_before_start(client: Any, hall: Any, clerk: dict[str, str], **request: Any) -> Any:
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    issued = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": hall.services["housing"]},
        headers=kiosk,
    )
    assert issued.status_code == 201, issued.get_json()
    window = hall.windows[1]
    called = client.post(f"/api/v1/windows/{window}/call-next", headers=clerk)
    assert called.status_code == 200, called.get_json()
    headers = {**clerk, **request.pop("headers", {})}
    return client.post(
        f"/api/v1/windows/{window}/tickets/{called.get_json()['id']}/finish",
        json={"outcome": "completed"},
        headers=headers,
        **request,
    )


def test_a_refusal_is_chinese_by_default_with_its_values_and_the_same_code(
    client: Any, hall: Any, clerk: dict[str, str]
) -> None:
    response = _finish_before_start(client, hall, clerk)

    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "invalid_transition"
    assert error["message"] == "无法对已呼叫的号执行“办结”；号的状态必须是办理中"


@pytest.mark.parametrize("way", ["accept-language", "lang-parameter", "cookie"])
def test_a_refusal_is_english_when_the_reader_asks_for_it(
    client: Any, hall: Any, clerk: dict[str, str], way: str
) -> None:
    request: dict[str, Any] = {"headers": {"Accept-Language": "zh-CN"}}
    if way == "accept-language":
        request = {"headers": {"Accept-Language": "en-US,en;q=0.9"}}
    elif way == "lang-parameter":
        request["query_string"] = {"lang": "en"}
    else:  # what the counter and manager pages set when the clerk picks English
        client.set_cookie("hallq_lang", "en")

    response = _finish_before_start(client, hall, clerk, **request)

    assert response.status_code == 409
    assert response.get_json()["error"] == {
        "code": "invalid_transition",
        "message": "cannot finish a ticket that is called; it must be serving",
    }


def test_a_refusal_with_a_field_keeps_the_field(
    app: Any, client: Any, hall: Any, clock: Any
) -> None:
    other_hall = build_hall(app.extensions["hallq_db"], clock(), code="other-hall")
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    response = client.post(
        f"/api/v1/halls/{hall.id}/tickets",
        json={"service_id": other_hall.services["housing"]},
        headers=kiosk,
    )

    assert response.status_code == 404
    assert response.get_json()["error"] == {
        "code": "not_found",
        "field": "service_id",
        "message": "本大厅不办理此事项",
    }


@pytest.mark.parametrize(
    ("body", "field", "chinese", "english"),
    [
        ({}, "service_id", "缺少必填字段。", "Missing data for required field."),
        ({"service_id": "one"}, "service_id", "不是有效的整数。", "Not a valid integer."),
        (
            {"service_id": 1, "holder_name": "张" * 41},
            "holder_name",
            "长度必须在 1 到 40 之间。",
            "Length must be between 1 and 40.",
        ),
        (
            {"service_id": 1, "visitor_class": "vip"},
            "visitor_class",
            "必须是以下之一：walk_in, appointment, pre_reviewed, priority。",
            "Must be one of: walk_in, appointment, pre_reviewed, priority.",
        ),
        ({"service_id": 1, "colour": "red"}, "colour", "未知字段。", "Unknown field."),
    ],
    ids=["missing", "wrong-type", "too-long", "not-one-of", "unknown-field"],
)
def test_validation_messages_are_chinese_by_default_and_english_on_request(
    client: Any, hall: Any, body: dict[str, Any], field: str, chinese: str, english: str
) -> None:
    kiosk = {"Authorization": f"Bearer {hall.kiosk_token}"}
    path = f"/api/v1/halls/{hall.id}/tickets"

    in_chinese = client.post(path, json=body, headers=kiosk).get_json()["error"]
    in_english = client.post(
        path, json=body, headers={**kiosk, "Accept-Language": "en"}
    ).get_json()["error"]

    assert (in_chinese["field"], in_chinese["message"]) == (field, chinese)
    assert (in_english["field"], in_english["message"]) == (field, english)
    assert in_chinese["code"] == in_english["code"]


def test_an_unknown_address_answers_in_chinese(client: Any) -> None:
    error = client.get("/api/v1/no-such-thing").get_json()["error"]

    assert error["code"] == "not_found"
    assert error["message"].startswith("服务器上没有所请求的地址")


def test_a_refusal_for_want_of_a_role_names_the_roles_in_words(client, hall):
    """Not the role codes ("admin"): the people the hall knows by those names."""
    clerk = login_headers(client, hall.clerk_numbers[1])
    refused = client.post(
        f"/api/v1/halls/{hall.id}/users",
        json={"staff_number": "C9009", "name": "王芳", "role": "clerk"},
        headers=clerk,
    )
    assert refused.status_code == 403
    assert refused.get_json()["error"]["message"] == "此操作需要以下角色之一：系统管理员"
    board = client.post(
        f"/api/v1/windows/{hall.windows[1]}/state",
        json={"change": "pause"},
        headers={"Authorization": f"Bearer {hall.board_token}"},
    )
    assert board.status_code == 403
    assert "admin" not in board.get_json()["error"]["message"]
