"""Who may use the server: an API token, UI logins, or nobody beyond this machine.

Serving beyond loopback without authentication refuses to start unless `--no-auth` says so.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import ReviewQAError

TOKEN_ENV = "REVIEWQA_API_TOKEN"
MIN_TOKEN_CHARS = 16


@dataclass(frozen=True)
class Access:
    token: str | None = None                       # the API's bearer token
    users: tuple[tuple[str, str], ...] = ()        # UI logins from --auth-file
    open_beyond_loopback: bool = False             # --no-auth given for a non-loopback host

    @property
    def ui_auth(self):
        """Gradio's `auth`: the users from the auth file, else any user name with the API token as
        password, else nothing (open)."""
        if self.users:
            return list(self.users)
        if self.token:
            token = self.token
            return lambda _user, password: secrets.compare_digest(str(password).encode(), token.encode())
        return None

    def describe(self) -> str:
        if self.open_beyond_loopback:
            return "no authentication (--no-auth): anyone who can reach this address can use it"
        parts = []
        if self.token:
            parts.append("the API needs the bearer token")
        if self.users:
            parts.append(f"the app needs one of {len(self.users)} logins")
        elif self.token:
            parts.append("the app needs a login with the token as password")
        return "; ".join(parts) or "this machine only (loopback), no login"


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_access(host: str, *, token_file: str | Path | None = None, auth_file: str | Path | None = None,
                   no_auth: bool = False, environ: Mapping[str, str] | None = None) -> Access:
    """Read the token (file, else $REVIEWQA_API_TOKEN) and UI logins, and refuse to serve beyond
    loopback without them unless `no_auth`."""
    variables = os.environ if environ is None else environ
    token = _read_token(token_file) if token_file else (variables.get(TOKEN_ENV) or "").strip() or None
    if token is not None and len(token) < MIN_TOKEN_CHARS:
        raise ReviewQAError(f"The API token is {len(token)} characters; use at least {MIN_TOKEN_CHARS} "
                            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`).")
    users = _read_users(auth_file) if auth_file else ()
    if is_loopback(host):
        return Access(token, users)
    if no_auth:
        return Access(token, users, open_beyond_loopback=token is None and not users)
    if token is None:
        raise ReviewQAError(
            f"Refusing to serve on {host} without authentication: anyone on the network could use it. Give "
            f"--token-file FILE (or set {TOKEN_ENV}) for the API and the app, optionally --auth-file for app "
            "logins, or --no-auth if that is really intended.")
    return Access(token, users)


def _read_token(path) -> str:
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ReviewQAError(f"The token file {path} cannot be read ({error.strerror}).") from None
    if not token or len(token.split()) != 1:
        raise ReviewQAError(f"The token file {path} must hold one token on one line.")
    return token


def _read_users(path) -> tuple[tuple[str, str], ...]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ReviewQAError(f"The auth file {path} cannot be read ({error.strerror}).") from None
    users = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        user, colon, password = line.strip().partition(":")
        if not colon or not user or len(password) < 8:
            raise ReviewQAError(f"Line {number} of {path} is not `user:password` with a password of 8 or more "
                                "characters.")
        users.append((user, password))
    if not users:
        raise ReviewQAError(f"The auth file {path} holds no `user:password` lines.")
    return tuple(users)


def bearer_matches(authorization: str | None, token: str) -> bool:
    """An `Authorization` header value carries this bearer token (compared in constant time)."""
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(given.strip().encode(), token.encode())


def header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def cookies(scope: dict) -> dict[str, str]:
    from http.cookies import SimpleCookie

    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header(scope, b"cookie") or "")
    except Exception:  # noqa: BLE001 - a malformed cookie header is no login
        return {}
    return {key: morsel.value for key, morsel in jar.items()}
