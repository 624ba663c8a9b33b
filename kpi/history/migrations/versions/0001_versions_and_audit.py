"""The first schema: rulebooks, versions per month, vendor-months, agents, source files, audit chain.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rulebooks",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("versions.id")),
        sa.Column("rulebook_sha256", sa.String(64), sa.ForeignKey("rulebooks.sha256"), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("published_at", sa.String(32)),
        sa.Column("deadline", sa.String(10)),
        sa.Column("finalised_at", sa.String(32)),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.UniqueConstraint("month", "number", name="uq_versions_month_number"),
    )
    op.create_table(
        "vendor_months",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False, index=True),
        sa.Column("vendor", sa.String(200), nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("scorecard", sa.Text, nullable=False),
        sa.Column("statement", sa.Text, nullable=False),
        sa.Column("total_score", sa.String(16), nullable=False),
        sa.Column("payout", sa.String(24), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.UniqueConstraint("version_id", "vendor", name="uq_vendor_months_version_vendor"),
    )
    op.create_table(
        "agent_rows",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False, index=True),
        sa.Column("vendor", sa.String(200), nullable=False),
        sa.Column("agent_id", sa.String(200), nullable=False),
        sa.Column("connected_calls", sa.Integer, nullable=False),
        sa.Column("repeat_2h_calls", sa.Integer, nullable=False),
        sa.Column("rate", sa.String(64)),
        sa.Column("points", sa.String(16)),
    )
    op.create_table(
        "source_files",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False, index=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("who", sa.String(100), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("month", sa.String(7)),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("before", sa.Text, nullable=False),
        sa.Column("after", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last_id", sa.Integer, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
    )
