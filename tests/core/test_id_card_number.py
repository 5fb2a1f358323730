"""Mainland ID numbers are checked by GB 11643-1999's check character before anything is
looked up: a misread or mistyped number is refused with what to do, not taken as a stranger."""

from __future__ import annotations

import pytest

from hall_server.core.id_card_number import (
    IdNumberProblem,
    check_character,
    id_number_problem,
    require_valid_id_number,
)
from hall_server.core.refusals import Refused

# The two worked examples printed in GB 11643-1999 itself.
STANDARD_EXAMPLES = ["11010519491231002X", "440524188001010014"]


def test_the_check_character_is_the_weighted_sum_mod_11_written_out():
    # 1·7 + 1·9 + 0·10 + 1·5 + 0·8 + 5·4 + 1·2 + 9·1 + 4·6 + 9·3 + 1·7 + 2·9 + 3·10 + 1·5
    # + 0·8 + 0·4 + 2·2 = 167; 167 mod 11 = 2, and the standard writes 2 as X.
    assert check_character("11010519491231002") == "X"
    assert [check_character(n[:17]) for n in STANDARD_EXAMPLES] == ["X", "4"]


@pytest.mark.parametrize(
    "number", [*STANDARD_EXAMPLES, "11010519491231002x", " 1101 0519 4912 3100 2X "]
)
def test_a_valid_number_has_no_problem_and_comes_back_normalized(number):
    assert id_number_problem(number) is None
    assert require_valid_id_number(number) == "".join(number.split()).upper()


def test_the_number_from_the_trial_has_a_wrong_check_digit():
    assert id_number_problem("110105194912310021") == IdNumberProblem.CHECK_DIGIT
    with pytest.raises(Refused) as refused:
        require_valid_id_number("110105194912310021")
    assert refused.value.code == "invalid_id_number"
    assert refused.value.field == "id_number"
    assert "check digit" in refused.value.message


@pytest.mark.parametrize("number", STANDARD_EXAMPLES)
def test_every_single_mistyped_character_is_caught(number):
    for position in range(18):
        for replacement in "0123456789X":
            if replacement == number[position] or (position < 17 and replacement == "X"):
                continue
            typo = number[:position] + replacement + number[position + 1 :]
            assert id_number_problem(typo) is not None, typo


@pytest.mark.parametrize("number", STANDARD_EXAMPLES)
def test_every_swap_of_two_neighbouring_digits_is_caught(number):
    for position in range(16):
        if number[position] == number[position + 1]:
            continue
        swapped = (
            number[:position] + number[position + 1] + number[position] + number[position + 2 :]
        )
        assert id_number_problem(swapped) is not None, swapped


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("123", IdNumberProblem.SHAPE),
        ("11010519491231002", IdNumberProblem.SHAPE),  # 17 characters
        ("1101051949123100212", IdNumberProblem.SHAPE),  # 19
        ("1101051949123100X2", IdNumberProblem.SHAPE),  # X only last
        ("１１０１０５１９４９１２３１００２Ｘ", IdNumberProblem.SHAPE),  # full-width digits
        ("110105194913310020", IdNumberProblem.BIRTH_DATE),  # month 13
        ("110105194902300020", IdNumberProblem.BIRTH_DATE),  # 30 February
    ],
)
def test_what_is_wrong_is_named(number, problem):
    assert id_number_problem(number) == problem
    with pytest.raises(Refused) as refused:
        require_valid_id_number(number, field="id_card")
    assert (refused.value.code, refused.value.field) == ("invalid_id_number", "id_card")


def test_the_check_character_needs_seventeen_digits():
    with pytest.raises(ValueError):
        check_character("1101051949123100")
