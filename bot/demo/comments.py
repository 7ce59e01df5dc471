"""Made-up comments in en, es, de and ru about six themes: the demo's customers write them, and
the theme tests and `bench/insights.py` use them too."""

from __future__ import annotations

import random

THEMES: dict[str, dict[str, list[str]]] = {
    "en": {
        "refund": ["refund", "money", "back", "charged", "returned", "reimbursement"],
        "delivery": ["delivery", "package", "courier", "shipping", "arrived", "parcel"],
        "app": ["app", "crash", "login", "update", "screen", "bug"],
        "staff": ["agent", "friendly", "helpful", "polite", "patient", "kind"],
        "speed": ["fast", "quick", "minutes", "waiting", "response", "time"],
        "price": ["price", "expensive", "cost", "plan", "subscription", "discount"],
    },
    "es": {
        "refund": ["reembolso", "dinero", "devolución", "cobro", "cargo", "reintegro"],
        "delivery": ["entrega", "paquete", "mensajero", "envío", "llegó", "pedido"],
        "app": ["aplicación", "error", "contraseña", "actualización", "pantalla", "fallo"],
        "staff": ["agente", "amable", "atento", "educado", "paciente", "simpático"],
        "speed": ["rápido", "rapidez", "minutos", "espera", "respuesta", "tiempo"],
        "price": ["precio", "caro", "coste", "plan", "suscripción", "descuento"],
    },
    "de": {
        "refund": ["Rückerstattung", "Geld", "zurück", "abgebucht", "Erstattung", "Gutschrift"],
        "delivery": ["Lieferung", "Paket", "Kurier", "Versand", "angekommen", "Sendung"],
        "app": ["App", "Absturz", "Anmeldung", "Update", "Bildschirm", "Fehler"],
        "staff": ["Mitarbeiter", "freundlich", "hilfsbereit", "höflich", "geduldig", "nett"],
        "speed": ["schnell", "zügig", "Minuten", "Wartezeit", "Antwort", "Zeit"],
        "price": ["Preis", "teuer", "Kosten", "Tarif", "Abonnement", "Rabatt"],
    },
    "ru": {
        "refund": ["возврат", "деньги", "списали", "вернули", "компенсация", "платёж"],
        "delivery": ["доставка", "посылка", "курьер", "отправка", "пришла", "заказ"],
        "app": ["приложение", "вылетает", "вход", "обновление", "экран", "ошибка"],
        "staff": ["сотрудник", "вежливый", "внимательный", "терпеливый", "приятный", "добрый"],
        "speed": ["быстро", "оперативно", "минуты", "ожидание", "ответ", "время"],
        "price": ["цена", "дорого", "стоимость", "тариф", "подписка", "скидка"],
    },
}
FILLER = {
    "en": ["the", "was", "and", "very", "it", "my", "with", "is", "a", "for"],
    "es": ["el", "la", "fue", "y", "muy", "mi", "con", "es", "un", "para"],
    "de": ["der", "die", "war", "und", "sehr", "mein", "mit", "ist", "ein", "für"],
    "ru": ["и", "был", "очень", "мой", "с", "это", "на", "не", "в", "для"],
}


