"""Outbound HTTP that cannot reach internal addresses: resolve, check every address, connect to it.

Every call hookhub makes to a URL a user configured goes through `send`. The host is resolved
once; every address it resolves to must be public (or allow-listed), and the connection is made
to the checked address itself, so a second DNS answer cannot swap in an internal one. Redirects
are never followed.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from dataclasses import dataclass
from typing import Any

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    LocationParseError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.util import parse_url

from core.config import DEFAULTS
from core.errors import HookhubError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
USER_AGENT = "hookhub/0.1"
MAX_URL_LENGTH = 2000
SCHEMES = ("http", "https")
METADATA = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "169.254.169.253", "fd00:ec2::254", "100.100.100.200",
    "192.0.0.192"))
SHARED = ipaddress.ip_network("100.64.0.0/10")
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_pools: dict[int, urllib3.PoolManager] = {}
_pools_lock = threading.Lock()


class EgressRefused(HookhubError):
    """A URL hookhub will not call: bad form, or an address it must not reach."""

    reason = "egress_refused"


class TransportError(Exception):
    """No HTTP response: DNS, connection, TLS or timeout failure."""


@dataclass(frozen=True)
class Policy:
    """What outbound calls may reach and how long they may take."""

    allow: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    connect_timeout: float = DEFAULTS["PUSH_CONNECT_TIMEOUT"]
    read_timeout: float = DEFAULTS["PUSH_READ_TIMEOUT"]
    max_response_bytes: int = DEFAULTS["PUSH_RESPONSE_MAX_BYTES"]
    pool_size: int = DEFAULTS["PUSH_CONCURRENCY"]

    @classmethod
    def from_config(cls, config: Any, **overrides: Any) -> Policy:
        """Build the policy from EGRESS_ALLOW (CIDRs, list or comma-separated) and timeouts."""
        allow = config.get("EGRESS_ALLOW") or ()
        if isinstance(allow, str):
            allow = [a for a in allow.split(",") if a.strip()]
        values = {"allow": tuple(ipaddress.ip_network(a.strip(), strict=False) for a in allow),
                  "connect_timeout": float(config["PUSH_CONNECT_TIMEOUT"]),
                  "read_timeout": float(config["PUSH_READ_TIMEOUT"]),
                  "max_response_bytes": int(config["PUSH_RESPONSE_MAX_BYTES"]),
                  "pool_size": int(config["PUSH_CONCURRENCY"])}
        return cls(**{**values, **overrides})

    def allows(self, ip: IPAddress) -> bool:
        """True when the address, or the IPv4 address it embeds, is in the allow-list."""
        candidates = [ip, *embedded_ipv4(ip)]
        return any(c.version == n.version and c in n for c in candidates for n in self.allow)

    def problem(self, ip: IPAddress) -> str | None:
        """Why this address may not be reached, or None when it may."""
        return None if self.allows(ip) else address_problem(ip)


@dataclass(frozen=True)
class Reply:
    """An HTTP response, its body read up to the policy's cap."""

    status: int
    headers: dict[str, str]
    body: bytes
    truncated: bool
    address: str


