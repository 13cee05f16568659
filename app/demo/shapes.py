"""botocore's SageMaker model as the simulator's contract: requests checked as AWS checks them, and
(when switched on) every answer checked against the model before it leaves.

Requests: enums, patterns, lengths and ranges of the operation's input shape, refused in AWS's
words ("1 validation error detected: Value 'bad name!' at 'spaceName' failed to satisfy
constraint: Member must satisfy regular expression pattern: ..."); a value of the wrong JSON type
is a SerializationException, as the service's deserializer answers. Members the model does not
know are ignored: awsJson services accept what newer clients send (a guess, see FIDELITY.md).

Answers: `answer_problems` compares the raw JSON with the output shape (botocore's parser would
silently drop unknown members, so the raw body is what is checked) and an error body with the
modeled error shape or the common errors every AWS service may return. The demo server runs it on
every answer when SM_SPACES_DEMO_SHAPE_LOG names a file (tests/conftest.py sets it for the whole
suite), and writes each problem there as a line.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from .faults import ApiError

# Errors any AWS JSON service may answer besides its modeled ones (and the ones the demo sends).
COMMON_ERRORS = frozenset(
    {
        "AccessDeniedException",
        "ExpiredTokenException",
        "IncompleteSignatureException",
        "InternalFailure",
        "InvalidSignatureException",
        "MissingAuthenticationTokenException",
        "SerializationException",
        "ServiceUnavailable",
        "ThrottlingException",
        "UnknownOperationException",
        "UnrecognizedClientException",
        "ValidationException",
    }
)
_SERVER_ERRORS = frozenset({"InternalFailure", "ServiceUnavailable"})


@cache
def model(service: str = "sagemaker") -> Any:
    """botocore's model of a JSON service the simulator answers: sagemaker, or ssm (ResumeSession)."""
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


# --- requests -----------------------------------------------------------------------------------


class _WrongType(Exception):
    def __init__(self, path: str, expected: str) -> None:
        super().__init__(f"Value at '{path}' could not be read as {expected}")


def check_request(
    op: str, params: object, service: str = "sagemaker", withdrawn: frozenset[str] = frozenset()
) -> None:
    """Raise the ApiError AWS answers for these parameters, if any. `withdrawn`: enum values the
    service no longer takes though botocore's model still lists them (Faults.withdrawn_enum_values)."""
    if not isinstance(params, dict):
        raise ApiError("SerializationException", "Start of structure or map found where not expected.")
    problems = _Problems(withdrawn)
    try:
        _structure(params, model(service).operation_model(op).input_shape, "", problems)
    except _WrongType as exc:
        raise ApiError("SerializationException", str(exc)) from None
    if problems:
        count = f"{len(problems)} validation error{'s' if len(problems) > 1 else ''} detected"
        raise ApiError("ValidationException", f"{count}: {'; '.join(problems)}")


class _Problems(list[str]):
    """The violations found so far, and the enum values the service has withdrawn."""

    def __init__(self, withdrawn: frozenset[str]) -> None:
        super().__init__()
        self.withdrawn = withdrawn


def _member_path(prefix: str, name: str) -> str:
    """AWS names members lowerCamelCase, joined by dots: 'spaceSettings.remoteAccess'."""
    head = name[:1].lower() + name[1:]
    return f"{prefix}.{head}" if prefix else head


def _structure(value: object, shape: Any, path: str, problems: _Problems) -> None:
    if not isinstance(value, dict):
        raise _WrongType(path or "input", "a structure")
    for name, member in shape.members.items():
        where = _member_path(path, name)
        item = value.get(name)
        if item is None:
            if name in shape.required_members:
                problems.append(
                    f"Value null at '{where}' failed to satisfy constraint: Member must not be null"
                )
            continue
        _value(item, member, where, problems)


def _value(value: object, shape: Any, path: str, problems: _Problems) -> None:
    kind = shape.type_name
    if kind == "structure":
        _structure(value, shape, path, problems)
        return
    broken: list[str] = []
    if kind == "string":
        if not isinstance(value, str):
            raise _WrongType(path, "a string")
        enum = [v for v in shape.enum if v not in problems.withdrawn] if shape.enum else []
        if enum and value not in enum:
            broken.append(f"Member must satisfy enum value set: [{', '.join(enum)}]")
        pattern = _pattern(shape.metadata.get("pattern"))
        if pattern is not None and pattern.fullmatch(value) is None:
            broken.append(f"Member must satisfy regular expression pattern: {shape.metadata['pattern']}")
        broken += _bounds(len(value), shape, "length")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise _WrongType(path, "an integer")
        broken += _bounds(value, shape, "value")
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise _WrongType(path, "a boolean")
    elif kind in ("double", "float", "timestamp"):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise _WrongType(path, "a number")
    elif kind == "list":
        if not isinstance(value, list):
            raise _WrongType(path, "a list")
        broken += _bounds(len(value), shape, "length")
        for index, item in enumerate(value, 1):
            _value(item, shape.member, f"{path}.{index}.member", problems)
    elif kind == "map":
        if not isinstance(value, dict):
            raise _WrongType(path, "a map")
        broken += _bounds(len(value), shape, "length")
        for key, item in value.items():
            _value(key, shape.key, f"{path}.{key}", problems)
            _value(item, shape.value, f"{path}.{key}", problems)
    shown = f"'{value}'" if isinstance(value, (str, int, float)) else "'[...]'"
    problems += [f"Value {shown} at '{path}' failed to satisfy constraint: {rule}" for rule in broken]


