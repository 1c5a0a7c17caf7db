"""Import and export of pledges and deliveries (CSV / XLSX)."""

from .imports import ImportReport, inkind_import
from .resources import inkind_export

__all__ = ["ImportReport", "inkind_export", "inkind_import"]