def embedded_ipv4(ip: IPAddress) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries: mapped, 6to4, Teredo, NAT64."""
    if ip.version == 4:
        return []
    found = [a for a in (ip.ipv4_mapped, ip.sixtofour) if a is not None]
    if ip.teredo:
        found.extend(ip.teredo)
    if any(ip in net for net in NAT64):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def shown(ip: IPAddress) -> str:
    """An address as messages show it (mapped IPv6 with its IPv4 part dotted)."""
    return f"::ffff:{ip.ipv4_mapped}" if ip.version == 6 and ip.ipv4_mapped else str(ip)


def address_problem(ip: IPAddress) -> str | None:
    """Name the class of a non-public address (loopback, private, metadata...), or None."""
    for inner in embedded_ipv4(ip):
        problem = address_problem(inner)
        if problem:
            return f"{problem} (embedded in {shown(ip)})"
    checks = (
        (ip in METADATA, "cloud metadata"),
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (ip.version == 4 and ip in SHARED, "shared (CGNAT)"),
        (ip.is_reserved, "reserved"),
        (ip.is_private, "private"),
        (not ip.is_global, "non-global"),
    )
    return next((label for hit, label in checks if hit), None)


def check_url(url: str) -> tuple[str, str, int, str]:
    """Validate a URL's form; return scheme, host, port and request target."""
    if not isinstance(url, str) or len(url) > MAX_URL_LENGTH:
        raise EgressRefused(f"URL must be a string of at most {MAX_URL_LENGTH} characters.")
    try:
        parts = parse_url(url)
    except LocationParseError as exc:
        raise EgressRefused(f"URL '{url}' cannot be parsed.") from exc
    if parts.scheme not in SCHEMES:
        raise EgressRefused(f"URL '{url}' must start with http:// or https://.")
    if not parts.host:
        raise EgressRefused(f"URL '{url}' has no host.")
    if parts.auth:
        raise EgressRefused(f"URL '{url}' carries credentials; use the auth setting instead.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, parts.host, port, parts.request_uri


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the host resolves to (numeric forms included), in resolver order."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TransportError(f"cannot resolve {host}: {exc}") from exc
    seen: dict[IPAddress, None] = {}
    for info in infos:
        seen.setdefault(ipaddress.ip_address(info[4][0].split("%")[0]), None)
    return list(seen)


def checked_addresses(policy: Policy, url: str) -> tuple[str, str, int, str, list[IPAddress]]:
    """Resolve a URL's host and refuse it unless every address is allowed."""
    scheme, host, port, target = check_url(url)
    addresses = resolve(host, port)
    for ip in addresses:
        problem = policy.problem(ip)
        if problem:
            raise EgressRefused(f"Refused: {host} resolves to {shown(ip)}, a {problem} address.")
    return scheme, host, port, target, addresses


def _manager(policy: Policy) -> urllib3.PoolManager:
    # One keep-alive pool set per process and pool size: connections to a receiver are reused.
    with _pools_lock:
        if policy.pool_size not in _pools:
            _pools[policy.pool_size] = urllib3.PoolManager(num_pools=64, maxsize=policy.pool_size,
                                                           block=False)
        return _pools[policy.pool_size]


def _host_header(scheme: str, host: str, port: int) -> str:
    default = 443 if scheme == "https" else 80
    return host if port == default else f"{host}:{port}"


def send(policy: Policy, method: str, url: str, headers: dict[str, str], body: bytes | None
         ) -> Reply:
    """Make one request through the guard; raise EgressRefused or TransportError."""
    scheme, host, port, target, addresses = checked_addresses(policy, url)
    sni = host.strip("[]")
    pool_kwargs = {"server_hostname": sni, "assert_hostname": sni} if scheme == "https" else {}
    headers = {"Host": _host_header(scheme, host, port), "User-Agent": USER_AGENT, **headers}
    timeout = urllib3.Timeout(connect=policy.connect_timeout, read=policy.read_timeout)
    failure: Exception | None = None
    for ip in addresses:
        pool = _manager(policy).connection_from_host(str(ip), port, scheme, pool_kwargs=pool_kwargs)
        try:
            response = pool.urlopen(method, target, body=body, headers=headers, retries=False,
                                    redirect=False, timeout=timeout, preload_content=False,
                                    assert_same_host=False)
        except (NewConnectionError, ConnectTimeoutError) as exc:
            failure = exc
            continue
        except ReadTimeoutError as exc:
            raise TransportError(f"no response within {policy.read_timeout:g} s") from exc
        except SSLError as exc:
            raise TransportError(f"TLS error: {exc}") from exc
        except HTTPError as exc:
            raise TransportError(f"connection failed: {exc}") from exc
        return _read(policy, response, str(ip))
    raise TransportError(_connect_message(failure, policy)) from failure


def _read(policy: Policy, response: urllib3.BaseHTTPResponse, address: str) -> Reply:
    cap = policy.max_response_bytes
    try:
        data = response.read(cap + 1, decode_content=False)
    except HTTPError as exc:
        response.close()
        raise TransportError(f"response cut off: {exc}") from exc
    truncated = len(data) > cap
    if truncated:
        # The rest may be endless: drop the connection rather than drain it.
        response.close()
    else:
        response.release_conn()
    return Reply(response.status, dict(response.headers.items()), data[:cap], truncated, address)


def _connect_message(exc: Exception | None, policy: Policy) -> str:
    # NewConnectionError subclasses ConnectTimeoutError, so it is told apart first.
    if isinstance(exc, NewConnectionError):
        reason = str(exc)
        return "connection refused" if "Connection refused" in reason else f"connection failed: {reason}"
    return f"connect timeout after {policy.connect_timeout:g} s"

