from rest_framework.routers import SimpleRouter


class ApiRouter(SimpleRouter):
    """Paths without a trailing slash; a `.json` (or v1/v2 `.csv`) suffix is accepted (01 §1.1)."""

    def __init__(self):
        super().__init__(trailing_slash="")
