"""Adapters and wiring: Telegram, Slack, the HTTP API, the CLI and the app that runs them."""
