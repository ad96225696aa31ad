"""The access policy of ``tradeterm serve`` (issue 12.11), without a server: which Host and
Origin name this server, and the token compared in constant time."""

import pytest

from tradeterm.ui import serve_access
from tradeterm.ui.serve_access import Access, allowed_hosts


def test_a_loopback_address_answers_to_itself_and_localhost_only():
    hosts = allowed_hosts("127.0.0.1", 8000)
    assert hosts == {"127.0.0.1:8000", "localhost:8000"}
    assert allowed_hosts("::1", 8000) == {"[::1]:8000", "localhost:8000"}
    assert {"localhost:81", "127.0.0.1:81", "[::1]:81"} == allowed_hosts("localhost", 81)
    assert "127.0.0.1" in allowed_hosts("127.0.0.1", 80)  # port 80 may be left out


def test_a_wildcard_address_answers_to_the_machines_names_and_allowed_hosts():
    import socket

    hosts = allowed_hosts("0.0.0.0", 8000, ["trading.example.com"])
    assert f"{socket.gethostname().lower()}:8000" in hosts
    assert "trading.example.com:8000" in hosts and "localhost:8000" in hosts
    assert "evil.example:8000" not in hosts


ACCESS = Access(allowed_hosts("127.0.0.1", 8000), "s3cret")


@pytest.mark.parametrize(
    ("host", "origin", "offered", "reason"),
    [
        ("127.0.0.1:8000", None, ["s3cret"], None),
        ("localhost:8000", "http://localhost:8000", ["", "s3cret"], None),
        ("LOCALHOST:8000", "HTTP://LOCALHOST:8000", ["s3cret"], None),
        (None, None, ["s3cret"], "no Host header"),
        ("evil.example:8000", None, ["s3cret"], "is not this server (DNS rebinding?)"),
        ("127.0.0.1:8001", None, ["s3cret"], "is not this server"),
        ("127.0.0.1:8000", "http://evil.example", ["s3cret"], "another site's page"),
        ("127.0.0.1:8000", "null", ["s3cret"], "another site's page"),
        ("127.0.0.1:8000", "https://127.0.0.1:8000", ["s3cret"], "another site's page"),
        ("127.0.0.1:8000", None, [], "no valid token"),
        ("127.0.0.1:8000", None, ["s3cre"], "no valid token"),
        ("127.0.0.1:8000", None, ["s3cret\u00e9"], "no valid token"),
    ],
)
def test_host_origin_and_token(host, origin, offered, reason):
    got = ACCESS.check(host, origin, offered, needs_token=True)
    assert (got is None) if reason is None else (reason in got)


def test_without_a_token_only_host_and_origin_are_checked():
    open_access = Access(allowed_hosts("127.0.0.1", 8000), None)
    assert open_access.check("127.0.0.1:8000", None, [], needs_token=True) is None
    assert open_access.check("127.0.0.1:8000", "http://evil.example", [], True) is not None


def test_every_offered_token_is_compared_in_constant_time(monkeypatch):
    calls = []

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return a == b

    monkeypatch.setattr(serve_access, "compare_digest", spy)
    assert ACCESS.token_matches(["s3cret", "wrong"])
    assert calls == [(b"s3cret", b"s3cret"), (b"s3cret", b"wrong")]  # no early exit


def test_tokens_are_long_and_fresh():
    a, b = serve_access.new_token(), serve_access.new_token()
    assert a != b and len(a) >= 40
