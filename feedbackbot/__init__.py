"""feedbackbot: customer-feedback surveys in Telegram and Slack, scored per customer and agent.

The code lives in four packages (DESIGN section 7): ``bot`` (channels, HTTP API, CLI, wiring),
``surveys`` (definitions, conversation engine, policy), ``storage`` (tables, queries,
migrations) and ``scoring`` (metrics). This package holds only what all of them share.
"""

__version__ = "0.1.0"
