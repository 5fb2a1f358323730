"""A hall's code: what its phone-ticket page's address and the QR posters at its door carry.

A new code is 1 to 40 ASCII letters, digits, '-' or '_', characters that need no encoding in a
URL or a QR code. A code stored before that rule (a dot, Chinese) stays valid for its hall: its
posters are printed, and editing the hall's other details must not force a new one.
"""

from __future__ import annotations

import re

from hall_server.core.refusals import Refused

# \Z, not $: a code must not end in a newline.
HALL_CODE_PATTERN = r"^[A-Za-z0-9_-]{1,40}\Z"
HALL_CODE_RULE = "a hall code is 1 to 40 letters, digits, '-' or '_'"
_HALL_CODE = re.compile(HALL_CODE_PATTERN)


def check_new_hall_code(code: str) -> None:
    """Refuse a new code that breaks the rule (a hall's stored code is never checked again)."""
    if not _HALL_CODE.match(code):
        # The text itself, not HALL_CODE_RULE: refusal messages are found in the source and
        # translated (tests/api/test_error_translations.py).
        raise Refused(
            "validation_failed", "a hall code is 1 to 40 letters, digits, '-' or '_'", "code"
        )
