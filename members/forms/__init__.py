"""Public forms: the join form and the member portal's edit forms.

Every value is normalised in the clean methods (members/normalise.py) so the services receive
what staff would have typed: full-width katakana, half-width digits, 123-4567, 090-1234-5678.
details.py has the shared name and contact fields, choices.py volunteering, plans and consents,
join.py the join form and portal.py the portal's forms.
"""

from .choices import (
    ConsentFieldsMixin,
    VolunteerFieldsMixin,
    availability_rows,
    plan_label,
)
from .details import (
    PREFECTURES,
    REQUIRED_MESSAGE,
    AccessibleFormMixin,
    SupporterDetailsForm,
    _valid_email,
)
from .join import EmailForm, JoinForm
from .portal import ConsentForm, DeletionForm, ProfileForm, VolunteerForm

__all__ = [
    "PREFECTURES",
    "REQUIRED_MESSAGE",
    "AccessibleFormMixin",
    "ConsentFieldsMixin",
    "ConsentForm",
    "DeletionForm",
    "EmailForm",
    "JoinForm",
    "ProfileForm",
    "SupporterDetailsForm",
    "VolunteerFieldsMixin",
    "VolunteerForm",
    "_valid_email",
    "availability_rows",
    "plan_label",
]