def _bounds(measure: int | float, shape: Any, what: str) -> list[str]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    out = []
    if low is not None and measure < low:
        out.append(f"Member must have {what} greater than or equal to {low}")
    if high is not None and measure > high:
        out.append(f"Member must have {what} less than or equal to {high}")
    return out


@cache
def _pattern(text: str | None) -> re.Pattern[str] | None:
    """The model's pattern, matched against the whole value as Java's String.matches does. A few
    (tag keys and values) use Java's \\p{L} classes, which Python's re lacks: those go unchecked."""
    if not text:
        return None
    try:
        return re.compile(text)
    except re.error:
        return None


# --- answers ------------------------------------------------------------------------------------


def answer_problems(op: str, status: int, body: object, service: str = "sagemaker") -> list[str]:
    """How a decoded JSON answer to `op` differs from what botocore's model allows ([] if it fits)."""
    if status == 200:
        return shape_errors(body, model(service).operation_model(op).output_shape)
    if not isinstance(body, dict) or not isinstance(body.get("__type"), str):
        return [f"error answer without a __type: {body!r:.120}"]
    code = body["__type"]
    if code in COMMON_ERRORS:
        problems = [
            f"$.{key}: unknown member of an error" for key in body if key not in ("__type", "message")
        ]
        if (status >= 500) != (code in _SERVER_ERRORS):
            problems.append(f"{code} answered with status {status}")
        return problems
    try:
        shape = model(service).shape_for(code)
    except Exception:  # botocore raises its NoShapeFoundError: not an error this service knows
        name = "SageMaker" if service == "sagemaker" else service.upper()
        return [f"{code} is neither a modeled {name} error nor a common AWS error"]
    if not shape.metadata.get("exception") or status != 400:
        return [f"{code} answered with status {status}, or is not an exception shape"]
    # awsJson carries the message as "message" or "Message"; botocore reads either.
    members = {name.lower() for name in shape.members}
    return [
        f"$.{key}: unknown member of {code}" for key in body if key != "__type" and key.lower() not in members
    ]


def sts_problems(status: int, body: bytes) -> list[str]:
    """The same for an STS (query protocol) answer: GetCallerIdentity's XML, or an ErrorResponse."""
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        return [f"STS answer is not XML ({exc})"]

    def tag(element: Any) -> str:
        return element.tag.rpartition("}")[2]

    children = [tag(child) for child in root]
    if status == 200:
        members = set(_sts_model().operation_model("GetCallerIdentity").output_shape.members)
        result = root.find("{*}GetCallerIdentityResult")
        fields = {tag(child) for child in result} if result is not None else set()
        if tag(root) != "GetCallerIdentityResponse" or result is None or not fields <= members:
            return [
                f"GetCallerIdentity answer is {tag(root)} with {children}, result fields {sorted(fields)}"
            ]
        return []
    error = root.find("{*}Error")
    parts = [tag(child) for child in error] if error is not None else []
    if tag(root) != "ErrorResponse" or sorted(parts) != ["Code", "Message", "Type"]:
        return [f"STS error answer is {tag(root)} with {children}, error fields {parts}"]
    return []


@cache
def _sts_model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("sts")


def shape_errors(value: Any, shape: Any, path: str = "$") -> list[str]:
    """Differences between a decoded JSON value and a botocore shape (empty list: it fits)."""
    if shape is None:  # operations without output (DeleteApp) answer an empty object
        return [] if value == {} else [f"{path}: expected empty object, got {value!r:.80}"]
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected object for {shape.name}, got {type(value).__name__}"]
        errors = [
            f"{path}.{name}: unknown member of {shape.name}" for name in value if name not in shape.members
        ]
        errors += [
            f"{path}.{name}: required member missing" for name in shape.required_members if name not in value
        ]
        for name, item in value.items():
            if name in shape.members:
                errors += shape_errors(item, shape.members[name], f"{path}.{name}")
        return errors
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected list, got {type(value).__name__}"]
        return [e for i, item in enumerate(value) for e in shape_errors(item, shape.member, f"{path}[{i}]")]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected map, got {type(value).__name__}"]
        return [
            e
            for k, v in value.items()
            for e in shape_errors(k, shape.key, f"{path}<key>") + shape_errors(v, shape.value, f"{path}[{k}]")
        ]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected string, got {type(value).__name__}"]
        if shape.enum and value not in shape.enum:
            return [f"{path}: {value!r} is not one of {shape.name}'s values"]
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            return [f"{path}: length {len(value)} outside {low}..{high}"]
        pattern = _pattern(shape.metadata.get("pattern"))
        if pattern is not None and pattern.fullmatch(value) is None:
            return [f"{path}: {value!r:.80} does not match {shape.name}'s pattern"]
        return []
    if kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            return [f"{path}: expected integer, got {type(value).__name__}"]
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            return [f"{path}: {value} outside {low}..{high}"]
        return []
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected boolean"]
    if kind in ("timestamp", "double", "float"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected number (epoch seconds), got {type(value).__name__}"]
    return [f"{path}: unexpected shape type {kind}"]
