"""The supporter's field lists, defined once: forms, the admin, imports, exports and privacy use
these, so a new field is added in one place."""

# A person's name (and birth year); hidden and emptied for an organisation.
SUPPORTER_PERSON_FIELDS = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "birth_year",
)
# An organisation's name and contact; hidden and emptied for a person.
SUPPORTER_ORGANISATION_FIELDS = (
    "organisation_name",
    "organisation_name_kana",
    "department",
    "contact_person",
    "invoice_address",
)
# Phone and postal address.
SUPPORTER_CONTACT_FIELDS = (
    "phone",
    "postal_code",
    "prefecture",
    "city",
    "address_line",
    "building",
)
# Stored in full-width katakana (members/normalise.py normalise_kana).
SUPPORTER_KANA_FIELDS = ("family_name_kana", "given_name_kana", "organisation_name_kana")

# What supporters may change themselves in the portal (not the e-mail address, the kind or
# anything staff keep).
PORTAL_PROFILE_FIELDS = frozenset(
    {
        *SUPPORTER_PERSON_FIELDS,
        *SUPPORTER_ORGANISATION_FIELDS,
        *SUPPORTER_CONTACT_FIELDS,
        "preferred_language",
    }
)

# What staff may change on the supporter edit screen. Never consents (only their owner changes
# them), the source or the dates: members.services.supporter_update refuses anything else.
SUPPORTER_STAFF_FIELDS = (
    "kind",
    "status",
    *SUPPORTER_PERSON_FIELDS,
    *SUPPORTER_ORGANISATION_FIELDS,
    "email",
    *SUPPORTER_CONTACT_FIELDS,
    "is_volunteer",
    "preferred_language",
    "notes",
)

# The staff list's search: every word must match one of these.
SUPPORTER_SEARCH_FIELDS = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "organisation_name",
    "organisation_name_kana",
    "email",
    "phone",
)

# Blanked when a supporter is anonymised (members/privacy.py); the names family_name and
# organisation_name are replaced by a placeholder instead, birth_year is cleared.
SUPPORTER_BLANKED_FIELDS = tuple(
    name
    for name in (
        *SUPPORTER_PERSON_FIELDS,
        *SUPPORTER_ORGANISATION_FIELDS,
        "email",
        *SUPPORTER_CONTACT_FIELDS,
        "notes",
    )
    if name not in ("family_name", "organisation_name", "birth_year")
)

# The volunteer profile as the join form and the portal ask for it.
VOLUNTEER_FIELDS = (
    "skills",
    "areas",
    "interests",
    "availability",
    "emergency_contact_name",
    "emergency_contact_phone",
)

# What staff may change on the membership edit screen (members.memberships.membership_update).
MEMBERSHIP_STAFF_FIELDS = (
    "plan",
    "status",
    "units",
    "amount_yen",
    "started_on",
    "renews_on",
    "auto_renew",
)
