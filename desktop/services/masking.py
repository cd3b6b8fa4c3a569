"""How identity numbers leave the service layer for the screen: masked, last four characters only.

The full number is handed out only by :func:`desktop.services.cases.queries.reveal_id`
(permission ``view_full_id``, audited each time). Everything else a screen
shows goes through :func:`masked_id`.
"""

from __future__ import annotations

from forms.idnumber import mask_id_short, normalize_id


def masked_id(number: str | None) -> str:
    """"**************002X" for an 18-character number; every character masked when too short."""
    text = normalize_id(number or "")
    if not text:
        return ""
    return mask_id_short(text)
