import pytest

from bot.phrases import phrase

BOOK = {
    "en": {"hello": "Hello, {name}!", "bye": "Goodbye"},
    "de": {"hello": "Hallo, {name}!"},
}


@pytest.mark.parametrize(
    ("language", "key", "said"),
    [
        ("de", "hello", "Hallo, Ann!"),
        ("de", "bye", "Goodbye"),
        ("pt", "hello", "Hello, Ann!"),
        (None, "hello", "Hello, Ann!"),
    ],
)
def test_an_unknown_language_or_an_untranslated_key_falls_back_to_english(
    language: str | None, key: str, said: str
) -> None:
    assert phrase(BOOK, language, key, name="Ann") == said
