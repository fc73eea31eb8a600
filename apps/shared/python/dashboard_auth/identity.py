"""Verify the ALB's ``x-amzn-oidc-data`` header (an ES256 JWT) before trusting any claim in it.

What AWS documents for this header: the JWT header carries ``kid`` (the key id), ``signer`` (the
ARN of the load balancer that signed it) and ``exp``; the public key is a PEM served at
``https://public-keys.auth.elb.<region>.amazonaws.com/<kid>``; the segments are base64url
*with* ``=`` padding, which some JWT libraries reject (PyJWT, pinned in requirements.txt,
accepts it and still rejects other junk).

The header is hostile input until its signature checks out: :meth:`AlbTokenVerifier.verify`
never raises, whatever it holds.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from .keys import KeyStore, KeyUrlError, check_keys_url, default_keys_url, fetch_pem, local_http_opted_in

# The ALB adds x-amzn-oidc-data (signed user claims) to every request it forwards after authenticating: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
OIDC_DATA_HEADER = "x-amzn-oidc-data"

log = logging.getLogger(__name__)

# The kid becomes part of a URL path: accept only the characters ALB key ids use (UUIDs),
# so a forged header cannot point the key fetch elsewhere. Matched with fullmatch: `$` would
# let a trailing newline through.
_KID_RE = re.compile(r"[A-Za-z0-9_-]{1,128}")
# ALB tokens are well under this; larger headers are not worth parsing.
_MAX_TOKEN_LEN = 16 * 1024


@dataclass(frozen=True)
class User:
    """The signed-in user, built only from a verified token."""

    email: str | None
    username: str | None
    subject: str
    claims: Mapping[str, Any]

    @property
    def display_name(self) -> str:
        return self.email or self.username or self.subject


def _load_alb_key(pem: bytes) -> ec.EllipticCurvePublicKey:
    key = load_pem_public_key(pem)
    # ALB signs with ECDSA P-256 + SHA-256 (ES256): https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("ALB public key is not a P-256 EC key")
    return key


class AlbTokenVerifier:
    """Verifies ALB OIDC data tokens for one load balancer; public keys come from a
    :class:`~dashboard_auth.keys.KeyStore` (bounded caches, limited fetches for unseen kids)."""

    def __init__(
        self,
        alb_arn: str,
        keys_url: str,
        fetch: Callable[[str], bytes] | None = None,
        leeway_seconds: int = 0,
        allow_local_http: bool = False,
    ) -> None:
        """``keys_url`` must be https (KeyUrlError otherwise), or with ``allow_local_http`` a
        plain-http loopback IP literal (tests); ``fetch`` replaces the network fetch (tests)."""
        self.alb_arn = alb_arn
        self.keys_url = check_keys_url(keys_url, allow_local_http)
        self._fetch = fetch or functools.partial(fetch_pem, allow_http=self.keys_url.startswith("http:"))
        self._leeway = leeway_seconds
        self._keys = KeyStore(self.keys_url, self._fetch, _load_alb_key)

    def verify(self, token: object) -> dict[str, Any] | None:
        """Return the token's claims if it is valid for this ALB, else None. Never raises:
        whatever the header holds (any type, any size, any nesting), a token that is not
        provably ours means "not signed in"."""
        try:
            return self._verify(token)
        except Exception as exc:  # noqa: BLE001 (a hostile header must never become a 500)
            log.debug("x-amzn-oidc-data rejected: %s", type(exc).__name__)
            return None

    def _verify(self, token: object) -> dict[str, Any] | None:
        # Framework headers are str; anything else (bytes, numbers, lists from a plain dict)
        # is not a token. ALB tokens are ASCII: base64url segments joined by dots.
        if not isinstance(token, str) or not token or len(token) > _MAX_TOKEN_LEN:
            return None
        token = token.strip()
        if not token.isascii():
            return None
        # PyJWT parses the segments (ALB '=' padding included) and turns malformed base64,
        # non-JSON, non-object and too deeply nested headers into a PyJWTError.
        header = jwt.get_unverified_header(token)
        # The JWT header carries alg, kid, signer (the ALB's ARN, to be checked) and exp: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
        if header.get("alg") != "ES256" or header.get("signer") != self.alb_arn:
            return None
        kid = header.get("kid")
        if not isinstance(kid, str) or not _KID_RE.fullmatch(kid):
            return None
        # The header carries its own exp; honour it as well as the payload's.
        if "exp" in header and self._expired(header["exp"]):
            return None
        key = self._keys.get(kid)
        if key is None:
            return None
        # Signature over the segments exactly as sent, then the registered claims (exp
        # required; nbf and iat checked when present). No audience: the ALB binding is the
        # signer check above, and userinfo claims may carry an aud of the IdP's choosing.
        claims = jwt.decode(
            token,
            key,
            algorithms=["ES256"],
            options={"require": ["exp"], "verify_aud": False},
            leeway=self._leeway,
        )
        # PyJWT accepts numeric strings and any int; the ALB sends a JSON number.
        if self._expired(claims["exp"]):
            return None
        return claims

    def _expired(self, exp: object) -> bool:
        """True unless ``exp`` is a finite JSON number still in the future (with leeway).
        Strings, booleans, NaN, infinities and integers too large for a float count as expired."""
        if isinstance(exp, bool) or not isinstance(exp, (int, float)):
            return True
        try:
            seconds = float(exp)
        except OverflowError:
            return True
        return not math.isfinite(seconds) or seconds + self._leeway < time.time()


@functools.lru_cache(maxsize=8)
def _cached_verifier(alb_arn: str, keys_url: str, allow_local_http: bool) -> AlbTokenVerifier | None:
    try:
        return AlbTokenVerifier(alb_arn, keys_url, allow_local_http=allow_local_http)
    except KeyUrlError as exc:  # logged once per configuration (cached)
        log.error("ALB_PUBLIC_KEYS_URL refused, so nobody is signed in: %s", exc)
        return None


def verifier_from_env(env: Mapping[str, str] | None = None) -> AlbTokenVerifier | None:
    """The verifier configured by ALB_ARN and ALB_PUBLIC_KEYS_URL / AWS_REGION, if complete and
    the key URL is allowed (https; local http only with DASHBOARD_AUTH_ALLOW_LOCAL_HTTP_KEYS=1)."""
    env = os.environ if env is None else env
    alb_arn = env.get("ALB_ARN", "").strip()
    keys_url = env.get("ALB_PUBLIC_KEYS_URL", "").strip() or default_keys_url(
        env.get("AWS_REGION", "").strip() or env.get("AWS_DEFAULT_REGION", "").strip()
    )
    if not alb_arn or not keys_url:
        return None
    return _cached_verifier(alb_arn, keys_url, local_http_opted_in(env))


def _header(headers: Mapping[str, str] | Any, name: str) -> str | None:
    # Framework header objects (Werkzeug, Starlette, Streamlit) are case-insensitive;
    # plain dicts may not be, so fall back to a case-insensitive scan.
    value = headers.get(name)
    if value is None and isinstance(headers, Mapping):
        value = next((v for k, v in headers.items() if isinstance(k, str) and k.lower() == name), None)
    return value


def current_user(headers: Mapping[str, str] | Any, env: Mapping[str, str] | None = None) -> User | None:
    """The user from a verified ``x-amzn-oidc-data`` header, or None when absent or not trusted."""
    verifier = verifier_from_env(env)
    if verifier is None:
        return None
    claims = verifier.verify(_header(headers, OIDC_DATA_HEADER))
    if claims is None or not isinstance(claims.get("sub"), str):
        return None

    def text(key: str) -> str | None:
        value = claims.get(key)
        return value if isinstance(value, str) and value else None

    # The payload holds the IdP's userInfo claims (for Cognito: the user's attributes): https://docs.aws.amazon.com/cognito/latest/developerguide/userinfo-endpoint.html
    return User(
        email=text("email"),
        username=text("username") or text("cognito:username"),
        subject=claims["sub"],
        claims=claims,
    )
