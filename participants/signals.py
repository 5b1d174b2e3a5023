"""Events other apps react to, so participants never imports the apps that depend on it (07 §5)."""

from django.dispatch import Signal

# Sent inside the eligibility transaction after a training record's eligibility changed.
# kwargs: training_record, from_status, to_status, actor. Declarations promote `submitted` ones (04 §8).
eligibility_changed = Signal()
