from config.errors import DomainError


class NoOutputStatementError(DomainError):
    """The provider has no open output statement for the cohort: its contract has ended (04 §6.11)."""

    title = "cohort"

    def __init__(self, cohort_year: int):
        super().__init__(
            f"You cannot submit or void declarations for the {cohort_year} cohort. The funding contract for this "
            "cohort has ended. Get in touch if you need to discuss this with us"
        )


class StatementNotAuthorisableError(DomainError):
    """06 §3.1 as amended by D6/D19: only a payable, unauthorised statement past its deadline."""

    title = "statement"


class StatementNotPayableError(DomainError):
    """06 §4.2: only a payable statement that has been authorised is paid."""

    title = "statement"


class AdjustmentNotEditableError(DomainError):
    title = "adjustment"
