# Transitional re-export for donations/ (removed after the sub-app merge).
from ouendan.core.storage import private_storage  # noqa: F401
