"""Metrics of DESIGN section 5, aggregated in SQL (GROUP BY in the database), with intervals."""
