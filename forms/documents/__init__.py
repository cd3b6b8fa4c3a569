"""Printed documents: one module per document, each with a frozen input
dataclass and ``render_*(data) -> bytes`` (PDF).  Conventions shared by all of
them are described in :mod:`forms.documents._common`."""
