"""What the engine itself says to a customer, in every language the built-in surveys speak.

Survey wording lives in the YAML definitions; these are the words around it: the yes/no
buttons, the skip button, the thank-you and why an answer was not taken.
"""

from __future__ import annotations

from typing import Final

from surveys.definitions import Texts, render

LANGUAGES: Final = ("en", "es", "de", "ru")
"""Languages every built-in survey and every message here is written in."""
LANGUAGE_NAMES: Final = {"en": "English", "es": "Español", "de": "Deutsch", "ru": "Русский"}
"""Each language's name in itself."""

MESSAGES: Final[dict[str, Texts]] = {
    "yes": {"en": "Yes", "es": "Sí", "de": "Ja", "ru": "Да"},
    "no": {"en": "No", "es": "No", "de": "Nein", "ru": "Нет"},
    "skip": {"en": "Skip", "es": "Omitir", "de": "Überspringen", "ru": "Пропустить"},
    "thank_you": {
        "en": "Thank you for your feedback! It helps us support you better.",
        "es": "¡Gracias por tu opinión! Nos ayuda a atenderte mejor.",
        "de": "Vielen Dank für Ihr Feedback! Es hilft uns, Sie besser zu unterstützen.",
        "ru": "Спасибо за ваш отзыв! Он помогает нам поддерживать вас лучше.",
    },
    "not_current_question": {
        "en": "That question is no longer open. Please answer the latest one.",
        "es": "Esa pregunta ya no está abierta. Responde, por favor, la más reciente.",
        "de": "Diese Frage ist nicht mehr offen. Bitte beantworten Sie die aktuelle.",
        "ru": "Этот вопрос уже неактуален. Пожалуйста, ответьте на последний.",
    },
    "already_answered": {
        "en": "You have already answered this question. Thank you!",
        "es": "Ya respondiste a esta pregunta. ¡Gracias!",
        "de": "Diese Frage haben Sie bereits beantwortet. Danke!",
        "ru": "Вы уже ответили на этот вопрос. Спасибо!",
    },
    "out_of_range": {
        "en": "Please pick one of the numbers offered.",
        "es": "Elige, por favor, uno de los números propuestos.",
        "de": "Bitte wählen Sie eine der angebotenen Zahlen.",
        "ru": "Пожалуйста, выберите одно из предложенных чисел.",
    },
    "unknown_choice": {
        "en": "Please pick one of the options offered.",
        "es": "Elige, por favor, una de las opciones propuestas.",
        "de": "Bitte wählen Sie eine der angebotenen Möglichkeiten.",
        "ru": "Пожалуйста, выберите один из предложенных вариантов.",
    },
    "invalid_answer": {
        "en": "Sorry, that is not an answer to this question. Please use the buttons.",
        "es": "Lo sentimos, eso no responde a esta pregunta. Usa los botones, por favor.",
        "de": "Das passt leider nicht zu dieser Frage. Bitte nutzen Sie die Schaltflächen.",
        "ru": "Извините, это не подходит как ответ. Пожалуйста, воспользуйтесь кнопками.",
    },
    "empty_text": {
        "en": "Your message was empty. Please write a few words.",
        "es": "Tu mensaje estaba vacío. Escribe unas palabras, por favor.",
        "de": "Ihre Nachricht war leer. Bitte schreiben Sie ein paar Worte.",
        "ru": "Сообщение пустое. Напишите, пожалуйста, хотя бы несколько слов.",
    },
    "not_optional": {
        "en": "This question cannot be skipped, but it only takes a moment.",
        "es": "Esta pregunta no se puede omitir, pero solo lleva un momento.",
        "de": "Diese Frage lässt sich nicht überspringen, dauert aber nur einen Moment.",
        "ru": "Этот вопрос нельзя пропустить, но ответ займёт всего секунду.",
    },
    "closed": {
        "en": "This survey is closed. Thank you all the same!",
        "es": "Esta encuesta ya está cerrada. ¡Gracias de todos modos!",
        "de": "Diese Umfrage ist bereits geschlossen. Trotzdem vielen Dank!",
        "ru": "Этот опрос уже закрыт. Всё равно спасибо!",
    },
    "unknown_invitation": {
        "en": "We could not find this survey. It may have been removed.",
        "es": "No encontramos esta encuesta. Puede que se haya eliminado.",
        "de": "Diese Umfrage wurde nicht gefunden. Vielleicht wurde sie entfernt.",
        "ru": "Мы не нашли этот опрос. Возможно, он был удалён.",
    },
}


def say(key: str, language: str) -> str:
    """The message ``key`` in ``language`` (English when that language is missing)."""
    return render(MESSAGES[key], language)
