"""The client's address behind reverse proxies (accord.core.requests): X-Forwarded-For is read
only from a configured proxy, right to left, skipping our proxies, stopping at garbage."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import RequestFactory

from accord.core.requests import (
    client_ip,
    invalid_proxy_entries,
    parse_address,
    resolve_client_ip,
    scope_client_ip,
)

PROXIES = ["10.0.0.5", "10.1.0.0/16", "2001:db8:1::/48"]


@pytest.fixture
def proxies(settings):
    settings.ACCORD_TRUSTED_PROXIES = PROXIES
    return settings


def request(remote: str, xff: str | None = None):
    req = RequestFactory().get("/", REMOTE_ADDR=remote)
    if xff is not None:
        req.META["HTTP_X_FORWARDED_FOR"] = xff
    return req


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.ACCORD_TRUSTED_PROXIES = []
    assert client_ip(request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(proxies):
    # The peer is not one of our proxies: whatever it writes is its own claim.
    assert client_ip(request("203.0.113.7", "10.0.0.5, 198.51.100.1")) == "203.0.113.7"


def test_from_a_trusted_proxy_the_address_it_appended_is_the_client(proxies):
    assert client_ip(request("10.0.0.5", "198.51.100.1")) == "198.51.100.1"


def test_a_chain_is_walked_right_to_left_skipping_trusted_proxies(proxies):
    # The client wrote "1.1.1.1" itself; our edge (10.1.2.3) appended the real peer.
    xff = "1.1.1.1, 198.51.100.1, 10.1.2.3"
    assert client_ip(request("10.0.0.5", xff)) == "198.51.100.1"


def test_a_chain_of_only_trusted_proxies_gives_the_farthest(proxies):
    assert client_ip(request("10.0.0.5", "10.1.9.9, 10.1.2.3")) == "10.1.9.9"


def test_a_trusted_proxy_without_the_header_is_the_client(proxies):
    assert client_ip(request("10.0.0.5")) == "10.0.0.5"
    assert client_ip(request("10.0.0.5", "")) == "10.0.0.5"


@pytest.mark.parametrize(
    ("xff", "expected"),
    [
        # Garbage stops the walk: nothing left of it is believed.
        ("198.51.100.1, garbage", "10.0.0.5"),
        ("198.51.100.1, unknown, 10.1.2.3", "10.1.2.3"),
        ("198.51.100.1,,10.1.2.3", "10.1.2.3"),
        ("198.51.100.1, 999.1.1.1", "10.0.0.5"),
        ("198.51.100.1, _hidden", "10.0.0.5"),
        ("198.51.100.1, example.org", "10.0.0.5"),
        ("198.51.100.1, 1.2.3.4:x", "10.0.0.5"),
        ("garbage, 198.51.100.1", "198.51.100.1"),
    ],
)
def test_malformed_entries_are_never_taken_for_the_client(proxies, xff, expected):
    assert client_ip(request("10.0.0.5", xff)) == expected


def test_ipv6_peers_entries_and_networks(proxies):
    assert client_ip(request("2001:db8:1::10", "2001:db8:ffff::1")) == "2001:db8:ffff::1"
    assert client_ip(request("2001:db8:2::10", "198.51.100.1")) == "2001:db8:2::10"
    assert (
        client_ip(request("2001:db8:1::10", "2001:db8:ffff::1, 2001:db8:1:5::1"))
        == "2001:db8:ffff::1"
    )


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("198.51.100.1", "198.51.100.1"),
        (" 198.51.100.1 ", "198.51.100.1"),
        ("198.51.100.1:5678", "198.51.100.1"),
        ("2001:db8::1", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ('"[2001:db8::1]:443"', "2001:db8::1"),
        ("::ffff:198.51.100.1", "198.51.100.1"),
        ("2001:DB8::1", "2001:db8::1"),
    ],
)
def test_addresses_as_proxies_write_them(entry, expected):
    assert str(parse_address(entry)) == expected


@pytest.mark.parametrize(
    "entry", ["", "unknown", "[2001:db8::1", "[2001:db8::1]x", "1.2.3", "1.2.3.4:", "a:b"]
)
def test_anything_else_is_no_address(entry):
    assert parse_address(entry) is None


def test_an_ipv4_mapped_peer_matches_an_ipv4_proxy(proxies):
    assert client_ip(request("::ffff:10.0.0.5", "198.51.100.1")) == "198.51.100.1"


def test_no_remote_addr_is_unknown(proxies):
    req = RequestFactory().get("/")
    del req.META["REMOTE_ADDR"]
    assert client_ip(req) == "unknown"


def test_several_headers_are_one_list():
    nets = [ipaddress.ip_network("10.0.0.0/8")]
    assert resolve_client_ip("10.0.0.5", ["1.1.1.1, 198.51.100.1", "10.0.0.9"], nets) == (
        "198.51.100.1"
    )


def test_the_websocket_scope_goes_through_the_same_rules(proxies):
    scope = {
        "client": ["10.0.0.5", 51000],
        "headers": [(b"host", b"accord.example"), (b"x-forwarded-for", b"1.1.1.1, 198.51.100.1")],
    }
    assert scope_client_ip(scope) == "198.51.100.1"
    spoofed = {**scope, "client": ["203.0.113.7", 51000]}
    assert scope_client_ip(spoofed) == "203.0.113.7"
    assert scope_client_ip({"headers": []}) == "unknown"


def test_invalid_proxy_entries_are_named():
    assert invalid_proxy_entries(["10.0.0.5", "10.0.0.0/33", "proxy.local", "::1"]) == [
        "10.0.0.0/33",
        "proxy.local",
    ]
