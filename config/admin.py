"""Shared admin pieces: read-only history inlines and a base that never lets staff edit a state field."""

from django.contrib import admin


class ReadOnlyInline(admin.TabularInline):
    """History rows are append-only: visible in the admin, never added, changed or deleted there."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


class HistoryAdmin(admin.ModelAdmin):
    """Admin for an append-only table: browse and search only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DomainAdmin(admin.ModelAdmin):
    """Money and state hang off these rows, so nothing is deleted from the admin."""

    state_fields: tuple[str, ...] = ()

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *self.state_fields)


class ActorNames:
    """Says who acted, in words, for history screens: a staff user by name and email, a provider's API
    token by its provider, a command by its name. Built once per page from every (kind, id) pair shown,
    with at most one query per kind, so a long history costs no more queries than a short one.
    """

    def __init__(self, pairs):
        from django.apps import apps
        from django.contrib.auth import get_user_model

        from config.actors import ActorKind

        ids: dict[str, set[str]] = {ActorKind.STAFF_USER: set(), ActorKind.PROVIDER_TOKEN: set()}
        for kind, actor_id in pairs:
            if kind in ids and actor_id and str(actor_id).isdigit():
                ids[kind].add(str(actor_id))
        self._users = {}
        if ids[ActorKind.STAFF_USER]:
            self._users = {
                str(user.pk): user
                for user in get_user_model().objects.filter(pk__in=ids[ActorKind.STAFF_USER])
            }
        self._tokens = {}
        if ids[ActorKind.PROVIDER_TOKEN]:
            token_model = apps.get_model("partnerships", "LeadProviderToken")
            self._tokens = {
                str(token.pk): token
                for token in token_model.objects.filter(pk__in=ids[ActorKind.PROVIDER_TOKEN]).select_related(
                    "lead_provider"
                )
            }

    @staticmethod
    def user_name(user) -> str:
        name = user.get_full_name() or user.get_username()
        return f"{name} ({user.email})" if user.email and user.email != name else name

    def __call__(self, kind, actor_id, *, user=None) -> str:
        from config.actors import ActorKind

        if user is not None and kind in (None, "", ActorKind.STAFF_USER):
            return self.user_name(user)
        if kind == ActorKind.STAFF_USER:
            found = self._users.get(str(actor_id))
            return self.user_name(found) if found else f"a staff user who no longer exists (#{actor_id})"
        if kind == ActorKind.PROVIDER_TOKEN:
            token = self._tokens.get(str(actor_id))
            return f"{token.lead_provider} through the API" if token else "a lead provider through the API"
        if kind == ActorKind.COMMAND:
            return f"the {actor_id} command"
        return "the system"
