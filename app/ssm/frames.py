"""Binary codec for SSM data-channel messages (DESIGN section 5).

Layout, big-endian: a 116-byte header (which does not count its own trailing PayloadLength
field), the 4-byte PayloadLength at offset 116, then the payload at offset 120. The MessageId
travels with its two 8-byte halves swapped and the PayloadDigest is SHA-256 of the payload.
Anything that does not fit this layout exactly raises `ProtocolError`, and nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import time
import uuid
from dataclasses import dataclass, field
from enum import IntEnum

HEADER_LENGTH = 116
PAYLOAD_OFFSET = 120
SCHEMA_VERSION = 1
MESSAGE_TYPE_WIDTH = 32

_HEADER = struct.Struct(">I32sIQqQ16s32sII")
assert _HEADER.size == PAYLOAD_OFFSET
_FLAG_PAYLOAD = struct.Struct(">I")
_sha256 = hashlib.sha256


class ProtocolError(Exception):
    """A frame or payload that does not follow the SSM data-channel protocol."""


class MessageType:
    INPUT = "input_stream_data"
    OUTPUT = "output_stream_data"
    ACK = "acknowledge"
    CHANNEL_CLOSED = "channel_closed"
    START_PUBLICATION = "start_publication"
    PAUSE_PUBLICATION = "pause_publication"


class PayloadType(IntEnum):
    NONE = 0
    OUTPUT = 1
    ERROR = 2
    SIZE = 3
    PARAMETER = 4
    HANDSHAKE_REQUEST = 5
    HANDSHAKE_RESPONSE = 6
    HANDSHAKE_COMPLETE = 7
    ENC_CHALLENGE_REQUEST = 8
    ENC_CHALLENGE_RESPONSE = 9
    FLAG = 10
    STDERR = 11
    EXIT_CODE = 12


class Flag(IntEnum):
    """Values carried by a payload of type FLAG."""

    DISCONNECT_TO_PORT = 1
    TERMINATE_SESSION = 2
    CONNECT_TO_PORT_ERROR = 3


SYN = 1
FIN = 2
ACK_FLAGS = SYN | FIN


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def new_message_id() -> uuid.UUID:
    return uuid.UUID(bytes=os.urandom(16), version=4)


@dataclass(slots=True)
class Message:
    message_type: str
    sequence_number: int
    payload_type: int
    payload: bytes
    flags: int = 0
    message_id: uuid.UUID = field(default_factory=new_message_id)
    created_date: int = field(default_factory=now_ms)
    schema_version: int = SCHEMA_VERSION


def encode(message: Message) -> bytes:
    """The frame bytes of `message` (raises ProtocolError if a field cannot be represented)."""
    type_bytes = message.message_type.encode("ascii", "strict")
    if not type_bytes or len(type_bytes) > MESSAGE_TYPE_WIDTH:
        raise ProtocolError(f"message type of {len(type_bytes)} characters cannot be encoded")
    id_bytes = message.message_id.bytes
    payload = message.payload
    try:
        header = _HEADER.pack(
            HEADER_LENGTH,
            type_bytes.ljust(MESSAGE_TYPE_WIDTH, b" "),
            message.schema_version,
            message.created_date,
            message.sequence_number,
            message.flags,
            id_bytes[8:] + id_bytes[:8],
            _sha256(payload).digest(),
            message.payload_type,
            len(payload),
        )
    except struct.error as exc:
        raise ProtocolError(f"message field out of range: {exc}") from None
    return header + payload


def decode(frame: bytes) -> Message:
    """The message in `frame`; ProtocolError if it is malformed in any way."""
    if len(frame) < PAYLOAD_OFFSET:
        raise ProtocolError(f"frame of {len(frame)} bytes is shorter than the 120-byte header")
    (header_length, type_bytes, schema, created, seq, flags, swapped_id, digest,
     payload_type, payload_length) = _HEADER.unpack_from(frame)
    if header_length != HEADER_LENGTH:
        raise ProtocolError(f"unexpected header length {header_length}")
    if payload_length != len(frame) - PAYLOAD_OFFSET:
        raise ProtocolError(
            f"payload length {payload_length} does not match the {len(frame) - PAYLOAD_OFFSET} bytes received"
        )
    payload = bytes(frame[PAYLOAD_OFFSET:])
    if _sha256(payload).digest() != digest:
        raise ProtocolError("payload digest mismatch")
    message_type = type_bytes.rstrip(b" ")
    if not message_type or not _is_type_name(message_type):
        raise ProtocolError("malformed message type")
    return Message(
        message_type=message_type.decode("ascii"),
        sequence_number=seq,
        payload_type=payload_type,
        payload=payload,
        flags=flags,
        message_id=uuid.UUID(bytes=swapped_id[8:] + swapped_id[:8]),
        created_date=created,
        schema_version=schema,
    )


def _is_type_name(name: bytes) -> bool:
    # Message types are lower-case words joined by underscores; no spaces inside, no controls.
    return all(c == 0x5F or 0x30 <= c <= 0x39 or 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A for c in name)


# --- payloads ---------------------------------------------------------------------------------

def ack_payload(acked: Message) -> bytes:
    """The JSON payload acknowledging `acked`, byte-for-byte as the official client writes it."""
    return (
        b'{"AcknowledgedMessageType":"' + acked.message_type.encode("ascii")
        + b'","AcknowledgedMessageId":"' + str(acked.message_id).encode("ascii")
        + b'","AcknowledgedMessageSequenceNumber":' + str(acked.sequence_number).encode("ascii")
        + b',"IsSequentialMessage":true}'
    )


def ack_message(acked: Message) -> Message:
    return Message(MessageType.ACK, 0, PayloadType.NONE, ack_payload(acked), flags=ACK_FLAGS)


def acked_sequence_number(ack: Message) -> int:
    """The sequence number an `acknowledge` message refers to."""
    try:
        number = json.loads(ack.payload)["AcknowledgedMessageSequenceNumber"]
    except (ValueError, TypeError, KeyError) as exc:
        raise ProtocolError(f"malformed acknowledge payload ({type(exc).__name__})") from None
    if not isinstance(number, int) or isinstance(number, bool):
        raise ProtocolError("malformed acknowledge payload (sequence number)")
    return number


def flag_payload(flag: Flag) -> bytes:
    return _FLAG_PAYLOAD.pack(flag)


def parse_flag(payload: bytes) -> int:
    if len(payload) != _FLAG_PAYLOAD.size:
        raise ProtocolError(f"flag payload of {len(payload)} bytes")
    return _FLAG_PAYLOAD.unpack(payload)[0]


def json_payload(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


def parse_json_payload(payload: bytes) -> dict:
    try:
        obj = json.loads(payload)
    except ValueError:
        raise ProtocolError("payload is not valid JSON") from None
    if not isinstance(obj, dict):
        raise ProtocolError("JSON payload is not an object")
    return obj
