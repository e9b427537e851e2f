"""The service's gateway and the bank simulator sign the same canonical string."""

from banksim import signing as bank_signing

from payment_service.gateway import canonical_string, sign, signature_is_valid

FIELDS = {"payment_id": "p1", "amount_fen": 20000, "status": "paid", "paid_at": None, "merchant_id": "gqjy"}


def test_canonical_string_sorts_and_skips_empty():
    assert canonical_string(FIELDS) == "amount_fen=20000&merchant_id=gqjy&payment_id=p1&status=paid"


def test_simulator_signature_is_accepted():
    signed = dict(FIELDS, signature=bank_signing.sign(FIELDS, "k"))

    assert signature_is_valid(signed, "k")
    assert bank_signing.verify(FIELDS, sign(FIELDS, "k"), "k")


def test_tampered_or_wrongly_keyed_signature_is_rejected():
    signed = dict(FIELDS, signature=sign(FIELDS, "k"))

    assert not signature_is_valid(dict(signed, amount_fen=1), "k")
    assert not signature_is_valid(signed, "other-key")
    assert not signature_is_valid(dict(FIELDS), "k")
