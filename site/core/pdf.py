"""Japanese PDFs (感謝状, receipts) with ReportLab.

The IPAex fonts (Debian packages fonts-ipaexfont-mincho/-gothic, installed by dev.sh) are
TrueType, so ReportLab embeds a subset of them and the text stays extractable. Without them we
fall back to ReportLab's built-in Japanese CID fonts, which viewers must supply themselves.
"""

import functools
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from wagtail.images import get_image_model

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


@functools.lru_cache(maxsize=4)
def _image_bytes(image_id: int, file_name: str) -> bytes | None:
    """An image's file, read once per process and file (a batch prints a seal thousands of
    times); the file name is part of the key, so a replaced file is read again."""
    image = get_image_model().objects.filter(pk=image_id, file=file_name).first()
    if image is None:
        return None
    with image.file.open("rb") as handle:
        return handle.read()


def pdf_image(image_id: int | None) -> ImageReader | None:
    """A Wagtail image (a seal, a logo) ready to draw on a canvas, or None when it is not set,
    gone or not an image ReportLab can read."""
    if not image_id:
        return None
    file_name = get_image_model().objects.filter(pk=image_id).values_list("file", flat=True).first()
    data = _image_bytes(image_id, file_name) if file_name else None
    if not data:
        return None
    try:
        reader = ImageReader(io.BytesIO(data))
        reader.getSize()  # reads the header: fails here, not halfway through a page
    except Exception:
        logger.warning("Image %s cannot be drawn in a PDF", image_id)
        return None
    return reader
