"""Sending invitations: the channel interface, rate limits, retries and the dispatcher."""

from bot.dispatch.channel import Channel, Delivery, DeliveryError
from bot.dispatch.dispatcher import DispatchConfig, Dispatcher

__all__ = ["Channel", "Delivery", "DeliveryError", "DispatchConfig", "Dispatcher"]
