"""The embedded Vietnamese TrueType font (Be Vietnam Pro, from `fontpkg_be_vietnam_pro`) for
every PDF: registered with reportlab once per process, embedded as a subset."""

import threading

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT, FONT_BOLD, FONT_ITALIC = "BeVietnamPro", "BeVietnamPro-Bold", "BeVietnamPro-Italic"
_FILES = {FONT: "BeVietnamPro-Regular.ttf", FONT_BOLD: "BeVietnamPro-Bold.ttf",
          FONT_ITALIC: "BeVietnamPro-Italic.ttf"}
_lock = threading.Lock()


def register_fonts() -> None:
    """Register the regular, bold and italic faces and their family (idempotent, thread-safe)."""
    with _lock:
        if FONT_ITALIC in pdfmetrics.getRegisteredFontNames():
            return
        from fontpkg_be_vietnam_pro import ROOT

        for name, filename in _FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(ROOT / "files" / filename)))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC,
                                      boldItalic=FONT_BOLD)