SENTENCES: dict[str, dict[str, list[str]]] = {
    "en": {
        "refund": [
            "Still waiting for my refund, the money never came back.",
            "They charged me twice and the refund of my money takes weeks.",
            "I returned it a month ago and got no refund, no money back.",
        ],
        "delivery": [
            "The delivery was late and the courier lost the package.",
            "My package arrived damaged, the delivery took ages.",
            "The package never arrived and nobody tracks the delivery.",
        ],
        "app": [
            "The app keeps crashing on the login screen.",
            "After the update the app shows a blank login screen.",
            "I cannot log in, the app has a bug since the update.",
        ],
        "staff": [
            "The agent was friendly and really helpful.",
            "Very polite and patient agent, friendly to me.",
            "Helpful and friendly staff, the agent knew what to do.",
        ],
        "speed": [
            "Fast response, solved in minutes.",
            "Fast answer, no waiting time, minutes at most.",
            "The response took minutes, not days: fast.",
        ],
        "price": [
            "The price is too expensive for this plan.",
            "The subscription price went up, too expensive.",
            "Too expensive, I want a cheaper plan or a discount.",
        ],
    },
    "es": {
        "refund": [
            "Sigo esperando el reembolso, el dinero no ha vuelto.",
            "Me hicieron un cobro doble y el reembolso del dinero tarda semanas.",
            "Devolví el producto y no hay reembolso, el dinero no llega.",
        ],
        "delivery": [
            "La entrega llegó tarde y el mensajero perdió el paquete.",
            "Mi paquete llegó roto, la entrega tardó muchísimo.",
            "El paquete nunca llegó y nadie sigue la entrega.",
        ],
        "app": [
            "La aplicación se cierra en la pantalla de inicio.",
            "Después de la actualización la aplicación da error.",
            "No puedo entrar, la aplicación falla con la contraseña.",
        ],
        "staff": [
            "El agente fue amable y muy atento.",
            "Agente educado y paciente, muy amable conmigo.",
            "Personal atento y amable, el agente sabía qué hacer.",
        ],
        "speed": [
            "Respuesta rápida, resuelto en minutos.",
            "Atención rápida, sin tiempo de espera.",
            "La respuesta llegó en minutos, qué rapidez.",
        ],
        "price": [
            "El precio es demasiado caro para este plan.",
            "La suscripción subió de precio, demasiado caro.",
            "Muy caro, quiero un plan más barato o un descuento.",
        ],
    },
    "de": {
        "refund": [
            "Ich warte immer noch auf die Rückerstattung, das Geld kam nie zurück.",
            "Doppelt abgebucht und die Rückerstattung vom Geld dauert Wochen.",
            "Ware zurückgeschickt, aber keine Rückerstattung, kein Geld.",
        ],
        "delivery": [
            "Die Lieferung kam zu spät und der Kurier hat das Paket verloren.",
            "Mein Paket kam beschädigt an, die Lieferung dauerte ewig.",
            "Das Paket ist nie angekommen und niemand verfolgt die Lieferung.",
        ],
        "app": [
            "Die App stürzt bei der Anmeldung ständig ab.",
            "Nach dem Update zeigt die App einen leeren Bildschirm.",
            "Anmeldung unmöglich, die App hat seit dem Update einen Fehler.",
        ],
        "staff": [
            "Der Mitarbeiter war freundlich und sehr hilfsbereit.",
            "Sehr höflicher und geduldiger Mitarbeiter, richtig nett.",
            "Hilfsbereit und freundlich, der Mitarbeiter wusste Bescheid.",
        ],
        "speed": [
            "Schnelle Antwort, in Minuten gelöst.",
            "Schnelle Antwort, nur Minuten Wartezeit.",
            "Die Antwort kam in Minuten, sehr schnell.",
        ],
        "price": [
            "Der Preis ist für diesen Tarif zu teuer.",
            "Der Preis vom Abonnement stieg, zu teuer.",
            "Zu teuer, ich möchte einen günstigeren Tarif oder Rabatt.",
        ],
    },
    "ru": {
        "refund": [
            "До сих пор жду возврат, деньги так и не вернули.",
            "Списали деньги дважды, а возврат денег идёт неделями.",
            "Вернул товар месяц назад, но возврат денег так и не пришёл.",
        ],
        "delivery": [
            "Доставка опоздала, курьер потерял посылку.",
            "Посылка пришла повреждённой, доставка заняла вечность.",
            "Заказ так и не пришёл, доставку никто не отслеживает.",
        ],
        "app": [
            "Приложение вылетает при входе.",
            "После обновления приложение показывает пустой экран.",
            "Не могу войти, в приложении ошибка после обновления.",
        ],
        "staff": [
            "Сотрудник был вежливый и очень внимательный.",
            "Очень вежливый и терпеливый сотрудник, приятно общаться.",
            "Внимательный и приятный сотрудник, всё объяснил.",
        ],
        "speed": [
            "Быстро ответили, решили за минуты.",
            "Быстро и оперативно, ответили за минуты.",
            "Ответ пришёл за минуты, очень быстро.",
        ],
        "price": [
            "Цена слишком высокая для этого тарифа, дорого.",
            "Цена подписки выросла, слишком дорого.",
            "Слишком дорого, хочу тариф дешевле или скидку.",
        ],
    },
}
"""Three things customers say about each theme, in each language."""


def comment(rng: random.Random, language: str, theme: str) -> str:
    """A comment about ``theme``; one in three adds a sentence about something else."""
    text = rng.choice(SENTENCES[language][theme])
    if rng.random() < 1 / 3:
        other = rng.choice([t for t in SENTENCES[language] if t != theme])
        text += " " + rng.choice(SENTENCES[language][other])
    return text


def nps_and_theme(rng: random.Random, planted: str | None, share: float = 0.5) -> tuple[int, str]:
    """A score and what the comment is about; detractors write about ``planted`` with
    probability ``share``, nobody else does."""
    score = rng.choice([0, 2, 3, 4, 5, 6, 7, 8, 9, 9, 10, 10])
    themes = list(THEMES["en"])
    if planted and score <= 6 and rng.random() < share:
        return score, planted
    if planted:
        themes.remove(planted)
    return score, rng.choice(themes)
