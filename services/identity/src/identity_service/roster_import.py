"""Bulk roster import from .xlsx and .csv files.

The whole file is read and every row validated before anything is saved; the
valid new rows are then saved in one transaction (``Identity.import_people``).
A file that cannot be read completely therefore saves nothing.
"""

import csv
import io
import logging
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from eventplatform.errors import DomainError
from openpyxl import load_workbook

from identity_service.application import Actor, Identity
from identity_service.domain.errors import InvalidInput
from identity_service.domain.roster import ValidatedPerson, validate_person
from identity_service.domain.validation import mask_id_number
from identity_service.messages import reason_text, warning_text

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000

COLUMN_NAMES = {
    "姓名": "name", "name": "name",
    "身份证号": "id_number", "身份证号码": "id_number", "公民身份号码": "id_number",
    "id_number": "id_number",
    "工作单位": "employing_unit", "employing_unit": "employing_unit",
    "统一社会信用代码": "employing_unit_credit_code", "单位统一社会信用代码": "employing_unit_credit_code",
    "employing_unit_credit_code": "employing_unit_credit_code",
    "技术等级": "grade", "等级": "grade", "grade": "grade",
    "手机号": "mobile", "手机号码": "mobile", "mobile": "mobile",
}
REQUIRED_COLUMNS = ("name", "id_number", "employing_unit", "employing_unit_credit_code", "grade")


class RosterFileUnreadable(DomainError):
    """The file is not a readable roster; ``message`` is the Chinese text for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ImportReport:
    file_name: str
    total_rows: int = 0
    imported: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)


def import_roster_file(app: Identity, office_id: str, file_name: str, content: bytes,
                       actor: Actor, today: date) -> ImportReport:
    """Validate every row of a roster file and save its valid new rows all together."""
    rows = list(read_rows(file_name, content))
    report = ImportReport(file_name=file_name, total_rows=len(rows))

    valid: list[tuple[int, ValidatedPerson]] = []
    seen: set[str] = set()
    for row_number, fields in rows:
        try:
            validated = validate_person(fields, today)
        except InvalidInput as error:
            report.rejected.append(_rejection(row_number, fields.get("id_number", ""), error.reason))
            continue
        if validated.id_number.value in seen:
            report.rejected.append(_rejection(row_number, validated.id_number.value, "duplicate_in_file"))
            continue
        seen.add(validated.id_number.value)
        valid.append((row_number, validated))
        report.warnings += [{"row": row_number, "message": warning_text(code)}
                            for code in validated.warnings]

    outcome = app.import_people(office_id, valid, actor)
    numbers = dict((row_number, validated.id_number.value) for row_number, validated in valid)
    for row_number, reason in sorted(outcome.conflicts.items()):
        report.rejected.append(_rejection(row_number, numbers[row_number], reason))
    report.rejected.sort(key=lambda item: item["row"])
    report.imported = outcome.imported
    report.unchanged = outcome.unchanged
    return report


def read_rows(file_name: str, content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (row number as shown in a spreadsheet, fields by column) for each non-empty row."""
    if len(content) > MAX_FILE_BYTES:
        raise RosterFileUnreadable("文件超过10MB，请分成多个文件导入。")
    lower = file_name.lower()
    if lower.endswith(".csv"):
        table = _csv_table(content)
    elif lower.endswith(".xlsx"):
        table = _xlsx_table(content)
    else:
        raise RosterFileUnreadable("仅支持 .xlsx 或 .csv 格式的花名册文件。")

    header_row = next(table, None)
    if header_row is None:
        raise RosterFileUnreadable("文件为空，请使用花名册模板填写后导入。")
    columns = [COLUMN_NAMES.get(_cell_text(cell).replace(" ", "").lower()) for cell in header_row]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise RosterFileUnreadable(
            "表头缺少必填列，请使用模板：姓名、身份证号、工作单位、统一社会信用代码、技术等级、手机号。"
        )

    count = 0
    for row_number, cells in enumerate(table, start=2):
        texts = [_cell_text(cell) for cell in cells]
        if not any(texts):
            continue
        count += 1
        if count > MAX_ROWS:
            raise RosterFileUnreadable(f"单个文件最多{MAX_ROWS}行，请分成多个文件导入。")
        # Spreadsheet rows may be shorter or longer than the header: missing cells count as empty.
        yield row_number, {column: text for column, text in zip(columns, texts, strict=False)
                           if column}


def _csv_table(content: bytes) -> Iterator[list[Any]]:
    # Excel saves CSV as GBK on Chinese Windows; other tools write UTF-8, often with a BOM.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterFileUnreadable("无法识别CSV文件的编码，请另存为UTF-8或GBK编码后重试。")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise RosterFileUnreadable("CSV文件格式有误，请检查引号和分隔符后重试。") from None
    return iter(rows)


def _xlsx_table(content: bytes) -> Iterator[list[Any]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
        workbook.close()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as error:
        logger.info("unreadable xlsx upload: %s", type(error).__name__)
        raise RosterFileUnreadable("Excel文件无法读取，请确认是 .xlsx 格式且未损坏。") from None
    return iter(rows)


def _cell_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        # A number cell: ID numbers typed as numbers lose digits beyond 15, and the
        # check then rejects the row with a clear reason.
        return str(int(cell))
    return str(cell).strip()


def _rejection(row_number: int, id_number: str, reason: str) -> dict[str, Any]:
    normalized = id_number.strip().upper()
    return {
        "row": row_number,
        "id_number": mask_id_number(normalized) if len(normalized) == 18 else normalized,
        "reason": reason_text(reason),
    }
