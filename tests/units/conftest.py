"""Roster file builders."""

import io

import pytest

HEADER = ("ma_nhan_su,ho_ten,gioi_tinh,nam_sinh,chuc_danh,ma_xa,so_dien_thoai,dan_toc,"
          "muc_tieu,ngay_nghi")


@pytest.fixture
def roster_csv():
    """Build CSV bytes from data lines (the Vietnamese header is added)."""
    def build(*lines, header=HEADER, sep=",", bom=False):
        text = "\n".join([header.replace(",", sep), *[ln.replace(",", sep) for ln in lines]])
        data = text.encode("utf-8")
        return (b"\xef\xbb\xbf" + data) if bom else data

    return build


@pytest.fixture
def roster_xlsx():
    """Build XLSX bytes from rows (lists of cell values), first row the header."""
    def build(rows):
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        for row in rows:
            ws.append(row)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    return build
