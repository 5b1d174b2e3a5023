"""Who is calling the API: what authentication puts on `request.user`, and the answer when nobody is."""

from dataclasses import dataclass
from typing import Any

ACCESS_DENIED = "HTTP Token: Access denied"


@dataclass(frozen=True)
class ApiClient:
    """`request.user` for API requests: the lead provider behind the token (set by the partnerships app's
    token authentication, `partnerships.authentication`)."""

    lead_provider: Any
    token: Any
    is_authenticated: bool = True
