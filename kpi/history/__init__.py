"""The history of the monthly cycle in a database: import → publish → disputes → finalise.

Takes an `kpi.pipeline.Assessment` (records, scorecards, detail) and keeps it per month and vendor as
numbered versions (草稿 → 已发布 → 已定稿), with disputes, evidence and an append-only audit trail
carrying a hash chain. SQLAlchemy Core over SQLite (default, WAL) or PostgreSQL; the schema is made
and upgraded by the Alembic migrations shipped in `migrations/`. The CLI and the app sit above.
"""
