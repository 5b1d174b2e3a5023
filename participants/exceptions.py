"""Spec error titles and messages for participant actions and eligibility."""

from config.errors import DomainError

NOT_RECOGNISED = (
    "Your update cannot be made as the '#/participant_id' is not recognised. "
    "Check participant details and try again."
)
COURSE_NOT_RECOGNISED = "The entered '#/course_identifier' is not recognised for the given participant. Check details and try again."
COURSE_BLANK = "Enter a '#/course_identifier' value for this participant."
REASON_BLANK = "The property '#/reason' must be present"
REASON_INVALID = "The property '#/reason' must be a valid reason"
ALREADY_DEFERRED = "The participant is already deferred"
ALREADY_WITHDRAWN = "The participant is already withdrawn"
ALREADY_ACTIVE = "The participant is already active"
SCHEDULE_INVALID = "The property '#/schedule_identifier' must be present and correspond to a valid schedule"
WITHDRAWN_PARTICIPANT = "Cannot perform actions on a withdrawn participant"
INVALIDATES_DECLARATIONS = "Changing schedule would invalidate existing declarations. Please void them first."
SCHEDULE_IN_USE = "Selected schedule is already on the profile"
SCHEDULE_NOT_FOR_COURSE = "Selected schedule is not valid for the course"
COHORT_LOCKED = "You cannot change the '#/cohort' field"
NO_PARTNERSHIP_FOR_COHORT = (
    "You cannot change a participant to this cohort as you do not have a partnership with the school "
    "for the cohort. Contact the DfE for assistance."
)


class EligibilityError(DomainError):
    """A refused eligibility change (admin or import): bad status or reason."""

    title = "Invalid eligibility"


class ProviderNotLinkedError(DomainError):
    """Staff chose a lead provider the training record has never trained with."""

    title = "Invalid action"


class MergeError(DomainError):
    """A refused merge of two people: what stands in the way, and what to do about it."""

    title = "Cannot merge"
