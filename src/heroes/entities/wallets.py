"""Crypto-currency wallet addresses, each accepted only when its checksum holds.

- Bitcoin: base58check (P2PKH ``1...``, P2SH ``3...``) and bech32/bech32m segwit (``bc1q``/``bc1p``).
- Ethereum: ``0x`` + 40 hex digits; a mixed-case address must carry its EIP-55 checksum (Keccak-256),
  an all-lower or all-upper one has none to check and is ``possible``. Normalised to EIP-55 form.
- Litecoin: base58check (``L``, ``M``) and bech32 (``ltc1``). Tron: base58check (``T``).
- Monero: Monero's block base58, network byte and Keccak-256 checksum (standard ``4``,
  subaddress ``8``, integrated addresses).

The codecs are short and written here (numpy-free, no extra dependency); the tests check them against
python-stdnum's Bitcoin validator, hashlib's SHA3 (same permutation as Keccak) and published vectors.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import ClassVar

from heroes.entities.base import POSSIBLE, VALID, Entity, EntityKind, Status, register

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(B58)}


def b58decode(text: str) -> bytes | None:
    number = 0
    for char in text:
        digit = _B58_INDEX.get(char)
        if digit is None:
            return None
        number = number * 58 + digit
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, digit = divmod(number, 58)
        out.append(B58[digit])
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + "".join(reversed(out))


def base58check_payload(text: str) -> bytes | None:
    """Version byte + payload when the 4-byte double-SHA-256 checksum holds."""
    if not 25 <= len(text) <= 36:
        return None
    data = b58decode(text)
    if data is None or len(data) < 5:
        return None
    body, checksum = data[:-4], data[-4:]
    if hashlib.sha256(hashlib.sha256(body).digest()).digest()[:4] != checksum:
        return None
    return body


def base58check_encode(body: bytes) -> str:
    return b58encode(body + hashlib.sha256(hashlib.sha256(body).digest()).digest()[:4])


# --- bech32 / bech32m (BIP-173, BIP-350) ------------------------------------------------------

BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
BECH32_CONST, BECH32M_CONST = 1, 0x2BC830A3
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _polymod(values: list[int]) -> int:
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i, gen in enumerate(_GENERATOR):
            if (top >> i) & 1:
                chk ^= gen
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert_bits(data: list[int], from_bits: int, to_bits: int, pad: bool) -> list[int] | None:
    acc = bits = 0
    out = []
    maxv = (1 << to_bits) - 1
    for value in data:
        if value < 0 or value >> from_bits:
            return None
        acc = (acc << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (to_bits - bits)) & maxv)
    elif bits >= from_bits or ((acc << (to_bits - bits)) & maxv):
        return None
    return out


def segwit_decode(hrp: str, address: str) -> tuple[int, bytes] | None:
    """(witness version, program) of a segwit address of network ``hrp``; None unless valid."""
    if len(address) > 90 or (address.lower() != address and address.upper() != address):
        return None
    text = address.lower()
    pos = text.rfind("1")
    if text[:pos] != hrp or pos + 7 > len(text) or any(c not in BECH32 for c in text[pos + 1 :]):
        return None
    data = [BECH32.index(c) for c in text[pos + 1 :]]
    const = _polymod(_hrp_expand(hrp) + data)
    if const not in (BECH32_CONST, BECH32M_CONST) or not data[:-6]:
        return None
    version = data[0]
    program = _convert_bits(data[1:-6], 5, 8, False)
    if program is None or not 2 <= len(program) <= 40 or version > 16:
        return None
    if version == 0 and len(program) not in (20, 32):
        return None
    if (version == 0) != (const == BECH32_CONST):  # v0 uses bech32, v1+ bech32m
        return None
    return version, bytes(program)


def segwit_encode(hrp: str, version: int, program: bytes) -> str:
    data = [version, *(_convert_bits(list(program), 8, 5, True) or [])]
    const = BECH32_CONST if version == 0 else BECH32M_CONST
    polymod = _polymod(_hrp_expand(hrp) + data + [0] * 6) ^ const
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32[d] for d in data + checksum)


# --- Keccak-256 (the pre-standard SHA-3 Ethereum and Monero use) -------------------------------

_MASK = (1 << 64) - 1


def _rotl(value: int, shift: int) -> int:
    shift %= 64
    return ((value << shift) | (value >> (64 - shift))) & _MASK


def _keccak_f(lanes: list[list[int]]) -> None:
    r = 1
    for _ in range(24):
        c = [lanes[x][0] ^ lanes[x][1] ^ lanes[x][2] ^ lanes[x][3] ^ lanes[x][4] for x in range(5)]
        d = [c[(x + 4) % 5] ^ _rotl(c[(x + 1) % 5], 1) for x in range(5)]
        for x in range(5):
            for y in range(5):
                lanes[x][y] ^= d[x]
        x, y = 1, 0
        current = lanes[x][y]
        for t in range(24):
            x, y = y, (2 * x + 3 * y) % 5
            current, lanes[x][y] = lanes[x][y], _rotl(current, (t + 1) * (t + 2) // 2)
        for y in range(5):
            row = [lanes[x][y] for x in range(5)]
            for x in range(5):
                lanes[x][y] = row[x] ^ ((~row[(x + 1) % 5]) & row[(x + 2) % 5] & _MASK)
        for j in range(7):
            r = ((r << 1) ^ ((r >> 7) * 0x71)) % 256
            if r & 2:
                lanes[0][0] ^= 1 << ((1 << j) - 1)


def keccak256(data: bytes, suffix: int = 0x01) -> bytes:
    """Keccak-256; ``suffix=0x06`` gives standard SHA3-256 (which is how the tests check it)."""
    rate = 136
    padded = bytearray(data) + bytes([suffix])
    padded += b"\0" * (-len(padded) % rate)
    padded[-1] |= 0x80
    lanes = [[0] * 5 for _ in range(5)]
    for block in range(0, len(padded), rate):
        for i in range(rate // 8):
            word = int.from_bytes(padded[block + 8 * i : block + 8 * i + 8], "little")
            lanes[i % 5][i // 5] ^= word
        _keccak_f(lanes)
    out = b"".join(lanes[i % 5][i // 5].to_bytes(8, "little") for i in range(25))
    return out[:32]


def eip55(address_hex: str) -> str:
    """The EIP-55 mixed-case checksum form of 40 hex digits."""
    lower = address_hex.lower()
    digest = keccak256(lower.encode()).hex()
    return "0x" + "".join(c.upper() if int(digest[i], 16) >= 8 else c for i, c in enumerate(lower))


# --- Monero base58 (8-byte blocks of 11 characters) ---------------------------------------------

_XMR_BLOCK_SIZES = (0, 2, 3, 5, 6, 7, 9, 10, 11)  # characters per 0..8 bytes


def xmr_b58decode(text: str) -> bytes | None:
    out = bytearray()
    for start in range(0, len(text), 11):
        block = text[start : start + 11]
        if len(block) not in _XMR_BLOCK_SIZES:
            return None
        size = _XMR_BLOCK_SIZES.index(len(block))
        number = 0
        for char in block:
            digit = _B58_INDEX.get(char)
            if digit is None:
                return None
            number = number * 58 + digit
        if number >> (8 * size):
            return None
        out += number.to_bytes(size, "big")
    return bytes(out)


def xmr_b58encode(data: bytes) -> str:
    out = []
    for start in range(0, len(data), 8):
        block = data[start : start + 8]
        number = int.from_bytes(block, "big")
        chars = []
        while number:
            number, digit = divmod(number, 58)
            chars.append(B58[digit])
        out.append("".join(reversed(chars)).rjust(_XMR_BLOCK_SIZES[len(block)], "1"))
    return "".join(out)


# --- the kinds ---------------------------------------------------------------------------------

_B58_CHARS = "1-9A-HJ-NP-Za-km-z"


class Wallet(EntityKind):
    """A coin's addresses: a pattern to find candidates, a checksum to accept them."""

    pattern: ClassVar[re.Pattern[str]]

    def find(self, text: str, region: str | None = None) -> Iterator[Entity]:
        for m in self.pattern.finditer(text):
            parsed = self.parse(m.group(0))
            if parsed:
                yield Entity(self.name, parsed[0], m.group(0), m.start(), m.end(), parsed[1], self.name)


