"""Sign-out: the ALB has no logout of its own, so the app expires the ALB session cookies
(``AWSELBAuthSessionCookie-0``, ``-1``, ... split at 4 KB) and redirects to the identity
provider's logout URL (DASHBOARD_LOGOUT_URL), which ends the IdP session too."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

LOGOUT_PATH = "/logout"
# Answered by the load balancer itself without authentication; used when no logout URL is set.
SIGNED_OUT_PATH = "/signed-out"
# ALB session cookie AWSELBAuthSessionCookie-0, -1, ... (split when over 4K): https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
SESSION_COOKIE_PREFIX = "AWSELBAuthSessionCookie"
# Always expire the first shards even if the browser did not send them on this request.
_ALWAYS_EXPIRED = tuple(f"{SESSION_COOKIE_PREFIX}-{n}" for n in range(4))
# Cookie names echoed back must be plain tokens (no header injection via crafted names).
_COOKIE_NAME_RE = re.compile(rf"^{SESSION_COOKIE_PREFIX}[A-Za-z0-9_-]{{0,32}}$")
# ALB logout: the app expires the session cookies and redirects to the IdP's logout endpoint: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
_EXPIRED = "Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Secure; HttpOnly; SameSite=Lax"


def logout_url(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    # Cognito /logout with client_id and a logout_uri listed in the client's sign-out URLs: https://docs.aws.amazon.com/cognito/latest/developerguide/logout-endpoint.html
    return env.get("DASHBOARD_LOGOUT_URL", "").strip() or SIGNED_OUT_PATH


def portal_url(env: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    return env.get("DASHBOARD_PORTAL_URL", "").strip() or None


def session_cookie_names(cookie_header: str | None) -> list[str]:
    """Every ALB session cookie to expire: shards 0-3 plus any other shard the request carries."""
    names = dict.fromkeys(_ALWAYS_EXPIRED)
    for part in (cookie_header or "").split(";"):
        name = part.split("=", 1)[0].strip()
        if _COOKIE_NAME_RE.match(name):
            names[name] = None
    return list(names)


def logout_headers(cookie_header: str | None, env: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """Headers of the 302 answer to ``/logout`` (Location, no caching, one Set-Cookie per cookie)."""
    headers = [("Location", logout_url(env)), ("Cache-Control", "no-store")]
    headers += [("Set-Cookie", f"{name}=; {_EXPIRED}") for name in session_cookie_names(cookie_header)]
    return headers
