"""The ALB's public keys: where they may come from and how they are fetched.

Keys come over https only, from the configured base URL, never through a redirect: a 3xx to
another server would let that server choose the key, and so sign in anyone it likes. Tests that
serve keys from a local http server opt in with ``DASHBOARD_AUTH_ALLOW_LOCAL_HTTP_KEYS=1``, and
then only to a loopback IP literal (a name such as ``localhost`` resolves wherever DNS or
/etc/hosts says). No image sets it, and the stack config reserves ``DASHBOARD_*`` names for the
platform, so a deployed dashboard cannot turn it on. The R verifier (apps/shiny/alb_auth.R) and
the portal follow the same rules.
"""

from __future__ import annotations

import ipaddress
import re
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from urllib.parse import urlsplit

# Set to "1" only by tests (test/apps/harness.ts) that serve keys on 127.0.0.1 over http.
LOCAL_HTTP_OPT_IN = "DASHBOARD_AUTH_ALLOW_LOCAL_HTTP_KEYS"
# The regional endpoint answers in milliseconds; a slow one must not hold a request for long.
FETCH_TIMEOUT_SECONDS = 2.0
# An ALB public key is a PEM of a few hundred bytes.
MAX_PEM_BYTES = 16 * 1024
_REGION_RE = re.compile(r"[a-z]{2}(-[a-z0-9]+)+-[0-9]{1,2}")


class KeyUrlError(ValueError):
    """The configured key URL is not one keys may be fetched from."""


def default_keys_url(region: str | None) -> str | None:
    # Regional ALB key endpoint; the PEM public key for a token is at <endpoint>/<kid>: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
    # The region becomes part of a host name: only region-shaped values (eu-west-1, us-gov-west-1).
    if not region or not _REGION_RE.fullmatch(region):
        return None
    return f"https://public-keys.auth.elb.{region}.amazonaws.com"


def local_http_opted_in(env: Mapping[str, str]) -> bool:
    return env.get(LOCAL_HTTP_OPT_IN) == "1"


def _is_loopback_literal(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name, not an IP literal


def check_keys_url(url: str, allow_local_http: bool = False) -> str:
    """The base URL without trailing slashes, if keys may be fetched from it; else KeyUrlError.

    ``https://host[:port][/path]`` with no user info, query or fragment (the kid is appended as
    a path segment); plain ``http`` only with the opt-in and only to a loopback IP literal.
    """
    base = url.strip().rstrip("/")
    try:
        parts = urlsplit(base)
        parts.port  # noqa: B018 (raises ValueError on a malformed port)
    except ValueError as exc:
        raise KeyUrlError(f"malformed key URL {url!r}") from exc
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment or "?" in base or "#" in base:
        raise KeyUrlError(f"key URL {url!r} must not carry user info, a query or a fragment")
    if not parts.hostname:
        raise KeyUrlError(f"key URL {url!r} has no host")
    if parts.scheme == "https":
        return base
    if parts.scheme == "http" and allow_local_http and _is_loopback_literal(parts.hostname):
        return base
    hint = f" ({LOCAL_HTTP_OPT_IN}=1 allows http to a loopback IP literal, for tests)" if parts.scheme == "http" else ""
    raise KeyUrlError(f"key URL {url!r} refused: https only{hint}")


def _opener(allow_http: bool) -> urllib.request.OpenerDirector:
    # Built by hand rather than with build_opener: no redirect handler (a 3xx becomes an
    # HTTPError), and no file:, ftp: or data: handlers.
    opener = urllib.request.OpenerDirector()
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.ProxyHandler(),  # HTTPS_PROXY/NO_PROXY, as urlopen honoured them
        urllib.request.HTTPSHandler(context=ssl.create_default_context()),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
        urllib.request.UnknownHandler(),
    ]
    if allow_http:
        handlers.append(urllib.request.HTTPHandler())
    for handler in handlers:
        opener.add_handler(handler)
    return opener


def fetch_pem(url: str, timeout: float = FETCH_TIMEOUT_SECONDS, *, allow_http: bool = False) -> bytes:
    """GET ``url`` (https, or http when allowed): the body of a 200 answer, at most MAX_PEM_BYTES.

    Never follows redirects. ``timeout`` bounds each network wait, and the body must arrive
    within ``timeout`` of the answer's headers.
    """
    scheme = urlsplit(url).scheme
    if scheme != "https" and not (scheme == "http" and allow_http):
        raise KeyUrlError(f"refusing to fetch a key over {scheme or 'no scheme'}")
    request = urllib.request.Request(url, headers={"Accept": "application/x-pem-file, text/plain"})
    with _opener(allow_http).open(request, timeout=timeout) as resp:
        if resp.status != 200:
            raise urllib.error.HTTPError(url, resp.status, "unexpected status", resp.headers, None)
        deadline = time.monotonic() + timeout
        body = bytearray()
        while len(body) <= MAX_PEM_BYTES:
            if time.monotonic() > deadline:
                raise TimeoutError("the key endpoint sends too slowly")
            chunk = resp.read1(4096)
            if not chunk:
                return bytes(body)
            body += chunk
    raise ValueError(f"key larger than {MAX_PEM_BYTES} bytes")
