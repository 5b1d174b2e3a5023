"""Events other apps react to, so participants never imports the apps that depend on it."""

from django.dispatch import Signal

# Sent inside the eligibility transaction after a training record's eligibility changed.
# kwargs: training_record, from_status, to_status, actor. Declarations promote `submitted` ones.
eligibility_changed = Signal()

# Sent inside the transaction of any write that can change where a training record's induction records
# place it (records written or moved, their programme's partnership linked, challenged or reported), after
# the stored current induction records were refreshed. kwargs: training_record_ids. Declarations refresh
# which providers see the records' declarations.
induction_records_changed = Signal()