@register
class Bitcoin(Wallet):
    name = "btc"
    pattern = re.compile(rf"(?<![\w])(?:[13][{_B58_CHARS}]{{25,34}}|(?i:bc1[{BECH32}]{{6,87}}))(?![\w])")

    def parse(self, raw: str, region: str | None = None) -> tuple[str, Status] | None:
        text = raw.strip()
        if text[:3].lower() == "bc1":
            return (text.lower(), VALID) if segwit_decode("bc", text) else None
        body = base58check_payload(text)
        if body is not None and len(body) == 21 and body[0] in (0x00, 0x05):
            return text, VALID
        return None


@register
class Litecoin(Wallet):
    name = "ltc"
    pattern = re.compile(rf"(?<![\w])(?:[LM][{_B58_CHARS}]{{26,33}}|(?i:ltc1[{BECH32}]{{6,87}}))(?![\w])")

    def parse(self, raw: str, region: str | None = None) -> tuple[str, Status] | None:
        text = raw.strip()
        if text[:4].lower() == "ltc1":
            return (text.lower(), VALID) if segwit_decode("ltc", text) else None
        body = base58check_payload(text)
        if body is not None and len(body) == 21 and body[0] in (0x30, 0x32):
            return text, VALID
        return None


@register
class Tron(Wallet):
    name = "trx"
    pattern = re.compile(rf"(?<![\w])T[{_B58_CHARS}]{{33}}(?![\w])")

    def parse(self, raw: str, region: str | None = None) -> tuple[str, Status] | None:
        text = raw.strip()
        body = base58check_payload(text)
        return (text, VALID) if body is not None and len(body) == 21 and body[0] == 0x41 else None


