"""The survey engine: definitions, the built-in catalog, custom YAML surveys, the channel-neutral
conversation and the invitation policy. No chat platform is imported here; the database is
reached only through ``storage``.
"""
