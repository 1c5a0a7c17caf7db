# Transitional re-export for donations/ (removed after the sub-app merge).
from ouendan.core.admin_permissions import ListPermissionChooserMixin  # noqa: F401
