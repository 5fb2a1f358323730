"""How the API reads a request body: webargs' parser, with two answers it lacks.

- A body sent as something other than JSON (a form, `text/plain`, no Content-Type at all) is
  refused with 415 and what to send, instead of being read as no body ("missing field").
- JSON nested too deeply for Python's parser (`[[[[…]]]]`) is malformed JSON (400), not a
  server error.
"""

from __future__ import annotations

import json
from typing import Any

import flask
import flask_smorest
from flask import abort
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

NOT_JSON = "send the body as JSON, with the header Content-Type: application/json"


class JsonBodyParser(FlaskParser):
    def _raw_load_json(self, req: flask.Request) -> Any:
        if not is_json_request(req):
            if req.get_data(cache=True):
                abort(415, description=NOT_JSON)
            return core.missing
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            too_deep = json.JSONDecodeError("the JSON nests too deeply", "", 0)
            self._handle_invalid_json_error(too_deep, req)


class ApiBlueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """Every API blueprint: flask-smorest's, reading bodies with JsonBodyParser."""

    ARGUMENTS_PARSER = JsonBodyParser()
