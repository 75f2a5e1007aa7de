"""Payment references: the check digit (every single-digit slip and nearly every neighbour swap is caught), the shapes
that are checked and the ones accepted as they are, and the next reference (never the same one twice)."""

import random
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tenancies.references import (
    PaymentReferenceField,
    is_our_shape,
    luhn_check_digit,
    luhn_valid,
    payment_reference_check,
    payment_reference_for,
    payment_reference_next,
    payment_reference_normalise,
    payment_reference_problem,
)

DIGITS = "0123456789"


def _bases(count: int = 300) -> list[str]:
    rng = random.Random(14)
    bases = ["0000000", "9999999", "1234567", "0909090", "9090909"]
    bases += ["".join(rng.choice(DIGITS) for _ in range(7)) for _ in range(count)]
    return bases


def test_known_luhn_check_digits():
    # The textbook example: 7992739871 has check digit 3; and our first references worked out by hand.
    assert luhn_check_digit("7992739871") == "3"
    assert luhn_check_digit("0000001") == "8"  # 1 doubled = 2; 2 + 8 = 10
    assert luhn_check_digit("0000005") == "9"  # 5 doubled = 10 → 1; 1 + 9 = 10
    assert luhn_check_digit("1234567") == "4"  # 7→14→5, 6, 5→10→1, 4, 3→6, 2, 1→2: 26, so 4
    assert payment_reference_for(1, prefix="RW") == "RW00000018"
    assert payment_reference_for(1234567, prefix="RW") == "RW12345674"


def test_every_generated_reference_passes_and_has_the_shape():
    for serial in [1, 2, 9, 10, 99, 1000, 1234567, 9999999, *range(100, 5000, 7)]:
        reference = payment_reference_for(serial, prefix="RW")
        assert len(reference) == 10 and is_our_shape(reference, prefix="RW")
        assert luhn_valid(reference[2:])
        assert payment_reference_problem(reference, prefix="RW") is None


def test_every_single_digit_slip_is_caught_in_every_position():
    """Exhaustive over the positions (8) and every wrong digit (9 each) for each base: Luhn maps each position's digit
    one-to-one onto a contribution mod 10, so no slip leaves the sum a multiple of 10."""
    for base in _bases():
        good = base + luhn_check_digit(base)
        for position in range(8):
            for digit in DIGITS:
                if digit == good[position]:
                    continue
                slipped = good[:position] + digit + good[position + 1 :]
                assert not luhn_valid(slipped), (good, slipped)


def test_every_neighbour_swap_is_caught_except_09_and_90():
    missed = set()
    for base in _bases():
        good = base + luhn_check_digit(base)
        for position in range(7):
            a, b = good[position], good[position + 1]
            if a == b:
                continue
            swapped = good[:position] + b + a + good[position + 2 :]
            if luhn_valid(swapped):
                missed.add("".join(sorted(a + b)))
    assert missed == {"09"}


def test_the_plain_message_for_a_wrong_check_digit():
    with pytest.raises(ValidationError) as error:
        payment_reference_check("RW12345670")
    assert error.value.messages == [
        "RW12345670 is not a valid payment reference: its last digit (the check digit) does not match. Check the "
        "reference on the tenant's rent card or letter."
    ]
    assert error.value.code == "check_digit"
    payment_reference_check("RW12345674")  # the right one


@pytest.mark.parametrize(
    "reference",
    ["RW000001", "RW1234567", "RW123456789", "HB-004512", "12345670", "XX12345670", "RW1234567A", "", "rw12345670"],
)
def test_other_shapes_are_accepted_as_they_are(reference):
    # A landlord's own references, the demo's, a different prefix: not ours, so not checked. Lower case is tidied by
    # the form field before the check, not by the check itself.
    payment_reference_check(reference)


def test_the_prefix_comes_from_settings(settings):
    settings.PAYMENT_REFERENCE_PREFIX = "hx"
    assert payment_reference_for(1) == "HX00000018"
    with pytest.raises(ValidationError, match="HX00000017 is not a valid payment reference"):
        payment_reference_check("HX00000017")
    payment_reference_check("RW00000017")  # another landlord's shape now


def test_typed_references_are_tidied():
    assert payment_reference_normalise("  rw 0000 0018 ", prefix="RW") == "RW00000018"
    assert payment_reference_normalise(" hb 0045 ", prefix="RW") == "HB 0045"  # not ours: inner spaces kept
    assert payment_reference_normalise("rw000001", prefix="RW") == "RW000001"


def test_the_shared_form_field_tidies_and_refuses():
    field = PaymentReferenceField()
    assert field.clean(" rw0000 0018") == "RW00000018"
    assert field.clean("rw000001") == "RW000001"
    with pytest.raises(ValidationError, match="RW00000017 is not a valid payment reference"):
        field.clean("rw00000017")
    assert PaymentReferenceField(required=False).clean("") == ""


def test_a_serial_outside_seven_digits_is_refused():
    for serial in (0, 10_000_000):
        with pytest.raises(ValueError):
            payment_reference_for(serial, prefix="RW")


# ---- the next reference (database) ---------------------------------------------------------------------------------


def _sequence_drop():
    """Each test starts without the sequence, as a new installation does (it is made on first use)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SEQUENCE IF EXISTS tenancies_payment_reference_seq")


@pytest.mark.django_db
def test_next_references_are_new_valid_and_skip_ones_already_held():
    from tests.factories import TenancyFactory

    if connection.vendor != "postgresql":
        pytest.skip("a number given out and not used is given again on SQLite (one more than the highest held)")
    _sequence_drop()
    TenancyFactory(payment_reference="RW00000042")  # a loaded tenancy already holds serial 4
    first = payment_reference_next()
    assert first == "RW00000059"  # after the highest held: serial 5, check digit 9
    second = payment_reference_next()
    assert second != first and payment_reference_problem(second) is None
    TenancyFactory(payment_reference=payment_reference_for(int(second[2:9]) + 1))
    third = payment_reference_next()
    assert int(third[2:9]) == int(second[2:9]) + 2  # the held one skipped


@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_at_once_never_get_the_same_reference():
    if connection.vendor != "postgresql":
        pytest.skip("the sequence is PostgreSQL's; SQLite serialises writers anyway")
    from django.db import connections

    _sequence_drop()
    found: list[str] = []
    errors: list[BaseException] = []

    def take():
        try:
            for _ in range(20):
                found.append(payment_reference_next())
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(found) == 80 and len(set(found)) == 80
    assert all(payment_reference_problem(reference) is None for reference in found)
