"""What the engine itself says to a customer, in every language the built-in surveys speak.

Survey wording lives in the YAML definitions; these are the words around it: the yes/no
buttons, the skip button, the thank-you, what an answered question shows, the reminder and why
an answer was not taken. Every channel says them alike, so they live here, not in an adapter.
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
    "not_yours": {
        "en": "Sorry, this survey was sent to someone else, so your answer was not counted.",
        "es": (
            "Lo sentimos, esta encuesta se envió a otra persona, así que su respuesta no se contó."
        ),
        "de": (
            "Diese Umfrage wurde an jemand anderen gesendet, daher wurde Ihre Antwort "
            "nicht gezählt."
        ),
        "ru": "Извините, этот опрос отправлен другому человеку, ваш ответ не учтён.",
    },
    "no_open_question": {
        "en": "Thank you! There is no open question right now.",
        "es": "¡Gracias! Ahora no hay ninguna pregunta abierta.",
        "de": "Danke! Gerade ist keine Frage offen.",
        "ru": "Спасибо! Сейчас нет открытых вопросов.",
    },
    "use_buttons": {
        "en": "Please answer with the buttons under the question above.",
        "es": "Responda con los botones debajo de la pregunta, por favor.",
        "de": "Bitte antworten Sie mit den Schaltflächen unter der Frage.",
        "ru": "Пожалуйста, ответьте кнопками под вопросом выше.",
    },
    "text_only": {
        "en": "Please answer with a text message.",
        "es": "Responda con un mensaje de texto, por favor.",
        "de": "Bitte antworten Sie mit einer Textnachricht.",
        "ru": "Пожалуйста, ответьте текстовым сообщением.",
    },
    "counted": {
        "en": "Thank you, your answer is recorded.",
        "es": "Gracias, su respuesta está registrada.",
        "de": "Danke, Ihre Antwort ist gespeichert.",
        "ru": "Спасибо, ваш ответ записан.",
    },
    "your_answer": {
        "en": "Your answer: {answer}",
        "es": "Su respuesta: {answer}",
        "de": "Ihre Antwort: {answer}",
        "ru": "Ваш ответ: {answer}",
    },
    "your_comment": {
        "en": "Thank you for your comment.",
        "es": "Gracias por su comentario.",
        "de": "Danke für Ihren Kommentar.",
        "ru": "Спасибо за комментарий.",
    },
    "skipped": {
        "en": "Skipped.",
        "es": "Omitida.",
        "de": "Übersprungen.",
        "ru": "Пропущено.",
    },
    "reminder": {
        "en": "A gentle reminder: we would love to hear how it went.",
        "es": "Un pequeño recordatorio: nos encantaría saber cómo le fue.",
        "de": "Eine kleine Erinnerung: Wir würden gern wissen, wie es lief.",
        "ru": "Небольшое напоминание: нам очень важно ваше мнение.",
    },
}


def say(key: str, language: str, **values: object) -> str:
    """The message ``key`` in ``language`` (English when that language is missing), with
    ``values`` filled in."""
    text = render(MESSAGES[key], language)
    return text.format(**values) if values else text
