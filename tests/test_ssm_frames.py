"""The SSM frame codec against frames recorded from the official client, plus property tests."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sm_spaces.ssm import frames
from sm_spaces.ssm.frames import Message, MessageType, PayloadType, ProtocolError

# Frames recorded from the official session-manager-plugin (see the README beside them), kept in the
# repository so that a plain clone passes its own tests.
GOLDEN_DIR = Path(__file__).resolve().parent / "data" / "ssm-golden"
GOLDEN_FILE = GOLDEN_DIR / "official-client-frames.hex"


def golden_frames() -> list[bytes]:
    if not GOLDEN_FILE.is_file():
        pytest.fail(f"golden frames missing: {GOLDEN_FILE}")
    result = []
    for line in GOLDEN_FILE.read_text().splitlines():
        if line.strip():
            header_hex, payload_hex = line.split(" ")
            result.append(bytes.fromhex(header_hex + payload_hex))
    return result


def test_golden_frames_decode_to_documented_fields() -> None:
    decoded = [frames.decode(frame) for frame in golden_frames()]
    assert [(m.message_type, m.sequence_number, m.flags, m.payload_type) for m in decoded] == [
        (MessageType.ACK, 0, 3, 0),
        (MessageType.INPUT, 0, 0, PayloadType.HANDSHAKE_RESPONSE),
        (MessageType.ACK, 0, 3, 0),
        (MessageType.INPUT, 1, 0, PayloadType.OUTPUT),
        (MessageType.ACK, 0, 3, 0),
    ]
    assert all(m.schema_version == 1 for m in decoded)
    assert decoded[3].payload == b"hello\n"
    handshake = frames.parse_json_payload(decoded[1].payload)
    assert handshake["ProcessedClientActions"][0] == {
        "ActionType": "SessionType",
        "ActionStatus": 1,
        "ActionResult": None,
        "Error": "",
    }
    acked = [frames.acked_sequence_number(decoded[i]) for i in (0, 2, 4)]
    assert acked == [0, 1, 2]


def test_golden_frames_reencode_identically() -> None:
    for frame in golden_frames():
        assert frames.encode(frames.decode(frame)) == frame


def test_golden_message_id_halves_are_swapped_on_the_wire() -> None:
    frame = golden_frames()[3]
    message = frames.decode(frame)
    assert frame[64:80] == message.message_id.bytes[8:] + message.message_id.bytes[:8]
    assert frame[80:112] == hashlib.sha256(b"hello\n").digest()


def test_ack_payload_matches_official_client_bytes() -> None:
    recorded = frames.decode(golden_frames()[0])
    acked = Message(
        MessageType.OUTPUT,
        0,
        PayloadType.HANDSHAKE_REQUEST,
        b"{}",
        message_id=uuid.UUID("0c983a68-304d-4b58-9754-9f251b7426a8"),
    )
    ack = frames.ack_message(acked)
    assert ack.payload == recorded.payload
    assert (ack.flags, ack.payload_type, ack.sequence_number) == (3, 0, 0)


def test_flag_payload_round_trip() -> None:
    assert frames.flag_payload(frames.Flag.TERMINATE_SESSION) == b"\x00\x00\x00\x02"
    assert frames.parse_flag(b"\x00\x00\x00\x02") == frames.Flag.TERMINATE_SESSION
    with pytest.raises(ProtocolError):
        frames.parse_flag(b"\x00\x02")


type_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=32)
messages = st.builds(
    Message,
    message_type=type_names,
    sequence_number=st.integers(-(2**63), 2**63 - 1),
    payload_type=st.integers(0, 2**32 - 1),
    payload=st.binary(max_size=3000),
    flags=st.integers(0, 2**64 - 1),
    message_id=st.uuids(),
    created_date=st.integers(0, 2**64 - 1),
    schema_version=st.integers(0, 2**32 - 1),
)


@given(messages)
@settings(deadline=None)  # no timing: a loaded CI machine must not fail a correctness test
def test_any_message_round_trips(message: Message) -> None:
    frame = frames.encode(message)
    assert len(frame) == 120 + len(message.payload)
    assert frames.decode(frame) == message


@given(messages, st.data())
@settings(max_examples=300, deadline=None)
def test_truncated_or_extended_frames_raise_protocol_error(message: Message, data: st.DataObject) -> None:
    frame = frames.encode(message)
    cut = data.draw(st.integers(0, len(frame) - 1))
    with pytest.raises(ProtocolError):
        frames.decode(frame[:cut])
    with pytest.raises(ProtocolError):
        frames.decode(frame + data.draw(st.binary(min_size=1, max_size=8)))


@given(messages, st.data())
@settings(max_examples=300, deadline=None)
def test_bit_flips_raise_only_protocol_error(message: Message, data: st.DataObject) -> None:
    frame = bytearray(frames.encode(message))
    bit = data.draw(st.integers(0, len(frame) * 8 - 1))
    frame[bit // 8] ^= 1 << (bit % 8)
    try:
        decoded = frames.decode(bytes(frame))
    except ProtocolError:
        return
    # Flips in unchecked fields decode, but never to the original message.
    assert decoded != message


@given(st.binary(max_size=400))
@settings(deadline=None)
def test_arbitrary_bytes_raise_only_protocol_error(blob: bytes) -> None:
    try:
        frames.decode(blob)
    except ProtocolError:
        pass


def test_unknown_header_length_is_rejected() -> None:
    frame = bytearray(frames.encode(Message(MessageType.INPUT, 1, PayloadType.OUTPUT, b"x")))
    frame[3] = 112
    with pytest.raises(ProtocolError, match="header length"):
        frames.decode(bytes(frame))


def test_wrong_digest_is_rejected() -> None:
    frame = bytearray(frames.encode(Message(MessageType.INPUT, 1, PayloadType.OUTPUT, b"abc")))
    frame[-1] ^= 0x01
    with pytest.raises(ProtocolError, match="digest"):
        frames.decode(bytes(frame))


@pytest.mark.parametrize("payload", [b"", b"[]", b"{", b'{"AcknowledgedMessageSequenceNumber":"1"}'])
def test_malformed_ack_payload_is_protocol_error(payload: bytes) -> None:
    ack = Message(MessageType.ACK, 0, 0, payload, flags=3)
    with pytest.raises(ProtocolError):
        frames.acked_sequence_number(ack)
