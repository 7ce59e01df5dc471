"""What the Slack app itself says to customers, per language (survey texts come from the engine).

Agents see English: the Slack workspace is the support team's own.
"""

from __future__ import annotations

from typing import Final

from bot.phrases import phrase

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "privacy_hint": (
            "Type mydata to see what we store about you, stop to get no more surveys, or forget "
            "to erase your data."
        ),
        "privacy_not_linked": (
            "Nothing is stored about you here: you are not connected as a customer."
        ),
        "privacy_stop_done": (
            "Done: you will get no more surveys. Type start to receive them again."
        ),
        "privacy_start_done": "Surveys are on again. Thank you!",
        "privacy_forget_confirm": (
            "Erase your data? You are disconnected and your written comments are deleted. Your "
            "scores stay, without your name, in anonymous statistics."
        ),
        "privacy_forget_done": "Your data has been erased and you are disconnected. Goodbye!",
        "privacy_home_title": "Your data",
        "privacy_home_mydata": "What is stored about me",
        "privacy_home_stop": "Stop surveys",
        "privacy_home_start": "Resume surveys",
        "privacy_home_forget": "Erase my data",
        "comment_empty": "Please write a few words.",
        "write_comment": "Write a comment",
        "modal_title": "Your feedback",
        "submit": "Send",
        "cancel": "Cancel",
        "comment_placeholder": "Type your answer here",
    },
    "es": {
        "privacy_hint": (
            "Escriba mydata para ver qué guardamos sobre usted, stop para no recibir más "
            "encuestas o forget para borrar sus datos."
        ),
        "privacy_not_linked": "Aquí no se guarda nada sobre usted: no está conectado como cliente.",
        "privacy_stop_done": (
            "Hecho: no recibirá más encuestas. Escriba start para volver a recibirlas."
        ),
        "privacy_start_done": "Las encuestas vuelven a estar activas. ¡Gracias!",
        "privacy_forget_confirm": (
            "¿Borrar sus datos? Se le desconecta y se eliminan sus comentarios escritos. Sus "
            "puntuaciones se conservan, sin su nombre, en estadísticas anónimas."
        ),
        "privacy_forget_done": "Sus datos se han borrado y se le ha desconectado. ¡Adiós!",
        "privacy_home_title": "Sus datos",
        "privacy_home_mydata": "Qué datos guardan sobre mí",
        "privacy_home_stop": "Detener encuestas",
        "privacy_home_start": "Reanudar encuestas",
        "privacy_home_forget": "Borrar mis datos",
        "comment_empty": "Escriba unas palabras, por favor.",
        "write_comment": "Escribir un comentario",
        "modal_title": "Su opinión",
        "submit": "Enviar",
        "cancel": "Cancelar",
        "comment_placeholder": "Escriba aquí su respuesta",
    },
    "de": {
        "privacy_hint": (
            "Schreiben Sie mydata, um zu sehen, was wir über Sie speichern, stop für keine "
            "weiteren Umfragen oder forget, um Ihre Daten zu löschen."
        ),
        "privacy_not_linked": (
            "Hier ist nichts über Sie gespeichert: Sie sind nicht als Kunde verbunden."
        ),
        "privacy_stop_done": (
            "Erledigt: Sie erhalten keine Umfragen mehr. Schreiben Sie start, um sie wieder zu "
            "erhalten."
        ),
        "privacy_start_done": "Umfragen sind wieder aktiv. Danke!",
        "privacy_forget_confirm": (
            "Ihre Daten löschen? Ihre Verbindung wird getrennt und Ihre schriftlichen Kommentare "
            "werden gelöscht. Ihre Bewertungen bleiben ohne Ihren Namen in anonymen Statistiken."
        ),
        "privacy_forget_done": (
            "Ihre Daten wurden gelöscht und Ihre Verbindung getrennt. Auf Wiedersehen!"
        ),
        "privacy_home_title": "Ihre Daten",
        "privacy_home_mydata": "Was über mich gespeichert ist",
        "privacy_home_stop": "Umfragen beenden",
        "privacy_home_start": "Umfragen fortsetzen",
        "privacy_home_forget": "Meine Daten löschen",
        "comment_empty": "Bitte schreiben Sie ein paar Worte.",
        "write_comment": "Kommentar schreiben",
        "modal_title": "Ihr Feedback",
        "submit": "Senden",
        "cancel": "Abbrechen",
        "comment_placeholder": "Ihre Antwort",
    },
    "ru": {
        "privacy_hint": (
            "Напишите mydata, чтобы узнать, что мы о вас храним, stop — чтобы отключить опросы, "
            "или forget — чтобы удалить ваши данные."
        ),
        "privacy_not_linked": "Здесь о вас ничего не хранится: вы не подключены как клиент.",
        "privacy_stop_done": (
            "Готово: опросов больше не будет. Напишите start, чтобы снова их получать."
        ),
        "privacy_start_done": "Опросы снова включены. Спасибо!",
        "privacy_forget_confirm": (
            "Удалить ваши данные? Вы будете отключены, а ваши письменные комментарии удалены. "
            "Оценки останутся без вашего имени в анонимной статистике."
        ),
        "privacy_forget_done": "Ваши данные удалены, вы отключены. До свидания!",
        "privacy_home_title": "Ваши данные",
        "privacy_home_mydata": "Что обо мне хранится",
        "privacy_home_stop": "Отключить опросы",
        "privacy_home_start": "Возобновить опросы",
        "privacy_home_forget": "Удалить мои данные",
        "comment_empty": "Пожалуйста, напишите пару слов.",
        "write_comment": "Написать комментарий",
        "modal_title": "Ваш отзыв",
        "submit": "Отправить",
        "cancel": "Отмена",
        "comment_placeholder": "Напишите ваш ответ",
    },
}


def say(language: str | None, key: str, /, **values: object) -> str:
    return phrase(TEXTS, language, key, **values)
