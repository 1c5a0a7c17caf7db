# Transitional re-export for donations/ (removed after the sub-app merge).
from ouendan.core.mail import LINK_HIDDEN, email_queue, email_redact  # noqa: F401
