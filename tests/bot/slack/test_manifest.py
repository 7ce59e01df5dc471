"""The app manifest asks for what the app uses: the events it listens to and their scopes."""

from __future__ import annotations

from pathlib import Path

import yaml

import bot.slack

MANIFEST = Path(bot.slack.__file__).parent / "manifest.yaml"


def test_the_manifest_subscribes_to_dm_messages_and_asks_for_no_unused_scope() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert "message.im" in events and "im:history" in scopes
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is False
    assert "users:read" not in scopes
