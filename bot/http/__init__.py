"""The one aiohttp server: the REST API, /healthz, and later /slack/events and /telegram/webhook."""
