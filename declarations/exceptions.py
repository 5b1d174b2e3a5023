"""Declaration error texts (the public service's, byte for byte, typos included) and the errors that carry
them."""

from config.errors import InvalidActionError

NPQ_COURSE_NO_LONGER_SUPPORTED = "NPQ Courses are no longer supported"
INVALID_PARTICIPANT = (
    "Your update cannot be made as the '#/participant_id' is not recognised. "
    "Check participant details and try again."
)
WITHDRAWN_BEFORE_DECLARATION = (
    "This participant withdrew from this course on {withdrawn_at}. "
    "Enter a '#/declaration_date' that's on or before the withdrawal date."
)
MISSING_DECLARATION_DATE = "Enter a '#/declaration_date'."
MISSING_DECLARATION_TYPE = "Enter a '#/declaration_type'."
FUTURE_DATE = "The '#/declaration_date' value cannot be a future date. Check the date and try again."
INVALID_DECLARATION_DATE = "Enter a valid RCF3339 '#/declaration_date'."
BEFORE_MILESTONE_START = "Enter a '#/declaration_date' that's on or after the milestone start."
AFTER_MILESTONE_CUTOFF = "Enter a '#/declaration_date' that's before the milestone end date."
NO_OUTPUT_FEE_STATEMENTS = (
    "You cannot submit or void declarations for the {year} cohort. The funding contract for this cohort "
    "has ended. Get in touch if you need to discuss this with us"
)
MISMATCH_DECLARATION_TYPE = "The property '#/declaration_type' does not exist for this schedule."
DECLARATION_ALREADY_EXISTS = (
    "A declaration has already been submitted that will be, or has been, paid for this event"
)
RETAINED_NOT_ALLOWED_FOR_MENTOR = (
    "You cannot send retained or extended declarations for participants who began their mentor training "
    "after June 2025. Resubmit this declaration with either a started or completed declaration."
)
INVALID_COURSE = (
    "The entered '#/course_identifier' is not recognised for the given participant. "
    "Check details and try again."
)
MISSING_EVIDENCE_HELD = "Enter a '#/evidence_held' value for this participant."
INVALID_EVIDENCE_TYPE = "Enter an available '#/evidence_held' type for this participant's event and course."
DECLARATION_ALREADY_VOIDED = "This declaration has already been voided."
DECLARATION_NOT_VOIDABLE = "This declaration has been clawed-back, so you can only view it."

# Clawback refusals: prefixed, joined with ", " in this order.
CLAWBACK_PREFIX = "Participant declaration "
CLAWBACK_ALREADY_REFUNDABLE = "will or has been be refunded"
CLAWBACK_NOT_PAID = "must be paid before it can be clawed back"


class DeclarationAlreadyVoidedError(InvalidActionError):
    def __init__(self):
        super().__init__(DECLARATION_ALREADY_VOIDED)


class DeclarationNotVoidableError(InvalidActionError):
    def __init__(self):
        super().__init__(DECLARATION_NOT_VOIDABLE)


class ClawbackRefusedError(InvalidActionError):
    def __init__(self, reasons: list[str]):
        super().__init__(", ".join(CLAWBACK_PREFIX + reason for reason in reasons))
