"""The whole schema: importing this module registers every table on ``Base.metadata``.

The core tables are in :mod:`desktop.store.models`; the tables of later steps live in their own
modules, which import the core (for ``Base`` and the column types) and never the other way round —
so the models form no import cycle. What needs every table at once (Alembic's environment, the
database object whose sessions may touch any of them, the test comparing models and migrations)
imports this module instead of listing the model modules itself.
"""

from __future__ import annotations

from . import (
               models,
               models_clock,
               models_investigation,
               models_notice,
               models_policy,
               models_recheck,
               models_referral,
               models_sync,
)

Base = models.Base
metadata = Base.metadata

__all__ = ["Base", "metadata", "models", "models_clock", "models_investigation", "models_notice",
           "models_policy", "models_recheck", "models_referral",
           "models_sync"]