@register
class Ethereum(Wallet):
    name = "eth"
    pattern = re.compile(r"(?<![\w])0x[0-9a-fA-F]{40}(?![\w])")

    def parse(self, raw: str, region: str | None = None) -> tuple[str, Status] | None:
        text = raw.strip()
        if not re.fullmatch(r"0[xX][0-9a-fA-F]{40}", text):
            return None
        digits = text[2:]
        canonical = eip55(digits)
        if digits.isdigit():
            return canonical, POSSIBLE  # no letter: no checksum can be written
        if canonical[2:] == digits:
            return canonical, VALID
        if digits.islower() or digits.isupper():
            return canonical, POSSIBLE  # written without a checksum: well-formed, nothing to check
        return None  # mixed case with a wrong checksum: a typo or a forgery


XMR_NETWORKS = {18: 69, 42: 69, 19: 77}  # standard, subaddress, integrated: bytes decoded


@register
class Monero(Wallet):
    name = "xmr"
    pattern = re.compile(rf"(?<![\w])[48][{_B58_CHARS}]{{94}}(?:[{_B58_CHARS}]{{11}})?(?![\w])")

    def parse(self, raw: str, region: str | None = None) -> tuple[str, Status] | None:
        text = raw.strip()
        if len(text) not in (95, 106):
            return None
        data = xmr_b58decode(text)
        if data is None or not data or XMR_NETWORKS.get(data[0]) != len(data):
            return None
        if keccak256(data[:-4])[:4] != data[-4:]:
            return None
        return text, VALID
