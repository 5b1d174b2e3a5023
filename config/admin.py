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
