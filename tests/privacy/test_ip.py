"""Tests for packing, validating and anonymising IP addresses."""

import pytest

from analytics_server.privacy.ip import anonymise_ip, is_valid_ip, pack_ip, unpack_ip


@pytest.mark.parametrize(
    ("text", "packed"),
    [
        ("1.2.3.4", bytes([1, 2, 3, 4])),
        ("0.0.0.0", bytes(4)),
        ("255.255.255.255", b"\xff" * 4),
        (" 10.0.0.1 \n", bytes([10, 0, 0, 1])),
        ("::1", bytes(15) + b"\x01"),
        ("::", bytes(16)),
        ("[::1]", bytes(15) + b"\x01"),
        ("2001:DB8::1", bytes.fromhex("20010db8000000000000000000000001")),
        ("::ffff:192.0.2.1", bytes([192, 0, 2, 1])),
        ("::FFFF:c000:0201", bytes([192, 0, 2, 1])),
        ("fe80::1%eth0", bytes.fromhex("fe800000000000000000000000000001")),
    ],
)
def test_pack_ip(text: str, packed: bytes) -> None:
    assert pack_ip(text) == packed


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        " ",
        "1.2.3",
        "1.2.3.4.5",
        "256.1.1.1",
        "01.2.3.4",
        "1.2.3.4/24",
        "::g",
        "abc",
        "1.2.3.-4",
    ],
)
def test_pack_ip_rejects_garbage(garbage: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        pack_ip(garbage)
    assert not is_valid_ip(garbage)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("1.2.3.4", "1.2.3.4"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("::ffff:8.8.8.8", "8.8.8.8"),
        ("::", "::"),
    ],
)
def test_unpack_round_trip(text: str, canonical: str) -> None:
    assert unpack_ip(pack_ip(text)) == canonical
    assert is_valid_ip(text)


@pytest.mark.parametrize("packed", [b"", b"\x01\x02\x03", bytes(5), bytes(17)])
def test_unpack_rejects_bad_length(packed: bytes) -> None:
    with pytest.raises(ValueError, match="4 or 16 bytes"):
        unpack_ip(packed)


@pytest.mark.parametrize(
    ("ip", "mask", "expected"),
    [
        ("192.168.100.200", 0, "192.168.100.200"),
        ("192.168.100.200", 1, "192.168.100.0"),
        ("192.168.100.200", 2, "192.168.0.0"),
        ("192.168.100.200", 3, "192.0.0.0"),
        ("2001:db8:1234:5678:9abc:def0:1234:5678", 0, "2001:db8:1234:5678:9abc:def0:1234:5678"),
        ("2001:db8:1234:5678:9abc:def0:1234:5678", 1, "2001:db8:1234:5678::"),
        ("2001:db8:1234:5678:9abc:def0:1234:5678", 2, "2001:db8:1234::"),
        ("2001:db8:1234:5678:9abc:def0:1234:5678", 3, "2001:d00::"),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 3, "ffff:ff00::"),
        ("::1", 1, "::"),
    ],
)
def test_anonymise_ip(ip: str, mask: int, expected: str) -> None:
    assert unpack_ip(anonymise_ip(pack_ip(ip), mask)) == expected


@pytest.mark.parametrize(("mask", "expected"), [(0, "10.20.30.40"), (2, "10.20.0.0")])
def test_anonymise_ipv4_mapped_16_bytes_is_masked_as_ipv4(mask: int, expected: str) -> None:
    mapped = bytes(10) + b"\xff\xff" + bytes([10, 20, 30, 40])
    assert anonymise_ip(mapped, mask) == pack_ip(expected)


@pytest.mark.parametrize("mask", [-1, 4, 8])
def test_anonymise_ip_rejects_bad_mask(mask: int) -> None:
    with pytest.raises(ValueError, match="mask_bytes"):
        anonymise_ip(pack_ip("1.2.3.4"), mask)


def test_anonymise_ip_rejects_bad_length() -> None:
    with pytest.raises(ValueError, match="4 or 16 bytes"):
        anonymise_ip(bytes(5), 1)
