from config.errors import DomainError


class NoOutputStatementError(DomainError):
    """The provider has no open output statement for the cohort: its contract has ended."""

    title = "cohort"

    def __init__(self, cohort_year: int):
        super().__init__(
            f"You cannot submit or void declarations for the {cohort_year} cohort. The funding contract for this "
            "cohort has ended. Get in touch if you need to discuss this with us"
        )


class StatementNotAuthorisableError(DomainError):
    """Only a payable, not yet authorised statement whose deadline has passed (the payment date is not checked)."""

    title = "statement"


class StatementNotPayableError(DomainError):
    """Only a payable statement that has been authorised is paid."""

    title = "statement"


class AdjustmentNotEditableError(DomainError):
    title = "adjustment"
