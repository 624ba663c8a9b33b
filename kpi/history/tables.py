"""The history's tables (SQLAlchemy Core). The migrations in `migrations/versions` create them; this
module is what the code reads and writes through. Texts and exact numbers are stored as strings
(values as exact fractions such as "113/2", money as "5110.09"), JSON as text, times as ISO 8601
with their offset, so SQLite and PostgreSQL store the very same bytes."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

rulebooks = sa.Table(
    "rulebooks",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)

versions = sa.Table(
    "versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("month", sa.String(7), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # draft | published | final | superseded
    sa.Column("kind", sa.String(16), nullable=False),  # import | dispute | correction
    sa.Column("parent_id", sa.Integer, sa.ForeignKey("versions.id")),
    sa.Column("rulebook_sha256", sa.String(64), sa.ForeignKey("rulebooks.sha256"), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("published_at", sa.String(32)),
    sa.Column("deadline", sa.String(10)),  # last calendar day for disputes (YYYY-MM-DD)
    sa.Column("finalised_at", sa.String(32)),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("fingerprint", sa.String(64), nullable=False),  # of the statement lines
    sa.UniqueConstraint("month", "number", name="uq_versions_month_number"),
)

vendor_months = sa.Table(
    "vendor_months",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False, index=True),
    sa.Column("vendor", sa.String(200), nullable=False),
    sa.Column("record", sa.Text, nullable=False),  # inputs, sources, exam scores, notes as read
    sa.Column("scorecard", sa.Text, nullable=False),  # `kpi score --format json` of the card
    sa.Column("statement", sa.Text, nullable=False),  # the statement line, as printed
    sa.Column("total_score", sa.String(16), nullable=False),
    sa.Column("payout", sa.String(24), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),  # of the statement line
    sa.UniqueConstraint("version_id", "vendor", name="uq_vendor_months_version_vendor"),
)

agent_rows = sa.Table(
    "agent_rows",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False, index=True),
    sa.Column("vendor", sa.String(200), nullable=False),
    sa.Column("agent_id", sa.String(200), nullable=False),
    sa.Column("connected_calls", sa.Integer, nullable=False),
    sa.Column("repeat_2h_calls", sa.Integer, nullable=False),
    sa.Column("rate", sa.String(64)),
    sa.Column("points", sa.String(16)),
)

source_files = sa.Table(
    "source_files",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False, index=True),
    sa.Column("role", sa.String(16), nullable=False),  # workbook | detail | rules
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),  # 1, 2, 3 … without gaps
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

audit_head = sa.Table(  # one row: the chain's last id and hash, so a removed tail is seen too
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last_id", sa.Integer, nullable=False),
    sa.Column("last_hash", sa.String(64), nullable=False),
)

disputes = sa.Table(
    "disputes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("month", sa.String(7), nullable=False, index=True),
    sa.Column("vendor", sa.String(200), nullable=False),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False),
    sa.Column("metric", sa.String(64), nullable=False),  # the input key disputed
    sa.Column("original", sa.String(64)),
    sa.Column("claim", sa.String(64), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # open | accepted | rejected
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("decided_at", sa.String(32)),
    sa.Column("decided_by", sa.String(100)),
    sa.Column("decision_reason", sa.Text),
    sa.Column("decided_value", sa.String(64)),
    sa.Column("result_version_id", sa.Integer, sa.ForeignKey("versions.id")),
)

evidence = sa.Table(
    "evidence",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dispute_id", sa.Integer, sa.ForeignKey("disputes.id"), nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
)

users = sa.Table(  # who may sign in: never a password, only its argon2 hash (salt and parameters inside)
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),  # or the identity provider's e-mail
    sa.Column("role", sa.String(16), nullable=False),  # 管理员 | 合同管理 | 财务 | 外包公司
    sa.Column("vendor", sa.String(200)),  # the one vendor of a 外包公司 user
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("failed_count", sa.Integer, nullable=False, server_default="0"),  # consecutive wrong passwords
    sa.Column("locked_until", sa.String(32)),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("changed_at", sa.String(32)),  # last password change, disable or enable
    sa.Column("changed_by", sa.String(100)),
    sa.Column("last_sign_in", sa.String(32)),
)
