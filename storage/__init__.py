"""Tables, the engine and session factory, queries and Alembic migrations.

The only package that talks to the database; it imports none of bot, surveys or scoring.
"""
