# Transitional re-export for donations/ (removed after the sub-app merge).
from ouendan.core.pdf import pdf_fonts  # noqa: F401
