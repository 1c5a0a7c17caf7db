# Transitional re-export for donations/ (removed after the sub-app merge).
from ouendan.core.filters import CheckboxFilter  # noqa: F401
