"""The single-column A4 layout shared by the notices, the authorization
letter and the referral slip."""

from __future__ import annotations

from collections.abc import Callable

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, SimpleDocTemplate

from forms.documents._common import A4_BODY, DOC_KW, Styles, build_pdf

MARGIN_X = 18 * mm
MARGIN_TOP = 15 * mm
MARGIN_BOTTOM = 20 * mm
FOOTER_Y = 10 * mm
FRAME_PADDING = 6  # SimpleDocTemplate's frame padding (pt)
WIDTH = A4[0] - 2 * MARGIN_X - 2 * FRAME_PADDING


def styles() -> Styles:
    return Styles(A4_BODY)


def render_a4(story_fn: Callable[[Styles, float], list[Flowable]], *, title: str, township: str,
              case_number: str, copy_label: str | None) -> bytes:
    """Build an A4 PDF from ``story_fn(styles, width)`` with the standard
    footer ``{title}  受理编号：{case} … 第N页 共M页``."""

    def build(buf, canvasmaker):
        doc = SimpleDocTemplate(
            buf, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM, title=title, author=township, **DOC_KW,
        )
        doc.build(story_fn(styles(), WIDTH), canvasmaker=canvasmaker)

    return build_pdf(build, footer_left=f"{title}  受理编号：{case_number}", copy_label=copy_label,
                     margin_x=MARGIN_X, footer_y=FOOTER_Y)
