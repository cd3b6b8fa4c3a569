"""Tables of Step 5 (investigations). Filled in by the step that builds them; imported by models.py."""

from __future__ import annotations
