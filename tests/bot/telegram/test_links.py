import base64

import pytest

from bot.telegram.links import deep_link, make_link_token, new_link_id, read_link_token

SECRET = "s3cret-link-key"
START_PARAMETER = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def test_a_token_reads_back_to_its_link_and_fits_the_start_parameter() -> None:
    ids = {new_link_id() for _ in range(50)}
    assert len(ids) == 50
    for link_id in ids:
        token = make_link_token(SECRET, link_id)
        assert len(token) <= 64
        assert set(token) <= START_PARAMETER
        assert read_link_token(SECRET, token) == link_id


def test_only_ids_from_new_link_id_make_tokens() -> None:
    for bad in ("", "alice", "x" * 22, new_link_id() + "A"):
        with pytest.raises(ValueError, match="not a link id"):
            make_link_token(SECRET, bad)


def test_an_altered_token_is_refused() -> None:
    token = make_link_token(SECRET, new_link_id())
    for position in range(len(token)):
        flipped = "A" if token[position] != "A" else "B"
        assert read_link_token(SECRET, token[:position] + flipped + token[position + 1 :]) is None


def test_a_token_for_another_link_cannot_be_forged_without_the_secret() -> None:
    genuine = base64.urlsafe_b64decode(make_link_token(SECRET, new_link_id()) + "==")
    other = base64.urlsafe_b64decode(new_link_id() + "==")
    forged = base64.urlsafe_b64encode(other + genuine[16:]).rstrip(b"=").decode()
    assert read_link_token(SECRET, forged) is None
    assert read_link_token("another-secret", make_link_token(SECRET, new_link_id())) is None


@pytest.mark.parametrize("junk", ["", "abc", "!!!!", "a" * 65, "=" * 8, "YWxpY2U", "A" * 38])
def test_malformed_tokens_are_refused(junk: str) -> None:
    assert read_link_token(SECRET, junk) is None


def test_deep_link_names_the_bot() -> None:
    assert deep_link("acme_bot", "TOKEN") == "https://t.me/acme_bot?start=TOKEN"
