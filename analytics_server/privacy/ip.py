"""Binary IP addresses: packing, unpacking, validation and Matomo-style anonymisation."""

import functools
import ipaddress

# Number of low bits zeroed per mask level (index = mask_bytes) for IPv6.
_IPV6_MASKED_BITS: tuple[int, ...] = (0, 64, 80, 104)
_MAX_MASK_BYTES = 3


@functools.lru_cache(maxsize=65_536)
def _parse(ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    # Cached: the same visitor IPs come back with every hit, and parsing is the costly part.
    text = ip.strip()
    # Accept the bracketed form seen in URLs and some proxy headers ("[::1]").
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    address = ipaddress.ip_address(text)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def pack_ip(ip: str) -> bytes:
    """Pack a textual IP: 4 bytes for IPv4 (and IPv4-mapped IPv6), 16 bytes for IPv6.

    Raises ValueError when `ip` is not an IP address.
    """
    return _parse(ip).packed


def unpack_ip(packed: bytes) -> str:
    """Turn 4 or 16 packed bytes back into the canonical text form."""
    if len(packed) not in (4, 16):
        raise ValueError(f"a packed IP has 4 or 16 bytes, not {len(packed)}")
    return str(ipaddress.ip_address(packed))


def is_valid_ip(s: str) -> bool:
    """Whether `s` is an IPv4 or IPv6 address (surrounding blanks and brackets allowed)."""
    try:
        _parse(s)
    except ValueError:
        return False
    return True


def anonymise_ip(packed: bytes, mask_bytes: int) -> bytes:
    """Mask the low part of a packed IP the way Matomo's "anonymise IP" setting does.

    `mask_bytes` 0..3: IPv4 zeroes that many trailing bytes (a.b.c.0, a.b.0.0, a.0.0.0);
    IPv6 zeroes the last 64, 80 or 104 bits. An IPv4-mapped IPv6 address is masked as IPv4
    and returned as 4 bytes, the same canonical form `pack_ip` produces.
    """
    if not 0 <= mask_bytes <= _MAX_MASK_BYTES:
        raise ValueError(f"mask_bytes must be between 0 and {_MAX_MASK_BYTES}, not {mask_bytes}")
    if len(packed) == 16:
        mapped = ipaddress.IPv6Address(packed).ipv4_mapped
        if mapped is not None:
            packed = mapped.packed
    if len(packed) == 4:
        return packed[: 4 - mask_bytes] + b"\x00" * mask_bytes
    if len(packed) == 16:
        masked_bits = _IPV6_MASKED_BITS[mask_bytes]
        value = int.from_bytes(packed, "big") >> masked_bits << masked_bits
        return value.to_bytes(16, "big")
    raise ValueError(f"a packed IP has 4 or 16 bytes, not {len(packed)}")
