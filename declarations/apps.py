from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    name = "declarations"
    verbose_name = "Declarations"

    def ready(self):
        from declarations.services import promote_on_eligibility
        from participants.signals import eligibility_changed

        eligibility_changed.connect(
            promote_on_eligibility, dispatch_uid="declarations_promote_on_eligibility"
        )
