"""Tables of the public notice (公示) step — filled in by Step 4."""

from __future__ import annotations
