"""Reference facts of the programme that domain code and the API share."""

# Cohorts start in 2020, but the 2020 cohort was an internal pilot: when a request names no cohort, lists
# and counts consider cohorts from this start year on.
DEFAULT_FIRST_COHORT_YEAR = 2021

# When a cohort's payments are frozen (its funding contract has ended), its ECTs who have not finished
# training move to this cohort.
FROZEN_COHORT_DESTINATION_YEAR = 2024
