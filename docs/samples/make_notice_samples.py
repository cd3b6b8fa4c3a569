"""Render the public notice (公示) samples with FAKE households into docs/samples/.

    .venv/bin/python docs/samples/make_notice_samples.py

The samples go the way every real notice goes: invented households — with
children, disabled members, incomes, phones, bank cards and addresses — pass
through the one masking rule (``desktop.domain.notice.mask_for_notice``),
then ``notice_table``, then the renderers. Writes:

- ``notice-a4-portrait.pdf``   低保, 12 households (one with an applicant under 18: held back)
- ``notice-a3-landscape.pdf``  特困, ID fragment (first 6 + last 4) as a policy may ask
- ``notice-300-rows.pdf``      低保, 300 households, A4 portrait (header repeated on every page)
- ``notice-withdrawal.pdf``    撤回公示的说明
- ``notice.csv`` / ``notice.html``  the website export of the A4 sample

and, when ``pdftoppm`` (Debian ``poppler-utils``) is installed, PNG previews at
50 dpi (the 300-row notice: first, second and last page).
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from pypdf import PdfReader  # noqa: E402

from desktop.domain.categories import Category  # noqa: E402
from desktop.domain.notice import (  # noqa: E402
    DEFAULT_NOTICE_CONTENT,
    HeldBack,
    NoticeContent,
    NoticePeriod,
    NoticeSource,
    PeriodUnit,
    SourceMember,
    mask_for_notice,
    notice_table,
)
from forms.documents.notice_export import notice_csv, notice_html  # noqa: E402
from forms.documents.notice_poster import (  # noqa: E402
    NoticeText,
    WithdrawalText,
    render_notice_poster,
    render_notice_withdrawal,
)
from forms.idnumber import check_char  # noqa: E402

ISSUER = "榆中县城关镇人民政府"
COMPLAINT = "12345政务服务便民热线 12345；榆中县社会救助服务热线（演示） 0931-5550110"
CONTACT = "异议受理：城关镇便民服务中心一楼2号窗口（兴隆路18号）；电话 0931-5550123"
POSTED = date(2026, 9, 30)
PERIOD = NoticePeriod(POSTED, date(2026, 10, 8), 7, PeriodUnit.DAYS)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟强磊军勇杰涛明超刚平辉鹏华芳娜敏静丽艳娟霞秀英玲桂兰萍红梅琳燕莉堃喆犇昇"
VILLAGES = ("东坪村", "西沟村", "南塬村", "杏树台村", "马家庄村", "下河滩村")


def ident(rng: random.Random, born: date) -> str:
    body = f"620123{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + check_char(body)


def person(rng: random.Random, age: int, name: str | None = None) -> SourceMember:
    born = POSTED - timedelta(days=age * 365 + rng.randrange(300))
    return SourceMember(
        name=name or rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
        id_number=ident(rng, born), birth_date=born, health=rng.choice(("健康", "慢性病", "重病（大病）")),
        illness=rng.choice(("", "尿毒症", "脑梗后遗症")), disability=rng.choice(("", "肢体残疾二级")),
        monthly_income_cents=rng.randrange(0, 200_000), phone=f"139{rng.randrange(10**8):08d}",
        bank_account=f"6222{rng.randrange(10**15):015d}")


def household(rng: random.Random, i: int, village: str, category: Category, holder_age: int | None = None,
              holder_name: str | None = None) -> NoticeSource:
    holder = person(rng, holder_age or rng.randrange(25, 88), holder_name)
    others = [person(rng, rng.randrange(1, 80)) for _ in range(rng.randrange(0, 5))]
    return NoticeSource(
        case_ref=f"sample-{i}", holder=holder, members=(holder, *others), village_name=village, category=category,
        proposed_monthly_cents=rng.randrange(30, 160) * 1000, address=f"{village}{rng.randrange(1, 7)}组{i}号",
        phones=(holder.phone,), bank_accounts=(holder.bank_account,), assets=("无",), reason="因病致贫")


def texts(sources: list[NoticeSource], content: NoticeContent, category: Category, title: str, village: str,
          reference: str, *, period_column: bool = False) -> NoticeText:
    results = [mask_for_notice(s, content, PERIOD) for s in sources]
    held = [r for r in results if isinstance(r, HeldBack)]
    if held:
        print(f"  {reference}: {len(held)} case(s) held back — {held[0].reason}")
    table = notice_table([r for r in results if not isinstance(r, HeldBack)], content, category,
                         period_column=period_column)
    return NoticeText(
        issuer=ISSUER, title=title, subtitle=f"{village}　公示编号 {reference}",
        intro=(f"根据社会救助有关规定，经本人申请、入户调查，现将{village}{title.removesuffix('公示')}名单予以公示。"
               f"公示期内，任何单位和个人如有异议，可以通过来访、来电、来信等方式向{ISSUER}反映。"
               "反映情况应当实事求是，我们将依法为反映人保密。"),
        period_text=PERIOD.text, complaint_phone=COMPLAINT, contact=CONTACT, issued_on=POSTED, reference=reference,
        headers=table.headers, rows=table.rows, weights=table.weights)


def previews(pdf: Path, pages: tuple[int, ...] | None = None) -> None:
    tool = shutil.which("pdftoppm")
    if tool is None:
        return
    if pages is None:
        subprocess.run([tool, "-r", "50", "-png", str(pdf), str(pdf.with_suffix(""))], check=True)
        return
    for n in pages:
        subprocess.run([tool, "-r", "50", "-png", "-f", str(n), "-l", str(n), str(pdf), str(pdf.with_suffix(""))],
                       check=True)


def main() -> int:
    rng = random.Random(20260930)
    for old in HERE.glob("notice-*.png"):
        old.unlink()

    a4 = [household(rng, 1, "东坪村", Category.DIBAO, holder_name="张𠮷祥")]
    a4 += [household(rng, i, "东坪村", Category.DIBAO) for i in range(2, 12)]
    a4.append(household(rng, 12, "东坪村", Category.DIBAO, holder_age=16, holder_name="马小雨"))   # held back
    a4_text = texts(a4, DEFAULT_NOTICE_CONTENT, Category.DIBAO, "最低生活保障拟保障对象公示", "东坪村",
                    "GS-2026-003-0007")
    out = HERE / "notice-a4-portrait.pdf"
    out.write_bytes(render_notice_poster(a4_text, "A4", "portrait"))
    previews(out)
    web = texts(a4, DEFAULT_NOTICE_CONTENT, Category.DIBAO, "最低生活保障拟保障对象公示", "东坪村",
                "GS-2026-003-0007", period_column=True)
    (HERE / "notice.csv").write_bytes(notice_csv(web))
    (HERE / "notice.html").write_bytes(notice_html(web))

    tekun = [household(rng, i, "杏树台村", Category.TEKUN) for i in range(1, 19)]
    with_id = NoticeContent(DEFAULT_NOTICE_CONTENT.fields, id_head=6, id_tail=4)
    out = HERE / "notice-a3-landscape.pdf"
    out.write_bytes(render_notice_poster(
        texts(tekun, with_id, Category.TEKUN, "特困人员拟认定对象公示", "杏树台村", "GS-2026-003-0008"),
        "A3", "landscape"))
    previews(out)

    many = [household(rng, i, rng.choice(VILLAGES), Category.DIBAO) for i in range(1, 301)]
    big = texts(many, DEFAULT_NOTICE_CONTENT, Category.DIBAO, "最低生活保障拟保障对象公示", "城关镇各村（社区）",
                "GS-2026-003-0009")
    out = HERE / "notice-300-rows.pdf"
    pdf = render_notice_poster(big, "A4", "portrait")
    out.write_bytes(pdf)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    previews(out, (1, 2, pages))

    withdrawal = WithdrawalText(ISSUER, "最低生活保障拟保障对象公示", "GS-2026-003-0007",
                                "2026年09月30日在东坪村村务公开栏张贴", PERIOD.text,
                                "公示名单中一户的家庭人口登记有误", "所列申请经核实更正后将依规重新公示，撤回前已反映的意见继续有效。",
                                COMPLAINT, date(2026, 10, 2))
    out = HERE / "notice-withdrawal.pdf"
    out.write_bytes(render_notice_withdrawal(withdrawal))
    previews(out)
    print(f"wrote notice samples to {HERE} (300-row notice: {pages} pages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
