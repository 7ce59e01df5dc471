import base64

import pytest

from bot.telegram.links import (
    MAX_CUSTOMER_ID_BYTES,
    CustomerIdTooLong,
    deep_link,
    make_link_token,
    read_link_token,
)

SECRET = "s3cret-link-key"
START_PARAMETER = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def test_a_token_reads_back_to_its_customer_and_fits_the_start_parameter() -> None:
    for customer in ("alice", "C-1", "клиент-7", "x" * MAX_CUSTOMER_ID_BYTES):
        token = make_link_token(SECRET, customer)
        assert len(token) <= 64
        assert set(token) <= START_PARAMETER
        assert read_link_token(SECRET, token) == customer


def test_a_customer_id_too_long_for_a_deep_link_is_a_clear_error() -> None:
    with pytest.raises(CustomerIdTooLong, match=r"37 bytes long.*at most 36 bytes"):
        make_link_token(SECRET, "x" * (MAX_CUSTOMER_ID_BYTES + 1))


def test_an_altered_token_is_refused() -> None:
    token = make_link_token(SECRET, "alice")
    for position in range(len(token)):
        flipped = "A" if token[position] != "A" else "B"
        assert read_link_token(SECRET, token[:position] + flipped + token[position + 1 :]) is None


def test_a_token_for_another_customer_cannot_be_forged_without_the_secret() -> None:
    genuine = base64.urlsafe_b64decode(make_link_token(SECRET, "alice") + "==")
    forged = base64.urlsafe_b64encode(genuine[:12] + b"boris").rstrip(b"=").decode()
    assert read_link_token(SECRET, forged) is None
    assert read_link_token("another-secret", make_link_token(SECRET, "alice")) is None


@pytest.mark.parametrize("junk", ["", "abc", "!!!!", "a" * 65, "=" * 8, "YWxpY2U"])
def test_malformed_tokens_are_refused(junk: str) -> None:
    assert read_link_token(SECRET, junk) is None


def test_deep_link_names_the_bot() -> None:
    assert deep_link("acme_bot", "TOKEN") == "https://t.me/acme_bot?start=TOKEN"
