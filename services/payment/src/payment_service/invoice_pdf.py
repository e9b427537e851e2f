"""Render an e-invoice as a PDF with Chinese text.

The text uses reportlab's built-in CID font ``STSong-Light`` (Adobe's
Chinese Simplified font pack, referenced by name and rendered by the PDF
viewer), so no font file ships with the service and the text stays
extractable: the font is encoded with ``UniGB-UCS2-H``, whose codes are
Unicode, and pypdf maps them back.
"""

import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
TITLE = "电子发票（普通发票）"

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_GROUP_UNITS = ["", "万", "亿"]
_PLACE_UNITS = ["", "拾", "佰", "仟"]


@dataclass(frozen=True)
class InvoiceDocument:
    invoice_number: str
    issued_on: date
    buyer_title: str
    buyer_credit_code: str
    seller_name: str
    seller_credit_code: str
    item: str
    amount_fen: int


def yuan(amount_fen: int) -> str:
    """Format fen as ``¥1,234.50``."""
    return f"¥{amount_fen // 100:,}.{amount_fen % 100:02d}"


def amount_in_words(amount_fen: int) -> str:
    """Write an amount in the capital Chinese numerals used on invoices (e.g. 贰佰元整)."""
    whole, fen = divmod(amount_fen, 100)
    jiao, fen = divmod(fen, 10)
    if jiao == 0 and fen == 0:
        return (_integer_in_words(whole) or "零") + "元整"
    # Below one yuan the words start at the first non-zero unit (壹分, not 零元零壹分).
    text = _integer_in_words(whole) + "元" if whole else ""
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif whole:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    return text


def _integer_in_words(number: int) -> str:
    groups = []
    while number:
        number, group = divmod(number, 10_000)
        groups.append(group)

    text = ""
    need_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            need_zero = bool(text)
            continue
        if need_zero or (text and group < 1000):
            text += "零"
        text += _group_in_words(group) + _GROUP_UNITS[index]
        need_zero = False
    return text


def _group_in_words(group: int) -> str:
    text = ""
    zero_pending = False
    for place in range(3, -1, -1):
        digit = group // 10**place % 10
        if digit == 0:
            zero_pending = bool(text)
            continue
        if zero_pending:
            text += "零"
            zero_pending = False
        text += _DIGITS[digit] + _PLACE_UNITS[place]
    return text


def render_invoice(document: InvoiceDocument) -> bytes:
    """Return the PDF bytes of one e-invoice; the same document always gives the same bytes."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))

    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), invariant=1)
    pdf.setTitle(f"{TITLE} {document.invoice_number}")

    pdf.setFont(FONT, 22)
    pdf.drawCentredString(width / 2, height - 70, TITLE)
    pdf.setFont(FONT, 11)
    pdf.drawString(width - 300, height - 105, f"发票号码：{document.invoice_number}")
    pdf.drawString(width - 300, height - 123, f"开票日期：{document.issued_on:%Y年%m月%d日}")

    top = height - 145
    pdf.rect(40, 120, width - 80, top - 120)
    pdf.line(width / 2, top, width / 2, top - 80)
    pdf.line(40, top - 80, width - 40, top - 80)
    _party(pdf, 50, top, "购买方信息", document.buyer_title, document.buyer_credit_code)
    _party(pdf, width / 2 + 10, top, "销售方信息", document.seller_name, document.seller_credit_code)

    rows_top = top - 105
    columns = [(50, "项目名称"), (330, "数量"), (420, "单价"), (540, "金额"), (660, "税率/征收率")]
    for x, label in columns:
        pdf.drawString(x, rows_top, label)
    price = yuan(document.amount_fen)
    for x, value in zip((column[0] for column in columns), (document.item, "1", price, price, "免税"), strict=True):
        pdf.drawString(x, rows_top - 22, value)

    pdf.line(40, 170, width - 40, 170)
    pdf.drawString(50, 145, f"价税合计（大写）：{amount_in_words(document.amount_fen)}")
    pdf.drawString(width - 300, 145, f"（小写）：{price}")
    pdf.setFont(FONT, 9)
    pdf.drawString(40, 100, "本发票由江苏省工勤技能岗位人员继续教育平台开具，仅用于演示，不作为报销凭证。")

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _party(pdf: canvas.Canvas, x: float, top: float, heading: str, name: str, credit_code: str) -> None:
    pdf.setFont(FONT, 11)
    pdf.drawString(x, top - 20, heading)
    pdf.drawString(x, top - 42, f"名称：{name}")
    pdf.drawString(x, top - 62, f"统一社会信用代码/纳税人识别号：{credit_code}")
