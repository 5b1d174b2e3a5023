from rest_framework.permissions import BasePermission

from config.api.clients import ApiClient


class IsLeadProvider(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.user, ApiClient)
