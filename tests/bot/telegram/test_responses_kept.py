"""Issue 17: the Bot API response models the bot uses survive garbage collection, so aiogram
never rebuilds them on the press path (pydantic caches parametrized models only weakly)."""

from __future__ import annotations

import gc
import weakref
from typing import Any

from aiogram import methods
from aiogram.methods.base import Response

from bot.telegram.client import USED_METHODS


def _response_model(name: str) -> weakref.ref[Any]:
    return weakref.ref(Response[getattr(methods, name).__returning__])  # type: ignore[misc]


def test_the_response_models_of_the_used_methods_outlive_a_garbage_collection() -> None:
    kept = [_response_model(name) for name in USED_METHODS]
    gc.collect()
    assert [name for name, model in zip(USED_METHODS, kept, strict=True) if model() is None] == []
