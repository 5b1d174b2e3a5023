from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Providers, schools and partnerships"

    def ready(self):
        from simple_history.signals import pre_create_historical_record

        from config.history import fill_historical_actor

        pre_create_historical_record.connect(fill_historical_actor, dispatch_uid="history_actor")
