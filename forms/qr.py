"""QR codes for printed documents.

The payload is opaque text supplied (and signed) by the caller; ``forms``
does no cryptography.  It is encoded as UTF-8 bytes in byte mode with error
correction level M and the standard 4-module quiet zone included in the
drawing's size.
"""

from __future__ import annotations

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm

from forms.fonts import PRIMARY, register_fonts

#: Smallest module (one QR "pixel") we accept, in millimetres.  Below this a
#: cheap 600-dpi laser printer and a phone camera stop agreeing.
MIN_MODULE_MM = 0.33

QUIET_ZONE = 4  # modules each side, as ISO/IEC 18004 requires


def qr_modules(payload: str, level: str = "M") -> int:
    """Number of modules per side (without quiet zone) for ``payload``."""
    w = QrCodeWidget(payload, barLevel=level, barBorder=QUIET_ZONE)
    w.qr.make()
    return w.qr.getModuleCount()


def qr_drawing(payload: str, size_mm: float, level: str = "M") -> Drawing:
    """A square ``Drawing`` of ``size_mm`` × ``size_mm`` (quiet zone included)
    encoding ``payload``.  Raises ``ValueError`` for an empty payload, one too
    long for any QR version, or one whose modules would be smaller than
    :data:`MIN_MODULE_MM` at this size."""
    if not isinstance(payload, str) or not payload:
        raise ValueError("QR payload must be a non-empty string")
    if size_mm <= 0:
        raise ValueError("QR size must be positive")
    size = size_mm * mm
    try:
        widget = QrCodeWidget(payload, barLevel=level, barBorder=QUIET_ZONE,
                              barWidth=size, barHeight=size)
        widget.qr.make()
        modules = widget.qr.getModuleCount()
    except Exception as exc:  # reportlab raises bare Exception/ValueError when it does not fit
        raise ValueError(f"QR payload too long ({len(payload.encode('utf-8'))} bytes)") from exc
    module_mm = size_mm / (modules + 2 * QUIET_ZONE)
    if module_mm < MIN_MODULE_MM:
        raise ValueError(
            f"QR modules would be {module_mm:.2f} mm (< {MIN_MODULE_MM} mm): "
            f"use a shorter payload or a larger size than {size_mm} mm"
        )
    register_fonts()
    # The drawing's initial font is the embedded one: reportlab's default
    # (Helvetica) would otherwise be listed, unembedded, in the PDF.
    d = Drawing(size, size, initialFontName=PRIMARY)
    d.add(widget)
    return d
