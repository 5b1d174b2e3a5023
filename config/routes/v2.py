"""Routes of API v2: each app's viewsets of that version (the same operations as v1, see `older.py`)."""

from config.routes.older import older_version_urlpatterns

urlpatterns = older_version_urlpatterns("v2")
