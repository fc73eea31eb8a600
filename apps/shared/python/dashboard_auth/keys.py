"""The ALB's public keys: where they may come from, how they are fetched and cached.

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
import logging
import re
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

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


# ---------------------------------------------------------------------------------------------
# The key cache. A kid nobody has seen costs an outbound fetch, and anyone who can reach the app
# can make up kids: so fetches for unseen kids are few (a budget that refills slowly, at most two
# at a time, none while the endpoint is failing), concurrent requests for one kid share a single
# fetch, and both caches are bounded LRUs. A key rotation needs one fetch per process; a flood of
# forged kids costs at most the budget, and keys already cached keep working throughout.

MAX_KEYS = 32  # the ALB uses a handful of keys at a time
MAX_FAILED = 128
NEGATIVE_CACHE_SECONDS = 60.0
FETCH_BUDGET = 4  # fetches for unseen kids in a burst, refilled over FETCH_WINDOW_SECONDS
FETCH_WINDOW_SECONDS = 60.0
MAX_FETCHES_IN_FLIGHT = 2
BREAKER_SECONDS = 30.0  # after the endpoint times out, refuses or answers 5xx/429


class _Flight:
    """One fetch in progress; requests for the same kid wait for its result."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.key: Any = None


def _endpoint_unhealthy(exc: BaseException) -> bool:
    """A failure that says the endpoint is down or throttling, not that the kid is unknown."""
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code >= 500 or exc.code == 429
    return isinstance(exc, OSError)  # timeouts, refused connections, DNS, TLS


class KeyStore:
    """Public keys by kid: ``get(kid)`` answers a cached key, fetches an unseen one within the
    limits above, or answers None (unknown kid, failed fetch, or over the limits)."""

    def __init__(
        self,
        base_url: str,
        fetch: Callable[[str], bytes],
        load: Callable[[bytes], Any],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._base_url = base_url
        self._fetch = fetch
        self._load = load
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: OrderedDict[str, Any] = OrderedDict()
        self._failed: OrderedDict[str, float] = OrderedDict()  # kid -> time of the failure
        self._flights: dict[str, _Flight] = {}
        self._budget = float(FETCH_BUDGET)
        self._budget_at = clock()
        self._breaker_until = float("-inf")
        self._refusing = False  # log the first refusal of a spell only
        # A waiter gives up when the fetch it waits for overruns its own limits.
        self._wait_seconds = 2 * FETCH_TIMEOUT_SECONDS + 1

    def get(self, kid: str) -> Any:
        with self._lock:
            key = self._keys.get(kid)
            if key is not None:
                self._keys.move_to_end(kid)
                return key
            failed_at = self._failed.get(kid)
            if failed_at is not None:
                if self._clock() - failed_at < NEGATIVE_CACHE_SECONDS:
                    return None
                del self._failed[kid]
            flight = self._flights.get(kid)
            leader = flight is None
            if leader:
                if not self._may_fetch():
                    return None
                flight = self._flights[kid] = _Flight()
        if not leader:
            flight.done.wait(self._wait_seconds)
            return flight.key
        try:
            flight.key = self._fetch_and_load(kid)
        finally:
            with self._lock:
                del self._flights[kid]
            flight.done.set()
        return flight.key

    def _may_fetch(self) -> bool:
        """Takes one fetch from the budget if allowed now (called with the lock held)."""
        now = self._clock()
        self._budget = min(
            float(FETCH_BUDGET), self._budget + (now - self._budget_at) * FETCH_BUDGET / FETCH_WINDOW_SECONDS
        )
        self._budget_at = now
        if now < self._breaker_until:
            reason = "the key endpoint is failing"
        elif len(self._flights) >= MAX_FETCHES_IN_FLIGHT:
            reason = "enough fetches are in progress"
        elif self._budget < 1:
            reason = "the fetch budget is spent"
        else:
            self._budget -= 1
            self._refusing = False
            return True
        if not self._refusing:
            self._refusing = True
            log.warning("ALB public keys: not fetching keys for unseen kids for now (%s); those tokens are not signed in", reason)
        return False

    def _fetch_and_load(self, kid: str) -> Any:
        try:
            key = self._load(self._fetch(f"{self._base_url}/{kid}"))
        except Exception as exc:  # any fetch or parse failure means: not verifiable
            log.warning("could not load ALB public key %r: %s", kid, exc)
            with self._lock:
                if _endpoint_unhealthy(exc):
                    # Not the kid's fault: no negative entry, but no fetches for a while.
                    self._breaker_until = self._clock() + BREAKER_SECONDS
                else:
                    self._failed[kid] = self._clock()
                    self._failed.move_to_end(kid)
                    while len(self._failed) > MAX_FAILED:
                        self._failed.popitem(last=False)
            return None
        with self._lock:
            self._keys[kid] = key
            self._keys.move_to_end(kid)
            while len(self._keys) > MAX_KEYS:
                self._keys.popitem(last=False)
        return key
