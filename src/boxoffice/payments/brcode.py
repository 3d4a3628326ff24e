"""The Pix "copy and paste" code: an EMV-MPM payload (BR Code) ending in its
CRC16-CCITT checksum, the text a bank app reads from the QR image."""

from __future__ import annotations


def _field(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def crc16(payload: str) -> str:
    crc = 0xFFFF
    for byte in payload.encode():
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def brcode(key: str, merchant: str, city: str, amount_cents: int, txid: str) -> str:
    """A dynamic-looking Pix payload for `amount_cents` (BRL) identified by `txid`."""
    account = _field("00", "br.gov.bcb.pix") + _field("01", key)
    body = (
        _field("00", "01")
        + _field("26", account)
        + _field("52", "0000")
        + _field("53", "986")
        + _field("54", f"{amount_cents / 100:.2f}")
        + _field("58", "BR")
        + _field("59", merchant[:25])
        + _field("60", city[:15])
        + _field("62", _field("05", txid[:25]))
        + "6304"
    )
    return body + crc16(body)


def is_valid(code: str) -> bool:
    return len(code) > 4 and crc16(code[:-4]) == code[-4:]
