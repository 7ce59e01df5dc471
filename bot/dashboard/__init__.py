"""The team dashboard under ``/dashboard/`` (DESIGN section 11): server-rendered pages that show
the report's figures, signed in by one-time links."""
