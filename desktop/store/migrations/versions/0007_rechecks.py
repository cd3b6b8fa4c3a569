"""rechecks (Step 5)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 16:30:00

Placeholder kept in the chain so Step 5's parts can be built side by side;
the part that owns it fills in its tables.
"""

from __future__ import annotations

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
