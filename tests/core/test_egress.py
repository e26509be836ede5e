"""The egress guard: every address form of an internal host is refused before any connection."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from core import egress
from tests.integrations.push_fixtures import RawReceiver

CLOSED = egress.Policy(connect_timeout=1, read_timeout=1)


@pytest.fixture
def listener():
    server = RawReceiver()
    yield server
    server.close()


LOOPBACK_FORMS = [
    ("127.0.0.1", "127.0.0.1", "loopback"),
    ("localhost", "127.0.0.1", "loopback"),
    ("127.1", "127.0.0.1", "loopback"),
    ("2130706433", "127.0.0.1", "loopback"),
    ("0x7f000001", "127.0.0.1", "loopback"),
    ("0x7f.0.0.1", "127.0.0.1", "loopback"),
    ("0177.0.0.1", "127.0.0.1", "loopback"),
    ("017700000001", "127.0.0.1", "loopback"),
    ("127.000.000.001", "127.0.0.1", "loopback"),
    ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1", "loopback (embedded in ::ffff:127.0.0.1)"),
    ("[::ffff:7f00:1]", "::ffff:127.0.0.1", "loopback (embedded in ::ffff:127.0.0.1)"),
    ("[0:0:0:0:0:ffff:7f00:1]", "::ffff:127.0.0.1", "loopback (embedded in ::ffff:127.0.0.1)"),
    ("0.0.0.0", "0.0.0.0", "unspecified"),
    ("0", "0.0.0.0", "unspecified"),
]


@pytest.mark.parametrize(("host", "address", "label"), LOOPBACK_FORMS)
def test_every_form_of_the_local_host_is_refused_without_a_connection(listener, host, address,
                                                                      label):
    url = f"http://{host}:{listener.port}/hook"
    with pytest.raises(egress.EgressRefused) as err:
        egress.send(CLOSED, "POST", url, {}, b"{}")
    shown_host = host.lower()
    assert err.value.message == f"Refused: {shown_host} resolves to {address}, a {label} address."
    assert err.value.status == 400 and err.value.reason == "egress_refused"
    assert listener.accepted == 0


def test_the_same_listener_is_reached_once_allow_listed(listener):
    allowed = egress.Policy(allow=(ipaddress.ip_network("127.0.0.1/32"),))
    reply = egress.send(allowed, "POST", f"http://127.0.0.1:{listener.port}/hook", {}, b"{}")
    assert (reply.status, reply.body, listener.accepted) == (200, b"ok", 1)
    # The allow-list covers the IPv4 address inside a mapped IPv6 form as well.
    assert allowed.problem(ipaddress.ip_address("::ffff:127.0.0.1")) is None


ADDRESS_CLASSES = [
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "cloud metadata"),
    ("169.254.10.10", "link-local"),
    ("100.64.0.1", "shared (CGNAT)"),
    ("100.100.100.200", "cloud metadata"),
    ("192.0.0.192", "cloud metadata"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("198.18.0.1", "private"),
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fd00:ec2::254", "cloud metadata"),
    ("fc00::1", "private"),
    ("ff02::1", "multicast"),
    ("::ffff:10.0.0.1", "private (embedded in ::ffff:10.0.0.1)"),
    ("::ffff:169.254.169.254", "cloud metadata (embedded in ::ffff:169.254.169.254)"),
    ("2002:7f00:1::", "loopback (embedded in 2002:7f00:1::)"),
    ("2002:a9fe:a9fe::", "cloud metadata (embedded in 2002:a9fe:a9fe::)"),
    ("64:ff9b::7f00:1", "loopback (embedded in 64:ff9b::7f00:1)"),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback (embedded in 2001:0:4136:e378:8000:63bf:80ff:fffe)"),
    ("::7f00:1", "reserved"),
]


@pytest.mark.parametrize(("host", "message"), [
    ("0xa9fea9fe", "Refused: 0xa9fea9fe resolves to 169.254.169.254, a cloud metadata address."),
    ("0251.0376.0251.0376",
     "Refused: 0251.0376.0251.0376 resolves to 169.254.169.254, a cloud metadata address."),
    ("167772161", "Refused: 167772161 resolves to 10.0.0.1, a private address."),
    ("[::ffff:a9fe:a9fe]", "Refused: [::ffff:a9fe:a9fe] resolves to ::ffff:169.254.169.254, a "
                           "cloud metadata (embedded in ::ffff:169.254.169.254) address."),
])
def test_numeric_forms_of_other_internal_hosts_are_refused(host, message):
    with pytest.raises(egress.EgressRefused) as err:
        egress.send(CLOSED, "POST", f"http://{host}/latest/meta-data/", {}, b"")
    assert err.value.message == message


@pytest.mark.parametrize(("address", "label"), ADDRESS_CLASSES)
def test_internal_address_classes(address, label):
    assert egress.address_problem(ipaddress.ip_address(address)) == label


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "93.184.216.34"])
def test_public_addresses_pass(address):
    assert egress.address_problem(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://example.com/", "URL 'ftp://example.com/' must start with http:// or https://."),
    ("http:///path", "URL 'http:///path' has no host."),
    ("http://user:pw@example.com/", "URL 'http://user:pw@example.com/' carries credentials; "
                                    "use the auth setting instead."),
    ("http://[::1/", "URL 'http://[::1/' cannot be parsed."),
    ("http://example.com/" + "a" * 2000, "URL must be a string of at most 2000 characters."),
])
def test_malformed_urls_are_refused(url, message):
    with pytest.raises(egress.EgressRefused) as err:
        egress.check_url(url)
    assert err.value.message == message


def test_connects_to_the_address_it_checked(monkeypatch, listener):
    """A second DNS answer (rebinding to 127.0.0.1) is never used: the checked address is."""
    allowed_side = RawReceiver("127.0.0.2")
    real = socket.getaddrinfo
    answers = iter(["127.0.0.2", "127.0.0.1", "127.0.0.1"])

    def rebinding(host, port, *args, **kwargs):
        if host == "rebind.test":
            return real(next(answers), port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    policy = egress.Policy(allow=(ipaddress.ip_network("127.0.0.2/32"),))
    try:
        # Both listeners share the port number only by chance; use the allowed one's port.
        reply = egress.send(policy, "POST", f"http://rebind.test:{allowed_side.port}/", {}, b"")
    finally:
        allowed_side.close()
    assert reply.status == 200 and reply.address == "127.0.0.2"
    assert allowed_side.accepted == 1 and listener.accepted == 0
    assert allowed_side.requests[0].split(b"\r\n")[2:4] == [
        b"Content-Length: 0", f"Host: rebind.test:{allowed_side.port}".encode()]


def test_redirects_are_not_followed(receiver):
    target = receiver()
    target.expect_request("/final").respond_with_data("reached")
    origin = receiver()
    origin.expect_request("/start").respond_with_data(
        "", status=302, headers={"Location": target.url_for("/final")})
    policy = egress.Policy(allow=(ipaddress.ip_network("127.0.0.1/32"),))
    reply = egress.send(policy, "POST", origin.url_for("/start"), {}, b"{}")
    assert reply.status == 302 and reply.headers["Location"] == target.url_for("/final")
    assert len(target.log) == 0


def test_closed_port_is_a_transport_error():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    policy = egress.Policy(allow=(ipaddress.ip_network("127.0.0.1/32"),))
    with pytest.raises(egress.TransportError, match="^connection refused$"):
        egress.send(policy, "POST", f"http://127.0.0.1:{port}/", {}, b"{}")


def test_response_body_is_capped(receiver):
    server = receiver()
    server.expect_request("/big").respond_with_data("x" * 5000)
    policy = egress.Policy(allow=(ipaddress.ip_network("127.0.0.1/32"),), max_response_bytes=100)
    reply = egress.send(policy, "POST", server.url_for("/big"), {}, b"{}")
    assert (reply.status, reply.body, reply.truncated) == (200, b"x" * 100, True)


def test_connect_timeout():
    """A listener whose accept queue is full drops new SYNs: the connect times out."""
    server = socket.create_server(("127.0.0.1", 0), backlog=0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    policy = egress.Policy(allow=(ipaddress.ip_network("127.0.0.1/32"),), connect_timeout=0.3)
    try:
        with pytest.raises(egress.TransportError, match=r"^connect timeout after 0\.3 s$"):
            egress.send(policy, "POST", f"http://127.0.0.1:{port}/", {}, b"{}")
    finally:
        for sock in (*fillers, server):
            sock.close()
