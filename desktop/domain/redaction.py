"""What may leave the PC in a file for someone else to read (导出给县级 IT): ID and phone numbers masked.

The rules are the screens' and the notices': an ID number keeps its last four characters only
(:func:`forms.idnumber.mask_id_short`), a phone is ``139****5678`` / ``0931-***0123``
(:func:`desktop.domain.phone.mask_phone`). :func:`redact` walks a whole envelope (dicts, lists,
text): a field that holds an ID number (``id_number``…) or a phone (``…phone…``) is masked by its
name, and every other text is scanned too, so a number a clerk typed into a reason or a note is
masked as well. Case numbers (21 digits), division codes (12), uuids and amounts are not
numbers of people and stay as they are. Pure functions.
"""

from __future__ import annotations

import re
from typing import Any

from forms.idnumber import mask_id_short, normalize_id

from .phone import mask_phone

__all__ = ["redact", "redact_text"]

# an 18-character (or old 15-digit) ID number standing on its own — not a piece of a longer number
_ID = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
_FIXED = re.compile(r"(?<![0-9A-Za-z])0\d{2,3}-\d{7,8}(?:-\d{1,6})?(?![0-9A-Za-z])")


def _is_id_field(key: str) -> bool:
    k = key.lower()
    return k in ("id_number", "idnumber", "id_no") or k.endswith("_id_number")


def _is_phone_field(key: str) -> bool:
    k = key.lower()
    return "phone" in k or k in ("mobile", "tel", "telephone")


def redact_text(text: str) -> str:
    """``text`` with every ID number and phone number in it masked."""
    text = _ID.sub(lambda m: mask_id_short(m.group(0)), text)
    text = _MOBILE.sub(lambda m: mask_phone(m.group(0)), text)
    return _FIXED.sub(lambda m: mask_phone(m.group(0)), text)


def redact(value: Any, key: str = "") -> Any:
    """A JSON-like value with ID numbers and phones masked (a new value; ``value`` is not changed)."""
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v, key) for v in value]
    if isinstance(value, str):
        if value and _is_id_field(key):
            return mask_id_short(normalize_id(value)) if normalize_id(value) else ""
        if value and _is_phone_field(key):
            return redact_text(mask_phone(value))
        return redact_text(value)
    return value
