"""What the Slack app itself says to customers, per language (survey texts come from the engine).

Agents see English: the Slack workspace is the support team's own.
"""

from __future__ import annotations

from typing import Final

FALLBACK: Final = "en"

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "comment_empty": "Please write a few words.",
        "write_comment": "Write a comment",
        "modal_title": "Your feedback",
        "submit": "Send",
        "cancel": "Cancel",
        "comment_placeholder": "Type your answer here",
    },
    "es": {
        "comment_empty": "Escriba unas palabras, por favor.",
        "write_comment": "Escribir un comentario",
        "modal_title": "Su opinión",
        "submit": "Enviar",
        "cancel": "Cancelar",
        "comment_placeholder": "Escriba aquí su respuesta",
    },
    "de": {
        "comment_empty": "Bitte schreiben Sie ein paar Worte.",
        "write_comment": "Kommentar schreiben",
        "modal_title": "Ihr Feedback",
        "submit": "Senden",
        "cancel": "Abbrechen",
        "comment_placeholder": "Ihre Antwort",
    },
    "ru": {
        "comment_empty": "Пожалуйста, напишите пару слов.",
        "write_comment": "Написать комментарий",
        "modal_title": "Ваш отзыв",
        "submit": "Отправить",
        "cancel": "Отмена",
        "comment_placeholder": "Напишите ваш ответ",
    },
}


def say(language: str | None, key: str, **values: object) -> str:
    table = TEXTS.get(language or FALLBACK, TEXTS[FALLBACK])
    return table.get(key, TEXTS[FALLBACK][key]).format(**values)
