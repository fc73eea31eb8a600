"""Identity and sign-out for dashboards behind an AWS Application Load Balancer.

The ALB authenticates users (Cognito or another OIDC provider) and forwards the signed
``x-amzn-oidc-data`` header; this package verifies it and builds the ``/logout`` response.
Framework adapters live in ``dashboard_auth.flask`` and ``dashboard_auth.starlette``.
"""

from .identity import OIDC_DATA_HEADER, AlbTokenVerifier, User, current_user, verifier_from_env
from .logout import LOGOUT_PATH, SESSION_COOKIE_PREFIX, logout_headers, logout_url, portal_url

__all__ = [
    "OIDC_DATA_HEADER",
    "AlbTokenVerifier",
    "User",
    "current_user",
    "verifier_from_env",
    "LOGOUT_PATH",
    "SESSION_COOKIE_PREFIX",
    "logout_headers",
    "logout_url",
    "portal_url",
]
