"""Events other apps react to, so participants never imports the apps that depend on it."""

from django.dispatch import Signal

# Sent inside the eligibility transaction after a training record's eligibility changed.
# kwargs: training_record, from_status, to_status, actor. Declarations promote `submitted` ones.
eligibility_changed = Signal()
