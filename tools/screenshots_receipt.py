"""The current A4 受理通知书 as pictures (FAKE data of docs/samples/make_samples.py), for docs/screenshots/.

    PYTHONPATH=. .venv/bin/python tools/screenshots_receipt.py

Writes receipt-a4-seal-line.png (the receipt as a clerk prints it: two stubs, the cut line, the seal
line and signatures on each) and receipt-a4-emergency.png (急难型 with twelve 待补材料: set smaller,
still one page with the cut line). Rendered with pypdfium2 (no Debian packages needed).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs" / "samples"))

from make_samples import receipt  # noqa: E402

from forms.documents.receipt import render_receipt_a4  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
DPI = 90
TO_FOLLOW = ("户口簿", "家庭经济状况核对授权书", "医疗费用票据及结算单", "疾病诊断证明", "收入证明",
             "事故证明（火灾、交通事故等）", "房屋损毁情况证明", "残疾人证", "村（居）委会出具的情况说明",
             "家庭成员承诺书", "银行账户信息", "其他证明材料")


def save(pdf: bytes, name: str) -> Path:
    doc = pdfium.PdfDocument(pdf)
    if len(doc) != 1:
        raise SystemExit(f"{name}: {len(doc)} pages, expected one (two stubs and the cut line)")
    path = OUT / f"{name}.png"
    doc[0].render(scale=DPI / 72).to_pil().save(path)
    return path


def main() -> int:
    base = receipt()
    emergency = dataclasses.replace(base, categories=("临时救助（急难型）", "最低生活保障"),
                                    documents_received=("社会救助申请书", "居民身份证复印件"),
                                    documents_to_follow=TO_FOLLOW)
    for pdf, name in ((render_receipt_a4(base), "receipt-a4-seal-line"),
                      (render_receipt_a4(emergency), "receipt-a4-emergency")):
        print(save(pdf, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
