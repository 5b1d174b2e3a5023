from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Providers, schools and partnerships"

    def ready(self):
        from simple_history.signals import pre_create_historical_record

        from config.history import fill_historical_actor

        pre_create_historical_record.connect(fill_historical_actor, dispatch_uid="history_actor")

        from django.db.models.signals import post_migrate

        from config.groups import ensure_staff_groups

        # After the last domain app has migrated, so that every permission exists.
        post_migrate.connect(ensure_staff_groups, dispatch_uid="ensure_staff_groups")
        post_migrate.connect(ensure_cache_table, dispatch_uid="ensure_cache_table")


def ensure_cache_table(**kwargs) -> None:
    """The rate limiter's shared counters live in a database cache table; migrate creates it."""
    from django.core.management import call_command

    call_command("createcachetable", verbosity=0)
