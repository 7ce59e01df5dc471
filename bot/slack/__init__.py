"""The Slack app (slack-bolt, async): customer surveys in DMs, agent alerts, digests, /feedback."""
