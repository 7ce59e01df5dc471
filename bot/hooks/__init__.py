"""Helpdesk connectors: each helpdesk's native "case closed" webhook becomes our case event.

One module per helpdesk (``verify`` and ``read``, pure functions over the raw body and the
decoded JSON), ``helpdesks`` to list them and map a closure onto the case event, ``intake`` to
record it and ``route`` for ``POST /hooks/{helpdesk}/{HOOKS_TOKEN}``. What each helpdesk sends
is documented, with sources, in helpdesks.md beside DESIGN.md.
"""
