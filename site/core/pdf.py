"""Japanese PDFs (感謝状, receipts) with ReportLab.

The IPAex fonts (Debian packages fonts-ipaexfont-mincho/-gothic, installed by dev.sh) are
TrueType, so ReportLab embeds a subset of them and the text stays extractable. Without them we
fall back to ReportLab's built-in Japanese CID fonts, which viewers must supply themselves.
"""

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

logger = logging.getLogger(__name__)

FONT_FILES = {
    "IPAexMincho": Path("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"),
    "IPAexGothic": Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"),
}
CID_FALLBACK = {"IPAexMincho": "HeiseiMin-W3", "IPAexGothic": "HeiseiKakuGo-W5"}


@dataclass(frozen=True)
class PdfFonts:
    serif: str  # 明朝: certificates and receipts
    sans: str  # ゴシック: headings and tables


@functools.cache
def pdf_fonts() -> PdfFonts:
    """Register the Japanese fonts once per process and return their ReportLab names."""
    names = {}
    for name, path in FONT_FILES.items():
        if path.exists():
            pdfmetrics.registerFont(TTFont(name, str(path)))
            names[name] = name
        else:
            logger.warning("%s not found; using the non-embedded CID font", path)
            pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK[name]))
            names[name] = CID_FALLBACK[name]
    return PdfFonts(serif=names["IPAexMincho"], sans=names["IPAexGothic"])
