"""What the Slack app itself says to customers, per language (survey texts come from the engine).

Agents see English: the Slack workspace is the support team's own.
"""

from __future__ import annotations

from typing import Final

FALLBACK: Final = "en"

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "comment_empty": "Please write a few words.",
        "reminder": "A gentle reminder: we would love to hear from you.",
        "write_comment": "Write a comment",
        "modal_title": "Your feedback",
        "submit": "Send",
        "cancel": "Cancel",
        "comment_placeholder": "Type your answer here",
        "your_answer": "Your answer: {answer}",
        "your_comment": "Thank you for your comment.",
        "skipped": "Skipped.",
        "not_yours": "Sorry, this survey was sent to someone else, so your answer was not counted.",
        "unknown_survey": "Sorry, this survey is no longer available.",
        "error": "Sorry, something went wrong while saving your answer. Please try again.",
    },
    "es": {
        "comment_empty": "Escriba unas palabras, por favor.",
        "reminder": "Un pequeño recordatorio: nos encantaría conocer su opinión.",
        "write_comment": "Escribir un comentario",
        "modal_title": "Su opinión",
        "submit": "Enviar",
        "cancel": "Cancelar",
        "comment_placeholder": "Escriba aquí su respuesta",
        "your_answer": "Su respuesta: {answer}",
        "your_comment": "Gracias por su comentario.",
        "skipped": "Omitida.",
        "not_yours": (
            "Lo sentimos, esta encuesta se envió a otra persona, así que su respuesta no se contó."
        ),
        "unknown_survey": "Lo sentimos, esta encuesta ya no está disponible.",
        "error": "Lo sentimos, algo falló al guardar su respuesta. Inténtelo de nuevo.",
    },
    "de": {
        "comment_empty": "Bitte schreiben Sie ein paar Worte.",
        "reminder": "Eine kurze Erinnerung: Ihre Meinung ist uns wichtig.",
        "write_comment": "Kommentar schreiben",
        "modal_title": "Ihr Feedback",
        "submit": "Senden",
        "cancel": "Abbrechen",
        "comment_placeholder": "Ihre Antwort",
        "your_answer": "Ihre Antwort: {answer}",
        "your_comment": "Danke für Ihren Kommentar.",
        "skipped": "Übersprungen.",
        "not_yours": (
            "Diese Umfrage wurde an jemand anderen gesendet, daher wurde Ihre Antwort "
            "nicht gezählt."
        ),
        "unknown_survey": "Diese Umfrage ist leider nicht mehr verfügbar.",
        "error": "Beim Speichern Ihrer Antwort ist ein Fehler aufgetreten. Bitte erneut versuchen.",
    },
    "ru": {
        "comment_empty": "Пожалуйста, напишите пару слов.",
        "reminder": "Напоминаем: нам очень важно ваше мнение.",
        "write_comment": "Написать комментарий",
        "modal_title": "Ваш отзыв",
        "submit": "Отправить",
        "cancel": "Отмена",
        "comment_placeholder": "Напишите ваш ответ",
        "your_answer": "Ваш ответ: {answer}",
        "your_comment": "Спасибо за комментарий.",
        "skipped": "Пропущено.",
        "not_yours": "Извините, этот опрос отправлен другому человеку, ваш ответ не учтён.",
        "unknown_survey": "Извините, этот опрос больше недоступен.",
        "error": "Извините, не удалось сохранить ответ. Попробуйте ещё раз.",
    },
}


def say(language: str | None, key: str, **values: object) -> str:
    table = TEXTS.get(language or FALLBACK, TEXTS[FALLBACK])
    return table.get(key, TEXTS[FALLBACK][key]).format(**values)
