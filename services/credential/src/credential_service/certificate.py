"""Render the certificate 《工勤人员继续教育记录》 as a PDF with a verification QR code."""

import io
from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

TITLE = "工勤人员继续教育记录"
CATEGORY_LABELS = {"political": "思政", "general": "通识", "job_skills": "岗位技能提升"}
GRADE_LABELS = {
    "ordinary": "普通工", "junior": "初级工", "intermediate": "中级工",
    "senior": "高级工", "technician": "技师", "senior_technician": "高级技师",
}

# STSong-Light is one of the CID fonts every PDF reader supplies, so the file
# embeds no font and its text stays extractable as Unicode.
FONT = "STSong-Light"
QR_BOX_PIXELS = 8
QR_BORDER_MODULES = 4


@dataclass(frozen=True)
class CourseLine:
    title: str
    category: str
    credit_hours: int


@dataclass(frozen=True)
class CertificateDocument:
    """Everything printed on one certificate."""

    certificate_number: str
    verification_code: str
    verification_url: str
    learner_name: str
    masked_id_number: str
    employing_unit: str
    grade: str
    training_year: int
    courses: list[CourseLine]
    hours: dict[str, int]
    required: dict[str, int]
    issued_on: date
    revoked_on: date | None = None


def qr_png(url: str) -> bytes:
    """Encode ``url`` as a QR code PNG with one module per ``QR_BOX_PIXELS`` square."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=QR_BOX_PIXELS, border=QR_BORDER_MODULES)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def render_pdf(document: CertificateDocument) -> bytes:
    _register_font()
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer, pagesize=A4, title=TITLE, author="江苏省工勤人员继续教育平台",
        leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
    )
    title = ParagraphStyle("title", fontName=FONT, fontSize=20, leading=28, alignment=1)
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=16)
    story = [Paragraph(f"《{TITLE}》", title), Spacer(1, 6 * mm)]
    if document.revoked_on is not None:
        story += [Paragraph(f"本证明已于{document.revoked_on:%Y年%m月%d日}撤销，不再有效。", body)]
    story += [
        _table(_profile_rows(document), [30 * mm, 55 * mm, 30 * mm, 55 * mm]),
        Spacer(1, 5 * mm),
        _table(_course_rows(document, body), [100 * mm, 40 * mm, 30 * mm], header=True),
        Spacer(1, 5 * mm),
        _table(_total_rows(document), [60 * mm, 40 * mm, 40 * mm, 30 * mm], header=True),
        Spacer(1, 6 * mm),
        _footer(document, body),
    ]
    pdf.build(story)
    return buffer.getvalue()


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _profile_rows(document: CertificateDocument) -> list[list[str]]:
    return [
        ["姓名", document.learner_name, "公民身份号码", document.masked_id_number],
        ["工作单位", document.employing_unit, "技术等级", GRADE_LABELS.get(document.grade, document.grade)],
        ["培训年度", f"{document.training_year}年", "证明编号", document.certificate_number],
    ]


def _course_rows(document: CertificateDocument, body: ParagraphStyle) -> list[list[Any]]:
    rows: list[list[Any]] = [["课程名称", "课程类别", "学时"]]
    for course in document.courses:
        # A paragraph wraps a long title inside its cell instead of overflowing it.
        category = CATEGORY_LABELS.get(course.category, course.category)
        rows.append([Paragraph(escape(course.title), body), category, str(course.credit_hours)])
    return rows


def _total_rows(document: CertificateDocument) -> list[list[str]]:
    rows = [["类别", "要求学时", "已获学时", "是否达标"]]
    for category, label in CATEGORY_LABELS.items():
        earned, needed = document.hours.get(category, 0), document.required.get(category, 0)
        rows.append([label, str(needed), str(earned), "达标" if earned >= needed else "未达标"])
    rows.append(["合计", str(sum(document.required.get(c, 0) for c in CATEGORY_LABELS)),
                 str(sum(document.hours.values())), ""])
    return rows


def _table(rows: list[list[Any]], widths: list[float], header: bool = False) -> Table:
    table = Table(rows, colWidths=widths)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 10.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")))
    table.setStyle(TableStyle(style))
    return table


def _footer(document: CertificateDocument, body: ParagraphStyle) -> Table:
    text = [
        Paragraph(f"发证日期：{document.issued_on:%Y年%m月%d日}", body),
        Paragraph(f"证明编号：{document.certificate_number}", body),
        Paragraph(f"验证码：{document.verification_code}", body),
        Paragraph("扫描右侧二维码或访问以下网址核验本证明：", body),
        Paragraph(escape(document.verification_url), body),
    ]
    qr_image = Image(io.BytesIO(qr_png(document.verification_url)), width=38 * mm, height=38 * mm)
    footer = Table([[text, qr_image]], colWidths=[125 * mm, 45 * mm])
    footer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return footer
