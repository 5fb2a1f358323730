"""Mainland resident ID numbers (GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check
character (a digit or X), so a mistyped or misread number is caught before it is looked up."""

from __future__ import annotations

import enum
import re
from datetime import date

from hall_server.core.refusals import Refused

# Weight of each of the first 17 characters: 2^(18 - position) mod 11 (ISO 7064 MOD 11-2).
WEIGHTS = tuple(pow(2, 17 - index, 11) for index in range(17))
CHECK_CHARACTERS = "10X98765432"  # indexed by the weighted sum mod 11
SHAPE = re.compile(r"^[0-9]{17}[0-9X]\Z")


class IdNumberProblem(enum.StrEnum):
    SHAPE = "shape"  # not 17 digits and a digit or X
    BIRTH_DATE = "birth_date"  # positions 7-14 are no calendar date
    CHECK_DIGIT = "check_digit"  # the last character does not match the first 17


def check_character(first_17_digits: str) -> str:
    """The check character GB 11643-1999 gives the first 17 digits."""
    if len(first_17_digits) != 17 or not first_17_digits.isascii() or not first_17_digits.isdigit():
        raise ValueError("give the first 17 digits of an ID number")
    total = sum(int(digit) * weight for digit, weight in zip(first_17_digits, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def id_number_problem(id_number: str) -> IdNumberProblem | None:
    """What is wrong with an ID number as typed or read (spaces ignored, x as X); None if
    nothing is."""
    normalized = normalized_id_number(id_number)
    if not SHAPE.match(normalized):
        return IdNumberProblem.SHAPE
    try:
        date(int(normalized[6:10]), int(normalized[10:12]), int(normalized[12:14]))
    except ValueError:
        return IdNumberProblem.BIRTH_DATE
    if check_character(normalized[:17]) != normalized[17]:
        return IdNumberProblem.CHECK_DIGIT
    return None


def normalized_id_number(id_number: str) -> str:
    return "".join(id_number.split()).upper()


def require_valid_id_number(id_number: str, field: str = "id_number") -> str:
    """The ID number, normalized; refused (`invalid_id_number`) with what to do otherwise."""
    problem = id_number_problem(id_number)
    if problem == IdNumberProblem.SHAPE:
        raise Refused(
            "invalid_id_number",
            "an ID number has 18 characters: 17 digits, then a digit or X",
            field=field,
        )
    if problem == IdNumberProblem.BIRTH_DATE:
        raise Refused(
            "invalid_id_number",
            "the date of birth in this ID number is not a real date; please check the number "
            "and enter it again",
            field=field,
        )
    if problem == IdNumberProblem.CHECK_DIGIT:
        raise Refused(
            "invalid_id_number",
            "the ID number's check digit does not match; please check the number and enter it "
            "again",
            field=field,
        )
    return normalized_id_number(id_number)
