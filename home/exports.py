# Transitional re-export for donations/ (removed after the sub-app merge).
from ouendan.core.exports import (  # noqa: F401
    SafeSpreadsheetExportMixin,
    spreadsheet_safe,
    spreadsheet_safe_row,
)
