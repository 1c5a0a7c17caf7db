"""The members app's models, one module per domain area; importable from `members.models`.

Business rules live in `members/services.py`; these models only hold data and its constraints.
"""

from .consents import ConsentRecord
from .deletion import DeletionRequest
from .imports import MemberImport
from .lists import Area, Interest, MembershipPlan, Skill
from .memberships import Membership
from .pages import JoinPage, MemberPortalPage
from .supporters import NOT_CONTACTABLE, Supporter, VolunteerProfile
from .tokens import AccessToken
from .users import User

__all__ = [
    "NOT_CONTACTABLE",
    "AccessToken",
    "Area",
    "ConsentRecord",
    "DeletionRequest",
    "Interest",
    "JoinPage",
    "MemberImport",
    "MemberPortalPage",
    "Membership",
    "MembershipPlan",
    "Skill",
    "Supporter",
    "User",
    "VolunteerProfile",
]
