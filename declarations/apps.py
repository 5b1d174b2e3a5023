from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    name = "declarations"
    verbose_name = "Declarations"

    def ready(self):
        from declarations.for_participants import DeclarationsForParticipants
        from declarations.services import promote_on_eligibility, refresh_visibility_on_induction_change
        from participants.ports import person_declarations, training_record_declarations
        from participants.signals import eligibility_changed, induction_records_changed

        training_record_declarations.install(DeclarationsForParticipants())
        person_declarations.install(DeclarationsForParticipants())
        eligibility_changed.connect(
            promote_on_eligibility, dispatch_uid="declarations_promote_on_eligibility"
        )
        induction_records_changed.connect(
            refresh_visibility_on_induction_change, dispatch_uid="declarations_visibility_on_induction_change"
        )
