"""The administrative document layout of Decree 30/2020/NĐ-CP for the PDFs that go out on paper
(the coverage report, the cohort notice): issuing body with number and symbol top-left, national
motto top-right with the place/date line under it, and at the foot the recipients ("Nơi nhận:")
beside the signature blocks. Flowables for reportlab's platypus; fonts are registered by the
caller (lms/core/fonts.py)."""

from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from flask import current_app
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from lms.core.fonts import FONT, FONT_BOLD, FONT_ITALIC

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
BLANK = "……"  # left for the clerk (văn thư) to fill in by hand


@dataclass(frozen=True)
class Issuer:
    """Who issues the document and who signs it."""

    parent_agency: str
    agency: str
    symbol: str         # the agency's part of the ký hiệu, e.g. "SYT" in "BC-SYT"
    place: str          # địa danh of the date line
    recipients: tuple   # "Nơi nhận" lines
    preparer_title: str
    preparer_name: str
    head_title: str     # may span two lines ("KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC")
    head_name: str


def issuer(stored: dict) -> Issuer:
    """The issuer from the admin's issuer settings (agency, place, signer) and the
    AGENCY_SYMBOL / REPORT_* settings (symbol, recipients, prepared-by).

    :param stored: `lms.certificates.services.issuer_settings()` (core does not import rooms)
    """
    cfg = current_app.config
    recipients = tuple(r.strip() for r in cfg["REPORT_RECIPIENTS"].split(";") if r.strip())
    return Issuer(stored["parent_agency"], stored["agency"], cfg["AGENCY_SYMBOL"],
                  stored["place"], recipients, cfg["REPORT_PREPARER_TITLE"],
                  cfg["REPORT_PREPARER_NAME"], stored["signer_title"], stored["signer_name"])


def day_words(day: date) -> str:
    """"ngày 08 tháng 02 năm 2026": days below 10 and months below 3 take a leading zero
    (Decree 30, appendix I)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def date_line(place: str, day: date) -> str:
    """"Quảng Ninh, ngày 08 tháng 02 năm 2026"; an unset place is left as dots to fill in."""
    return f"{place or BLANK}, {day_words(day)}"


def number_line(kind: str, symbol: str) -> str:
    """"Số: ……/BC-SYT" for a report (kind BC) of agency SYT: the number is given when the
    clerk registers the signed document."""
    return f"Số: {BLANK}/{kind}-{symbol}" if symbol else f"Số: {BLANK}/{kind}"


def _styles(size: float) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("od", fontName=FONT, fontSize=size, leading=size * 1.3,
                          alignment=TA_CENTER)
    return {"centre": base,
            "bold": ParagraphStyle("odb", parent=base, fontName=FONT_BOLD),
            "italic": ParagraphStyle("odi", parent=base, fontName=FONT_ITALIC),
            "left": ParagraphStyle("odl", parent=base, alignment=0, fontSize=size - 1.5,
                                   leading=(size - 1.5) * 1.3),
            "left_bi": ParagraphStyle("odlb", parent=base, alignment=0, fontName=FONT_BOLD,
                                      fontSize=size - 0.5)}


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def header(who: Issuer, kind: str, day: date, *, size: float = 10.5,
           width: float = 180 * mm) -> Table:
    """Top of the first page: issuing body and "Số: …" left, the motto and the date line right.

    :param who: the issuer
    :param kind: the document type's code in the ký hiệu (BC báo cáo, TB thông báo)
    :param day: the date of the document
    """
    st = _styles(size)
    left = [_p(who.parent_agency.upper(), st["centre"]), _p(who.agency.upper(), st["bold"]),
            _p("———", st["centre"]), _p(number_line(kind, who.symbol), st["centre"])]
    right = [_p(MOTTO[0], st["bold"]), _p(MOTTO[1], st["bold"]), _p("———————", st["centre"]),
             _p(date_line(who.place, day), st["italic"])]
    table = Table([[left, right]], colWidths=[width * 0.42, width * 0.58])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def footer(who: Issuer, *, recipients: tuple | None = None, prepared_by: bool = True,
           size: float = 10.5, width: float = 180 * mm) -> Table:
    """Foot of the document: "Nơi nhận:" left, then the prepared-by (unless `prepared_by` is
    false) and head-of-unit signature blocks (title, "(Ký, …)", room to sign, name).

    :param recipients: the "Nơi nhận" lines; the issuer's REPORT_RECIPIENTS by default
    """
    st = _styles(size)
    lines = recipients or who.recipients or ("Lưu: VT",)
    sent_to = [_p("Nơi nhận:", st["left_bi"])]
    sent_to += [_p(f"- {line.rstrip(';.')}{'.' if i == len(lines) - 1 else ';'}",
                      st["left"]) for i, line in enumerate(lines)]

    def block(title: str, hint: str, name: str) -> list:
        return [_p(title.upper(), st["bold"]), _p(hint, st["italic"]), Spacer(1, 20 * mm),
                _p(name, st["bold"])]

    head = block(who.head_title or "THỦ TRƯỞNG ĐƠN VỊ", "(Ký, đóng dấu, ghi rõ họ tên)",
                 who.head_name)
    if prepared_by:
        row = [sent_to, block(who.preparer_title, "(Ký, ghi rõ họ tên)", who.preparer_name),
               head]
        widths = [width * 0.34, width * 0.30, width * 0.36]
    else:
        row, widths = [sent_to, head], [width * 0.55, width * 0.45]
    table = Table([row], colWidths=widths)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table
