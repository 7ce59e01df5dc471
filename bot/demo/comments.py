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


def comment(rng: random.Random, language: str, theme: str) -> str:
    words = THEMES[language][theme]
    other = THEMES[language][rng.choice(list(THEMES[language]))]
    chosen = [*rng.sample(words, 3), rng.choice(other), *rng.sample(FILLER[language], 3)]
    rng.shuffle(chosen)
    return " ".join(chosen).capitalize() + "."


def nps_and_theme(rng: random.Random, planted: str | None) -> tuple[int, str]:
    """A score and what the comment is about; detractors write about ``planted`` half the time."""
    score = rng.choice([0, 2, 3, 4, 5, 6, 7, 8, 9, 9, 10, 10])
    themes = list(THEMES["en"])
    if planted and score <= 6 and rng.random() < 0.5:
        return score, planted
    if planted:
        themes.remove(planted)
    return score, rng.choice(themes)
