from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns


class ApiRouter(SimpleRouter):
    """Paths without a trailing slash; a `.json` (or v1/v2 `.csv`) suffix is accepted."""

    def __init__(self):
        super().__init__(trailing_slash="")

    def get_urls(self):
        return format_suffix_patterns(super().get_urls(), allowed=["json", "csv"])
