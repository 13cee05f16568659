"""Binary codec for SSM data-channel messages (DESIGN section 5).

Layout, big-endian: a 116-byte header (which does not count its own trailing PayloadLength
field), the 4-byte PayloadLength at offset 116, then the payload at offset 120. The MessageId
travels with its two 8-byte halves swapped and the PayloadDigest is SHA-256 of the payload.

Strict in what we send (`encode` writes exactly that layout), as tolerant as the official client
in what we accept (`decode` reads as session-manager-plugin's src/message/messageparser.go does).
A frame that even the official client refuses raises `ProtocolError`, and nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
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


# Validate() in messageparser.go checks nothing at all for these two: not the header length, not
# the digest (the service sends them with an empty payload and an all-zero digest).
_UNCHECKED_TYPES = frozenset({MessageType.START_PUBLICATION, MessageType.PAUSE_PUBLICATION})
_GO_SPACE = b" \t\n\v\f\r"  # what Go's strings.TrimSpace trims from ASCII text
_TYPE_FIELDS = {
    name: name.encode("ascii").ljust(MESSAGE_TYPE_WIDTH, b" ")
    for name in (MessageType.INPUT, MessageType.OUTPUT, MessageType.ACK, MessageType.CHANNEL_CLOSED)
}


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
    return uuid.UUID(bytes=_new_id_bytes())


def _new_id_bytes() -> bytes:
    """A random (version 4) UUID's bytes, without building a UUID object on the hot path."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    return bytes(raw)


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
    return _pack(
        _type_field(message.message_type),
        message.schema_version,
        message.created_date,
        message.sequence_number,
        message.flags,
        message.message_id.bytes,
        message.payload_type,
        message.payload,
    )


def encode_new(
    message_type: str, sequence_number: int, payload_type: int, payload: bytes, flags: int = 0
) -> bytes:
    """A frame for a fresh message (new id, current time): `encode(Message(...))`, only cheaper."""
    type_field = _TYPE_FIELDS.get(message_type) or _type_field(message_type)
    return _pack(
        type_field,
        SCHEMA_VERSION,
        time.time_ns() // 1_000_000,
        sequence_number,
        flags,
        _new_id_bytes(),
        payload_type,
        payload,
    )


def _type_field(message_type: str) -> bytes:
    type_bytes = message_type.encode("ascii", "strict")
    if not type_bytes or len(type_bytes) > MESSAGE_TYPE_WIDTH:
        raise ProtocolError(f"message type of {len(type_bytes)} characters cannot be encoded")
    return type_bytes.ljust(MESSAGE_TYPE_WIDTH, b" ")


def _pack(
    type_field: bytes,
    schema: int,
    created: int,
    seq: int,
    flags: int,
    id_bytes: bytes,
    payload_type: int,
    payload: bytes,
) -> bytes:
    try:
        header = _HEADER.pack(
            HEADER_LENGTH,
            type_field,
            schema,
            created,
            seq,
            flags,
            id_bytes[8:] + id_bytes[:8],
            _sha256(payload).digest(),
            payload_type,
            len(payload),
        )
    except struct.error as exc:
        raise ProtocolError(f"message field out of range: {exc}") from None
    return header + payload


def decode(frame: bytes) -> Message:
    """The message in `frame`, read as leniently as the official client reads it.

    Following DeserializeClientMessage and Validate in session-manager-plugin's
    src/message/messageparser.go: the message type is trimmed of NUL padding and white space; the
    payload is everything from HeaderLength + 4 on (a longer header's extra fields are skipped, and
    PayloadLength only says whether there is a payload to check); the digest is checked only when
    PayloadLength is not 0; start_publication and pause_publication are not checked at all.
    ProtocolError where the official client fails too: a frame shorter than the fixed fields, a
    header length of 0 or beyond the frame, a missing message type, a digest that does not match.
    """
    if len(frame) < PAYLOAD_OFFSET:
        raise ProtocolError(f"frame of {len(frame)} bytes is shorter than the 120-byte header")
    (
        header_length,
        type_bytes,
        schema,
        created,
        seq,
        flags,
        swapped_id,
        digest,
        payload_type,
        payload_length,
    ) = _HEADER.unpack_from(frame)
    message_type = _type_name(type_bytes)
    start = header_length + PAYLOAD_OFFSET - HEADER_LENGTH  # the PayloadLength field follows the header
    if message_type in _UNCHECKED_TYPES:
        payload = bytes(frame[start:]) if header_length and start <= len(frame) else b""
    else:
        if header_length == 0:
            raise ProtocolError("header length is 0")
        if start > len(frame):
            raise ProtocolError(f"header length {header_length} reaches beyond the {len(frame)}-byte frame")
        if not message_type:
            raise ProtocolError("message type is missing")
        payload = bytes(frame[start:])
        if payload_length != 0 and _sha256(payload).digest() != digest:
            raise ProtocolError("payload digest mismatch")
    return Message(
        message_type=message_type,
        sequence_number=seq,
        payload_type=payload_type,
        payload=payload,
        flags=flags,
        message_id=uuid.UUID(bytes=swapped_id[8:] + swapped_id[:8]),
        created_date=created,
        schema_version=schema,
    )


def _type_name(field: bytes) -> str:
    """getString in messageparser.go: NULs trimmed from both ends, then white space. Bytes outside
    ASCII come out escaped, so an unknown type can be named in a log line as it is."""
    return field.strip(b"\x00").strip(_GO_SPACE).decode("ascii", "backslashreplace")


# --- payloads ---------------------------------------------------------------------------------


def ack_payload(acked: Message) -> bytes:
    """The JSON payload acknowledging `acked`, byte-for-byte as the official client writes it."""
    return (
        b'{"AcknowledgedMessageType":"'
        + acked.message_type.encode("ascii")
        + b'","AcknowledgedMessageId":"'
        + str(acked.message_id).encode("ascii")
        + b'","AcknowledgedMessageSequenceNumber":'
        + str(acked.sequence_number).encode("ascii")
        + b',"IsSequentialMessage":true}'
    )


def ack_message(acked: Message) -> Message:
    return Message(MessageType.ACK, 0, PayloadType.NONE, ack_payload(acked), flags=ACK_FLAGS)


def ack_frame(acked: Message) -> bytes:
    """The frame acknowledging `acked`: `encode(ack_message(acked))`, only cheaper."""
    return encode_new(MessageType.ACK, 0, PayloadType.NONE, ack_payload(acked), ACK_FLAGS)


_ACKED_SEQ_KEY = b'"AcknowledgedMessageSequenceNumber":'
_ACKED_SEQ_VALUE = re.compile(rb"(0|[1-9][0-9]{0,18})[,}]")


def acked_sequence_number(ack: Message) -> int:
    """The sequence number an `acknowledge` message refers to."""
    # Fast path for the one layout every client and agent writes; anything else goes through json.
    payload = ack.payload
    at = payload.find(_ACKED_SEQ_KEY)
    if at > 0 and payload.endswith(b"}") and payload.startswith(b"{"):
        match = _ACKED_SEQ_VALUE.match(payload, at + len(_ACKED_SEQ_KEY))
        if match is not None:
            return int(match.group(1))
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
