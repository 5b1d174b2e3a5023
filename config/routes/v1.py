"""Routes of API v1: each app's viewsets of that version (the same operations as v2, see `older.py`)."""

from config.routes.older import older_version_urlpatterns

urlpatterns = older_version_urlpatterns("v1")
