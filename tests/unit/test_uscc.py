from hypothesis import given
from hypothesis import strategies as st

from anbiao.core.uscc import CHARSET, check_digit, check_uscc, org_code_valid

SYNTHETIC = ["91350102MA00000152", "92350203MA0000023D", "93350500MA00000319"]


def test_synthetic_vectors_from_domain_notes_pass():
    for code in SYNTHETIC:
        assert check_uscc(code) == check_uscc(code).__class__()


def test_weights_are_powers_of_three_mod_31():
    # domain.md §8.1 lists the weights explicitly; the implementation derives them.
    listed = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    code = "91350102MA0000015"
    total = sum(CHARSET.index(c) * w for c, w in zip(code, listed, strict=True))
    assert check_digit(code) == CHARSET[(31 - total % 31) % 31]


def test_wrong_check_digit_is_a_warning_not_an_error():
    result = check_uscc("91350102MA00000153")
    assert result.error is None
    assert result.warning is not None and result.warning.params == {"expected": "2"}
    assert "check digit" in str(result.warning)


def test_structure_errors_say_what_is_expected():
    assert "18" in check_uscc("9135010").error
    assert "I" in check_uscc("91350102MA0000015I").error
    assert "region code" in check_uscc("91AB0102MA00000152").error


def test_org_code_check():
    # GB 11714 example: weights 3,7,9,10,5,8,4,2 over D2143569 give check digit X? computed:
    body = "D2143569"
    total = sum(int(c, 36) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    value = 11 - total % 11
    check = "X" if value == 10 else "0" if value == 11 else str(value)
    assert org_code_valid(body + check)
    assert not org_code_valid(body + ("1" if check != "1" else "2"))


@given(st.text(alphabet=CHARSET, min_size=15, max_size=15), st.sampled_from("123456789"))
def test_any_code_with_its_computed_check_digit_is_clean(tail, first):
    body = (first + "1" + "350102" + tail)[:17]
    body = body[:2] + "350102" + body[8:]
    code = body + check_digit(body)
    assert check_uscc(code).error is None and check_uscc(code).warning is None
    other = next(c for c in CHARSET if c != code[17])
    assert check_uscc(code[:17] + other).warning is not None
