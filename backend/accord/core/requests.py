"""Helpers about the HTTP request (and the WebSocket scope) that every app shares.

The client's address: ``REMOTE_ADDR`` (the TCP peer) unless that peer is one of the reverse
proxies named in ``ACCORD_TRUSTED_PROXIES`` (addresses or networks, IPv4 or IPv6). Only then is
``X-Forwarded-For`` read, right to left: each proxy appends the address it received the request
from, so the rightmost entries are written by our own proxies and everything left of the first
address that is not a trusted proxy was written by the client and is ignored. A malformed entry
stops the walk: the answer is then the nearest proxy seen, never an address left of the garbage
(which the client may have written). Without a trusted proxy a client cannot choose its address
by sending the header.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

UNKNOWN = "unknown"


def parse_network(entry: str) -> IPNetwork | None:
    """``10.0.0.1``, ``10.0.0.0/8``, ``2001:db8::/32``; None for anything else."""
    try:
        network = ipaddress.ip_network(entry.strip(), strict=False)
    except ValueError:
        return None
    if isinstance(network, ipaddress.IPv6Network) and network.prefixlen >= 96:
        mapped = network.network_address.ipv4_mapped
        if mapped is not None:  # ::ffff:10.0.0.1 is 10.0.0.1
            return ipaddress.ip_network(f"{mapped}/{network.prefixlen - 96}")
    return network


def invalid_proxy_entries(entries: Iterable[str]) -> list[str]:
    """The entries of ACCORD_TRUSTED_PROXIES that are not an address or network (a check)."""
    return [entry for entry in entries if parse_network(entry) is None]


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(net for net in (parse_network(e) for e in entries) if net is not None)


def trusted_networks() -> tuple[IPNetwork, ...]:
    return _networks(tuple(getattr(settings, "ACCORD_TRUSTED_PROXIES", ()) or ()))


def parse_address(entry: str) -> IPAddress | None:
    """One address as proxies write it: ``1.2.3.4``, ``1.2.3.4:5678``, ``2001:db8::1``,
    ``[2001:db8::1]:443``, ``"[2001:db8::1]"``; IPv4-mapped IPv6 as IPv4. None otherwise
    (``unknown``, obfuscated names, empty, hostnames)."""
    text = entry.strip().strip('"')
    if text.startswith("["):
        end = text.find("]")
        if end < 0 or (text[end + 1 :] and not _is_port(text[end + 1 :])):
            return None
        text = text[1:end]
    elif text.count(":") == 1:  # IPv4 with a port; IPv6 has at least two colons
        host, _, port = text.partition(":")
        if not port.isdigit():
            return None
        text = host
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_port(rest: str) -> bool:
    return rest.startswith(":") and rest[1:].isdigit()


def is_trusted_proxy(address: IPAddress, networks: Sequence[IPNetwork]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def resolve_client_ip(
    peer: str | None,
    forwarded_for: Iterable[str],
    networks: Sequence[IPNetwork] | None = None,
) -> str:
    """The client's address given the TCP peer and the X-Forwarded-For header values (in the
    order they arrived; several headers are one list)."""
    nets = trusted_networks() if networks is None else networks
    peer_address = parse_address(peer or "")
    if peer_address is None:
        return str(peer or UNKNOWN) or UNKNOWN
    if not is_trusted_proxy(peer_address, nets):
        return str(peer_address)
    entries = [part for value in forwarded_for for part in value.split(",")]
    nearest = peer_address
    for entry in reversed(entries):
        address = parse_address(entry)
        if address is None:
            break  # garbage: nothing left of it can be trusted
        nearest = address
        if not is_trusted_proxy(address, nets):
            break
    return str(nearest)


def client_ip(request: HttpRequest) -> str:
    """The client's address for rate limits and (sealed) trace events."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    return resolve_client_ip(
        request.META.get("REMOTE_ADDR"), [forwarded] if forwarded is not None else []
    )


def scope_client_ip(scope: Mapping[str, Any]) -> str:
    """The same for an ASGI scope (the room's WebSocket): ``scope["client"]`` is the peer,
    the X-Forwarded-For headers are in ``scope["headers"]``."""
    client = scope.get("client") or (None, None)
    headers: Iterable[tuple[bytes, bytes]] = scope.get("headers") or ()
    forwarded = [
        value.decode("latin-1") for name, value in headers if name.lower() == b"x-forwarded-for"
    ]
    return resolve_client_ip(client[0], forwarded)


def from_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the TCP peer of this request is one of ACCORD_TRUSTED_PROXIES."""
    peer = parse_address(str(request.META.get("REMOTE_ADDR") or ""))
    return peer is not None and is_trusted_proxy(peer, trusted_networks())
