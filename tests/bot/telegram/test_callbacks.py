from bot.telegram.callbacks import AnswerData, SkipData
from surveys.refs import option_ref, question_ref, resolve_option


def test_short_keys_and_values_travel_as_they_are() -> None:
    data = AnswerData(i=81, q="csat", v="2").pack()
    assert data == "a:81:csat:2"
    assert AnswerData.unpack(data) == AnswerData(i=81, q="csat", v="2")


def test_every_payload_fits_64_bytes_even_with_long_keys_and_values() -> None:
    key = "how_likely_are_you_to_recommend_our_onboarding_service_to_a_friend"
    value = "значительно лучше, чем ожидалось: спасибо"
    question = question_ref(key)
    option = option_ref(value, 3)
    packed = AnswerData(i=2_147_483_647, q=question, v=option).pack()
    assert len(packed.encode()) <= 64
    assert SkipData(i=2_147_483_647, q=question).pack()
    assert question == question_ref(key)
    assert question != question_ref(key + "_2")
    assert resolve_option(option, ["a", "b", "c", value]) == value


def test_an_option_the_question_does_not_have_resolves_to_nothing() -> None:
    assert resolve_option("#7", ["1", "2"]) is None
    assert resolve_option("#x", ["1", "2"]) is None
    assert resolve_option("9", ["1", "2"]) is None
    assert resolve_option("2", ["1", "2"]) == "2"


def test_a_key_with_the_separator_is_hashed() -> None:
    assert question_ref("a:b").startswith("~")
    assert option_ref("a:b", 0) == "#0"
