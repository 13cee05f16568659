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


PUBLICATION = (MessageType.START_PUBLICATION, MessageType.PAUSE_PUBLICATION)
type_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=32).filter(
    lambda name: name not in PUBLICATION
)
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
def test_truncated_frames_raise_protocol_error(message: Message, data: st.DataObject) -> None:
    frame = frames.encode(message)
    cut = data.draw(st.integers(0, len(frame) - 1))
    with pytest.raises(ProtocolError):
        frames.decode(frame[:cut])


@given(messages.filter(lambda m: m.payload), st.binary(min_size=1, max_size=8))
@settings(max_examples=300, deadline=None)
def test_bytes_added_to_a_payload_fail_its_digest(message: Message, extra: bytes) -> None:
    with pytest.raises(ProtocolError, match="digest"):
        frames.decode(frames.encode(message) + extra)


def _unchecked_by_the_official_client(frame: bytes, byte: int) -> bool:
    """Fields whose change the official client does not notice: PayloadLength, except whether it
    is 0; the digest of an empty payload; padding of the type that becomes NUL or white space."""
    if 116 <= byte < 120:
        return True
    if 80 <= byte < 112:
        return frame[116:120] == b"\0\0\0\0"
    return 4 <= byte < 36


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
    # Flips in fields nobody checks decode, but never to the original message, unless the
    # official client would not have noticed either.
    assert decoded != message or _unchecked_by_the_official_client(bytes(frame), bit // 8)


@given(st.binary(max_size=400))
@settings(deadline=None)
def test_arbitrary_bytes_raise_only_protocol_error(blob: bytes) -> None:
    try:
        frames.decode(blob)
    except ProtocolError:
        pass


def _header(frame: bytes, **fields: int) -> bytes:
    """`frame` with header fields overwritten: header_length, payload_length (big-endian u32)."""
    out = bytearray(frame)
    if "header_length" in fields:
        out[0:4] = fields["header_length"].to_bytes(4, "big")
    if "payload_length" in fields:
        out[116:120] = fields["payload_length"].to_bytes(4, "big")
    return bytes(out)


def test_a_zero_header_length_is_rejected() -> None:
    frame = frames.encode(Message(MessageType.OUTPUT, 1, PayloadType.OUTPUT, b"x"))
    with pytest.raises(ProtocolError, match="header length is 0"):
        frames.decode(_header(frame, header_length=0))
    with pytest.raises(ProtocolError, match="beyond"):
        frames.decode(_header(frame, header_length=200))


def test_a_longer_header_is_skipped_as_the_official_client_skips_it() -> None:
    # The payload starts at HeaderLength + 4 (messageparser.go), so fields a newer header adds
    # between offset 116 and the payload are passed over.
    base = frames.encode(Message(MessageType.OUTPUT, 4, PayloadType.OUTPUT, b"data"))
    frame = _header(base[:116], header_length=124) + base[116:120] + b"NEWFIELD" + b"data"
    decoded = frames.decode(frame)
    assert (decoded.message_type, decoded.sequence_number, decoded.payload) == (
        MessageType.OUTPUT,
        4,
        b"data",
    )


def test_payload_length_only_says_whether_to_check_the_digest() -> None:
    frame = frames.encode(Message(MessageType.OUTPUT, 2, PayloadType.OUTPUT, b"abc"))
    assert frames.decode(_header(frame, payload_length=99)).payload == b"abc"
    zero_digest = frame[:80] + bytes(32) + frame[112:]
    with pytest.raises(ProtocolError, match="digest"):
        frames.decode(zero_digest)
    empty = frames.encode(Message(MessageType.ACK, 0, 0, b"", flags=3))
    assert frames.decode(empty[:80] + bytes(32) + empty[112:]).payload == b""


def test_wrong_digest_is_rejected() -> None:
    frame = bytearray(frames.encode(Message(MessageType.INPUT, 1, PayloadType.OUTPUT, b"abc")))
    frame[-1] ^= 0x01
    with pytest.raises(ProtocolError, match="digest"):
        frames.decode(bytes(frame))


def service_publication_frame(message_type: str) -> bytes:
    """A publication control frame as the service may send it: the type padded with NULs, an
    empty payload and an all-zero digest."""
    frame = frames.encode(Message(message_type, 0, 0, b""))
    return frame[:4] + message_type.encode().ljust(32, b"\0") + frame[36:80] + bytes(32) + frame[112:]


@pytest.mark.parametrize("kind", PUBLICATION)
def test_publication_frames_from_the_service_decode(kind: str) -> None:
    assert frames.decode(service_publication_frame(kind)).message_type == kind
    # Validate() exempts them from every check, the header length included.
    assert frames.decode(_header(service_publication_frame(kind), header_length=0)).message_type == kind


def test_message_types_are_trimmed_of_nul_padding_and_white_space() -> None:
    frame = frames.encode(Message(MessageType.OUTPUT, 3, PayloadType.OUTPUT, b"x"))
    padded = frame[:4] + b"\0\0" + MessageType.OUTPUT.encode().ljust(30, b"\0") + frame[36:]
    assert frames.decode(padded).message_type == MessageType.OUTPUT
    tabbed = frame[:4] + b"\t" + MessageType.OUTPUT.encode().ljust(31, b"\0") + frame[36:]
    assert frames.decode(tabbed).message_type == MessageType.OUTPUT
    blank = frame[:4] + bytes(32) + frame[36:]
    with pytest.raises(ProtocolError, match="type is missing"):
        frames.decode(blank)


def test_an_unknown_type_decodes_with_its_name() -> None:
    frame = frames.encode(Message("agent_session_state", 0, 0, b"{}"))
    assert frames.decode(frame).message_type == "agent_session_state"
    odd = frame[:4] + b"\xffodd\x1b[2J".ljust(32, b" ") + frame[36:]
    assert frames.decode(odd).message_type == "\\xffodd\x1b[2J"


@pytest.mark.parametrize("payload", [b"", b"[]", b"{", b'{"AcknowledgedMessageSequenceNumber":"1"}'])
def test_malformed_ack_payload_is_protocol_error(payload: bytes) -> None:
    ack = Message(MessageType.ACK, 0, 0, payload, flags=3)
    with pytest.raises(ProtocolError):
        frames.acked_sequence_number(ack)
