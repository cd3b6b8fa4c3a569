"""investigation_emergency (Step 5)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 16:30:00

Placeholder kept in the chain so Step 5's parts can be built side by side;
the part that owns it fills in its tables.
"""

from __future__ import annotations

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
