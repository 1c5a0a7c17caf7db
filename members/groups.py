"""The staff groups' names. Staff read them in the admin (users, groups, workflow tasks), so they
are Japanese; `members/0012_staff_groups_japanese_names` renamed the English ones. Code and tests
use these constants, never the literal names. Migrations before the rename still use the
English names (RENAMED_FROM), and `group_permissions` accepts either."""

EDITORS = "編集者"
MODERATORS = "モデレーター"
MEMBER_STAFF = "会員担当"
FINANCE = "会計"

# Each group's name before the rename (Editors and Moderators come from Wagtail's own migrations).
RENAMED_FROM = {
    EDITORS: "Editors",
    MODERATORS: "Moderators",
    MEMBER_STAFF: "Member staff",
    FINANCE: "Finance",
}
RENAMED_TO = {old: new for new, old in RENAMED_FROM.items()}

# Place coordinators (members/volunteering/migrations/0002_coordinators_group): their own places'
# shifts, sign-ups, attendance and hours, and those volunteers' contact details; nothing else.
COORDINATORS = "コーディネーター"
