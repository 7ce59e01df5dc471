"""What the bot itself says, in every supported language (survey texts come from the engine).

``say(language, key, **values)`` falls back to English for an unknown language, so a chat in a
language we do not speak still gets a readable answer.
"""

from __future__ import annotations

from typing import Final

from bot.phrases import FALLBACK, phrase
from surveys.messages import LANGUAGE_NAMES

__all__ = ["COMMANDS", "FALLBACK", "LANGUAGE_NAMES", "TEXTS", "language_of", "say"]

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "welcome_linked": (
            "Thank you! This chat is now connected to your support account. After a case "
            "closes we may ask you a question or two here; /stop turns that off, /help lists "
            "what I can do."
        ),
        "welcome_known": "Welcome back! This chat is connected to your support account. /help",
        "welcome_unknown": (
            "Hello! I collect feedback for our support team. To connect this chat, open the "
            "link your support agent sent you. /help lists what I can do."
        ),
        "link_invalid": (
            "Sorry, this link is not valid. Please use the exact link your support agent sent "
            "you, or ask them for a new one."
        ),
        "link_used": (
            "This link has already been used. Please ask your support agent for a new one."
        ),
        "link_expired": "This link has expired. Please ask your support agent for a new one.",
        "private_only": "For your privacy this only works in a private chat with me.",
        "link_move_confirm": (
            "This chat is already connected to another support account. Connect it to the account"
            " of this link instead? The other account will no longer get surveys here."
        ),
        "link_move_kept": "OK, this chat stays connected to its current account.",
        "link_move_refused": "This confirmation is not valid for this chat.",
        "link_replaced": (
            "Your support account is now connected to another Telegram chat, so surveys will go "
            "there. If that was not you, please contact support."
        ),
        "help": (
            "I ask short surveys after your support cases close. Commands:\n"
            "/language: choose the language\n"
            "/stop: no more surveys\n"
            "/mydata: what is stored about you\n"
            "/forget: erase your data\n"
            "/help: this message"
        ),
        "not_linked": (
            "This chat is not connected to a support account, so nothing is stored about it."
        ),
        "stop_done": "Done: you will get no more surveys. Send /start to receive them again.",
        "language_choose": "Choose your language:",
        "language_set": "Language set to English.",
        "forget_confirm": (
            "Erase your data? This chat is disconnected and your written comments are deleted. "
            "Your scores stay, without your name, in anonymous statistics."
        ),
        "forget_done": "Your data has been erased and this chat disconnected. Goodbye!",
        "stale": "This survey is closed or already answered. Thank you!",
        "error": "Sorry, something went wrong. Please try again in a moment.",
        "flood": (
            "You are sending messages faster than I can read them. "
            "I will skip the next few; please wait a moment."
        ),
        "cmd_start": "Start the bot",
        "cmd_language": "Choose the language",
        "cmd_stop": "Stop surveys",
        "cmd_mydata": "What is stored about me",
        "cmd_forget": "Erase my data",
        "cmd_help": "Help",
    },
    "es": {
        "welcome_linked": (
            "¡Gracias! Este chat ya está conectado a su cuenta de soporte. Cuando se cierre un "
            "caso, puede que le hagamos una o dos preguntas aquí; /stop lo desactiva, /help "
            "muestra lo que puedo hacer."
        ),
        "welcome_known": "¡Bienvenido de nuevo! Este chat está conectado a su cuenta. /help",
        "welcome_unknown": (
            "¡Hola! Recojo opiniones para nuestro equipo de soporte. Para conectar este chat, "
            "abra el enlace que le envió su agente. /help muestra lo que puedo hacer."
        ),
        "link_invalid": (
            "Lo sentimos, este enlace no es válido. Use el enlace exacto que le envió su agente "
            "o pídale uno nuevo."
        ),
        "link_used": "Este enlace ya se ha utilizado. Pida uno nuevo a su agente de soporte.",
        "link_expired": "Este enlace ha caducado. Pida uno nuevo a su agente de soporte.",
        "private_only": "Por su privacidad, esto solo funciona en un chat privado conmigo.",
        "link_move_confirm": (
            "Este chat ya está conectado a otra cuenta de soporte. ¿Conectarlo a la cuenta de "
            "este enlace? La otra cuenta dejará de recibir encuestas aquí."
        ),
        "link_move_kept": "De acuerdo, este chat sigue conectado a su cuenta actual.",
        "link_move_refused": "Esta confirmación no es válida para este chat.",
        "link_replaced": (
            "Su cuenta de soporte está ahora conectada a otro chat de Telegram, y las encuestas "
            "irán allí. Si no fue usted, contacte con soporte."
        ),
        "help": (
            "Hago encuestas breves cuando se cierran sus casos de soporte. Comandos:\n"
            "/language: elegir el idioma\n"
            "/stop: no más encuestas\n"
            "/mydata: qué datos guardamos\n"
            "/forget: borrar sus datos\n"
            "/help: este mensaje"
        ),
        "not_linked": (
            "Este chat no está conectado a una cuenta de soporte; no guardamos nada sobre él."
        ),
        "stop_done": "Hecho: no recibirá más encuestas. Envíe /start para volver a recibirlas.",
        "language_choose": "Elija su idioma:",
        "language_set": "Idioma cambiado a español.",
        "forget_confirm": (
            "¿Borrar sus datos? Este chat se desconectará y se eliminarán sus comentarios "
            "escritos. Sus puntuaciones quedan, sin su nombre, en estadísticas anónimas."
        ),
        "forget_done": "Sus datos se han borrado y este chat se ha desconectado. ¡Adiós!",
        "stale": "Esta encuesta está cerrada o ya respondida. ¡Gracias!",
        "error": "Lo sentimos, algo salió mal. Inténtelo de nuevo en un momento.",
        "flood": (
            "Está enviando mensajes más rápido de lo que puedo leerlos. "
            "Omitiré los siguientes; espere un momento, por favor."
        ),
        "cmd_start": "Iniciar el bot",
        "cmd_language": "Elegir el idioma",
        "cmd_stop": "Detener encuestas",
        "cmd_mydata": "Qué datos guardan sobre mí",
        "cmd_forget": "Borrar mis datos",
        "cmd_help": "Ayuda",
    },
    "de": {
        "welcome_linked": (
            "Danke! Dieser Chat ist jetzt mit Ihrem Support-Konto verbunden. Nach einem "
            "abgeschlossenen Fall stellen wir hier vielleicht ein oder zwei Fragen; /stop "
            "schaltet das ab, /help zeigt, was ich kann."
        ),
        "welcome_known": "Willkommen zurück! Dieser Chat ist mit Ihrem Konto verbunden. /help",
        "welcome_unknown": (
            "Hallo! Ich sammle Feedback für unser Support-Team. Um diesen Chat zu verbinden, "
            "öffnen Sie den Link, den Ihr Support-Mitarbeiter Ihnen geschickt hat. /help"
        ),
        "link_invalid": (
            "Dieser Link ist leider ungültig. Bitte verwenden Sie genau den Link aus Ihrem "
            "Support-Kontakt oder fragen Sie nach einem neuen."
        ),
        "link_used": (
            "Dieser Link wurde bereits verwendet. Bitten Sie Ihren Support um einen neuen."
        ),
        "link_expired": "Dieser Link ist abgelaufen. Bitten Sie Ihren Support um einen neuen.",
        "private_only": "Zum Schutz Ihrer Daten geht das nur in einem privaten Chat mit mir.",
        "link_move_confirm": (
            "Dieser Chat ist bereits mit einem anderen Support-Konto verbunden. Stattdessen mit "
            "dem Konto dieses Links verbinden? Das andere Konto erhält hier dann keine Umfragen "
            "mehr."
        ),
        "link_move_kept": "In Ordnung, dieser Chat bleibt mit seinem bisherigen Konto verbunden.",
        "link_move_refused": "Diese Bestätigung gilt nicht für diesen Chat.",
        "link_replaced": (
            "Ihr Support-Konto ist jetzt mit einem anderen Telegram-Chat verbunden; Umfragen "
            "gehen künftig dorthin. Falls Sie das nicht waren, wenden Sie sich bitte an den "
            "Support."
        ),
        "help": (
            "Ich stelle kurze Umfragen, wenn Ihre Support-Fälle abgeschlossen sind. Befehle:\n"
            "/language: Sprache wählen\n"
            "/stop: keine Umfragen mehr\n"
            "/mydata: was über Sie gespeichert ist\n"
            "/forget: Ihre Daten löschen\n"
            "/help: diese Nachricht"
        ),
        "not_linked": (
            "Dieser Chat ist mit keinem Support-Konto verbunden; über ihn ist nichts gespeichert."
        ),
        "stop_done": (
            "Erledigt: Sie erhalten keine Umfragen mehr. Mit /start erhalten Sie sie wieder."
        ),
        "language_choose": "Wählen Sie Ihre Sprache:",
        "language_set": "Sprache auf Deutsch gestellt.",
        "forget_confirm": (
            "Ihre Daten löschen? Dieser Chat wird getrennt und Ihre schriftlichen Kommentare "
            "werden gelöscht. Ihre Bewertungen bleiben ohne Namen in anonymen Statistiken."
        ),
        "forget_done": "Ihre Daten wurden gelöscht und dieser Chat getrennt. Auf Wiedersehen!",
        "stale": "Diese Umfrage ist geschlossen oder schon beantwortet. Danke!",
        "error": "Entschuldigung, etwas ist schiefgelaufen. Bitte versuchen Sie es gleich erneut.",
        "flood": (
            "Sie senden Nachrichten schneller, als ich sie lesen kann. "
            "Die nächsten überspringe ich; bitte warten Sie einen Moment."
        ),
        "cmd_start": "Bot starten",
        "cmd_language": "Sprache wählen",
        "cmd_stop": "Umfragen beenden",
        "cmd_mydata": "Was über mich gespeichert ist",
        "cmd_forget": "Meine Daten löschen",
        "cmd_help": "Hilfe",
    },
    "ru": {
        "welcome_linked": (
            "Спасибо! Этот чат подключён к вашей учётной записи поддержки. После закрытия "
            "обращения мы можем задать здесь пару вопросов; /stop отключает опросы, /help "
            "показывает, что я умею."
        ),
        "welcome_known": "С возвращением! Этот чат подключён к вашей учётной записи. /help",
        "welcome_unknown": (
            "Здравствуйте! Я собираю отзывы для нашей службы поддержки. Чтобы подключить этот "
            "чат, откройте ссылку, которую прислал ваш специалист поддержки. /help"
        ),
        "link_invalid": (
            "К сожалению, эта ссылка недействительна. Откройте ту ссылку, которую прислала "
            "поддержка, или попросите новую."
        ),
        "link_used": "Эта ссылка уже использована. Попросите у поддержки новую.",
        "link_expired": "Срок действия ссылки истёк. Попросите у поддержки новую.",
        "private_only": "Ради вашей приватности это работает только в личном чате со мной.",
        "link_move_confirm": (
            "Этот чат уже подключён к другой учётной записи поддержки. Подключить его к учётной "
            "записи из этой ссылки? Другая учётная запись больше не будет получать здесь опросы."
        ),
        "link_move_kept": "Хорошо, чат остаётся подключённым к текущей учётной записи.",
        "link_move_refused": "Это подтверждение недействительно для этого чата.",
        "link_replaced": (
            "Ваша учётная запись поддержки теперь подключена к другому чату Telegram, опросы "
            "будут приходить туда. Если это были не вы, обратитесь в поддержку."
        ),
        "help": (
            "Я провожу короткие опросы после закрытия ваших обращений. Команды:\n"
            "/language: выбрать язык\n"
            "/stop: больше не присылать опросы\n"
            "/mydata: какие данные о вас хранятся\n"
            "/forget: удалить ваши данные\n"
            "/help: это сообщение"
        ),
        "not_linked": "Этот чат не подключён к учётной записи поддержки; о нём ничего не хранится.",
        "stop_done": "Готово: опросов больше не будет. Чтобы снова получать их, отправьте /start.",
        "language_choose": "Выберите язык:",
        "language_set": "Язык изменён на русский.",
        "forget_confirm": (
            "Удалить ваши данные? Этот чат будет отключён, а ваши письменные комментарии "
            "удалены. Оценки останутся в анонимной статистике, без вашего имени."
        ),
        "forget_done": "Ваши данные удалены, чат отключён. До свидания!",
        "stale": "Этот опрос закрыт или на него уже ответили. Спасибо!",
        "error": "Извините, что-то пошло не так. Попробуйте ещё раз чуть позже.",
        "flood": (
            "Вы отправляете сообщения быстрее, чем я успеваю их прочитать. "
            "Следующие я пропущу; подождите немного, пожалуйста."
        ),
        "cmd_start": "Запустить бота",
        "cmd_language": "Выбрать язык",
        "cmd_stop": "Отключить опросы",
        "cmd_mydata": "Какие данные обо мне хранятся",
        "cmd_forget": "Удалить мои данные",
        "cmd_help": "Помощь",
    },
}

COMMANDS: Final = ("start", "language", "stop", "mydata", "forget", "help")


def language_of(code: str | None, default: str = FALLBACK) -> str:
    """The supported language for a Telegram ``language_code`` such as ``pt-BR`` or ``ru``."""
    if code:
        short = code.split("-")[0].split("_")[0].lower()
        if short in TEXTS:
            return short
    return default if default in TEXTS else FALLBACK


def say(language: str | None, key: str, /, **values: object) -> str:
    return phrase(TEXTS, language, key, **values)
