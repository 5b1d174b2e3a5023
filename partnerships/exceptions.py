"""The spec's messages for partnership requests and the errors of partnership use cases.

Request validation answers with `config.errors.AttributeErrors` (one entry per attribute); the
messages below are its details. Refused transitions raise the `InvalidActionError` subclasses.
"""

from config.errors import InvalidActionError

# Create, in the order the checks run.
COHORT_BLANK = "Enter a '#/cohort'."
SCHOOL_ID_BLANK = "Enter a '#/school_id'."
DELIVERY_PARTNER_ID_BLANK = "Enter a '#/delivery_partner_id'."
COHORT_INVALID = "The '#/cohort' you have entered is invalid. Check cohort details and try again."
SCHOOL_ID_INVALID = (
    "The '#/school_id' you have entered is invalid. Check school details and try again. "
    "Contact the DfE for support if you are unable to find the '#/school_id'."
)
SCHOOL_CIP_ONLY = (
    "The school you have entered has not registered to deliver DfE-funded training. "
    "Contact the school for more information."
)
SCHOOL_INELIGIBLE = "The school you have entered is currently ineligible for DfE funding. Contact the school for more information."
SCHOOL_ALREADY_CONFIRMED = (
    "You are already in a confirmed partnership with this school for the entered cohort."
)
SCHOOL_RECRUITED_BY_OTHER_PROVIDER = (
    "Another provider is in a confirmed partnership with the school for the cohort you entered. "
    "Contact the school for more information."
)
SCHOOL_PROGRAMME_NOT_YET_CONFIRMED = (
    "The school you have entered has not yet confirmed they will deliver DfE-funded training. "
    "Contact the school for more information."
)
DELIVERY_PARTNER_ID_INVALID = (
    "The '#/delivery_partner_id' you have entered is invalid. Check delivery partner details and try again."
)
DELIVERY_PARTNER_NO_RELATIONSHIP = (
    "The entered delivery partner is not recognised to be working in partnership with you for the given "
    "cohort. Contact the DfE for more information."
)

# Update.
PARTNERSHIP_CHALLENGED = (
    "Your update cannot be made as this partnership has been challenged by the school. If this partnership "
    "has been challenged in error, submit a new partnership confirmation using the endpoint "
    "POST /api/v3/partnerships/ecf."
)
DELIVERY_PARTNER_DUPLICATE = (
    "We are unable to process this request. You are already confirmed to be in partnership with the entered "
    "delivery partner. Contact the DfE for support."
)


class PartnershipAlreadyChallengedError(InvalidActionError):
    """A challenge of a partnership that is not active (admin, on a school's behalf)."""

    def __init__(self, detail: str = "This partnership has already been challenged."):
        super().__init__(detail)


class InvalidChallengeReasonError(InvalidActionError):
    def __init__(self, reason):
        super().__init__(f"'{reason}' is not a challenge reason.")
