"""Turn botocore failures into one actionable line each.

A person should read what went wrong and what to run next, never a traceback.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..safe_text import safe_text

if TYPE_CHECKING:
    from ..model import Space

# The IAM policy statement a refused action needs, quoted in AccessDenied messages.
_POLICY_HINT = '{{"Effect": "Allow", "Action": "sagemaker:{op}", "Resource": "*"}}'

_CREDENTIAL_CODES = {
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "MissingAuthenticationTokenException",
    "RequestExpired",
}
# The codes AWS services answer a too-fast caller with (botocore's standard retry treats them so).
THROTTLE_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "RequestThrottledException",
        "RequestThrottled",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
    }
)


class AwsError(Exception):
    """A failure of an AWS call, phrased for a person.

    Its message quotes what an endpoint answered (error messages, codes, names), so it passes
    through safe_text: one line, no control characters, whoever prints it."""

    def __init__(
        self,
        message: str,
        *,
        kind: str = "service",
        fix: str | None = None,
        operation: str | None = None,
        code: str | None = None,
    ) -> None:
        message = safe_text(message)
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.fix = fix
        self.operation = operation
        self.code = code  # the service's error code, when it answered with one

    def __str__(self) -> str:
        return self.message


class NeedsLargerInstance(AwsError):
    """Remote access needs at least 8 GiB of memory; the space's instance type has less."""

    def __init__(self, space_name: str, current: str, suggested: str) -> None:
        super().__init__(
            f"{space_name}: remote access needs at least 8 GiB of memory and {current} has 4 GiB; "
            f"start it on {suggested} instead (--instance-type {suggested})",
            kind="validation",
        )
        self.current = current
        self.suggested = suggested


class NeedsRestart(AwsError):
    """The edit changes what a running app runs on (instance type, image): it must restart."""

    def __init__(self, space: Space, changes: list[str]) -> None:
        super().__init__(
            f"{space.name} is running: {', '.join(changes)} restarts it, and unsaved work is lost; "
            "confirm (or pass --yes)",
            kind="validation",
        )
        self.space = space
        self.changes = changes


def throttled(op: str | None) -> AwsError:
    return AwsError(
        f"SageMaker is throttling {op or 'requests'}; wait a moment and retry", kind="throttled", operation=op
    )


def login_fix(profile: str | None, sso: bool) -> str:
    flag = f" --profile {profile}" if profile else ""
    return f"aws sso login{flag}" if sso else f"aws configure{flag}"


def credentials_error(profile: str | None, detail: str, *, sso: bool = False) -> AwsError:
    fix = login_fix(profile, sso)
    who = f"profile {profile!r}" if profile else "the default credential chain"
    return AwsError(
        f"AWS credentials for {who} {detail}; run `{fix}` and retry",
        kind="credentials",
        fix=fix,
    )


def translate(
    exc: BaseException,
    *,
    operation: str | None = None,
    profile: str | None = None,
    sso: bool = False,
    endpoint: str | None = None,
    space: str | None = None,
    domain: str | None = None,
) -> AwsError:
    """Map any botocore/aiohttp exception raised by a call to an AwsError."""
    if isinstance(exc, AwsError):
        return exc
    # Imported here: botocore costs import time and this module is loaded at start-up.
    from botocore import exceptions as bce

    if isinstance(exc, bce.ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code", ""))
        text = _one_line(_short_value_sets(str(err.get("Message", ""))) or code)
        op = operation or getattr(exc, "operation_name", None)
        error = _from_code(code, text, op, profile, sso, space, domain)
        error.code = code
        return error
    if isinstance(exc, (bce.NoCredentialsError, bce.PartialCredentialsError)):
        return credentials_error(profile, "were not found", sso=sso)
    if isinstance(exc, bce.ProfileNotFound):
        return AwsError(
            f"AWS profile {profile!r} is not in your AWS config; see `aws configure list-profiles`",
            kind="credentials",
            fix="aws configure list-profiles",
        )
    if isinstance(exc, (bce.SSOTokenLoadError, bce.UnauthorizedSSOTokenError, bce.TokenRetrievalError)):
        return credentials_error(profile, "have an expired or missing SSO session", sso=True)
    if isinstance(exc, bce.CredentialRetrievalError):
        return credentials_error(profile, f"could not be loaded ({_one_line(str(exc))})", sso=sso)
    if isinstance(exc, bce.NoRegionError):
        return AwsError(
            "no AWS region is set; pass --region or set AWS_REGION",
            kind="validation",
            fix="--region us-east-1",
        )
    if isinstance(exc, bce.ReadTimeoutError):
        where = endpoint or getattr(exc, "kwargs", {}).get("endpoint_url") or "the AWS endpoint"
        return AwsError(
            f"{where} accepted the connection but did not answer in time; check the network and any "
            "proxy settings, or raise SM_SPACES_READ_TIMEOUT",
            kind="endpoint",
            operation=operation,
        )
    if isinstance(exc, bce.SSLError):
        where = endpoint or getattr(exc, "kwargs", {}).get("endpoint_url") or "the AWS endpoint"
        return AwsError(
            f"the TLS certificate of {where} could not be verified; if it is signed by a CA of your "
            "own (a proxy, a private endpoint), point AWS_CA_BUNDLE or the profile's ca_bundle at it",
            kind="endpoint",
            operation=operation,
        )
    if isinstance(exc, (bce.EndpointConnectionError, bce.ConnectTimeoutError)):
        where = endpoint or getattr(exc, "kwargs", {}).get("endpoint_url") or "the AWS endpoint"
        return AwsError(
            f"cannot reach {where}; check the network, the region and any proxy settings",
            kind="endpoint",
            operation=operation,
        )
    if isinstance(exc, bce.BotoCoreError):
        return AwsError(_one_line(str(exc)), kind="service", operation=operation)
    if isinstance(exc, (OSError, TimeoutError)):
        where = endpoint or "the AWS endpoint"
        return AwsError(
            f"cannot reach {where} ({_one_line(str(exc)) or type(exc).__name__})",
            kind="endpoint",
            operation=operation,
        )
    if isinstance(exc, (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError)):
        # botocore could not parse the answer (a field of the wrong type): not a network problem, and
        # the raw content is not worth echoing.
        return AwsError(
            f"the answer to {operation or 'an AWS call'} was malformed ({type(exc).__name__}); "
            "retry, and report it if it persists",
            kind="service",
            operation=operation,
        )
    return AwsError(f"{type(exc).__name__}: {_one_line(str(exc))}", operation=operation)


def _from_code(
    code: str,
    text: str,
    op: str | None,
    profile: str | None,
    sso: bool,
    space: str | None,
    domain: str | None,
) -> AwsError:
    if code in ("AccessDeniedException", "AccessDenied") and op:
        return AwsError(
            f"access denied: your identity may not call sagemaker:{op}; "
            f"ask for an IAM policy statement {_POLICY_HINT.format(op=op)}",
            kind="access_denied",
            operation=op,
        )
    if code in _CREDENTIAL_CODES:
        detail = "have expired" if "xpired" in code or "xpired" in text else "were refused"
        err = credentials_error(profile, detail, sso=sso)
        err.operation = op
        return err
    if code in THROTTLE_CODES:
        return throttled(op)
    if code in ("ResourceNotFound", "ResourceNotFoundException"):
        what = f"space {space!r} in domain {domain}" if space else "the resource"
        return AwsError(
            f"{what} was not found ({text}); refresh the list or check --domain",
            kind="not_found",
            operation=op,
        )
    if code == "ResourceInUse" and op == "CreateSpace":
        return AwsError(f"{text.rstrip('.')}; choose another name", kind="in_use", operation=op)
    if code == "ResourceInUse":
        return AwsError(f"{text}; wait for the current change to finish", kind="in_use", operation=op)
    if code == "ResourceLimitExceeded":
        # Retrying cannot help until something else ends: said once, never retried.
        if op == "StartSession":
            return AwsError(
                f"the space has as many sessions open as SageMaker allows ({text}); close another ssh "
                "or VS Code session to it, then connect again",
                kind="limit",
                operation=op,
            )
        return AwsError(f"{op or 'AWS call'} reached a limit: {text}", kind="limit", operation=op)
    if code == "ValidationException":  # AWS's reason, said to be AWS's
        return AwsError(f"{op} was refused: {text}" if op else text, kind="validation", operation=op)
    return AwsError(f"{op or 'AWS call'} failed: {code}: {text}", kind="service", operation=op)


_VALUE_SET = re.compile(r"(enum value set: \[)([^\]]*)\]")
SHOWN_VALUES = 6


def _short_value_sets(text: str) -> str:
    """AWS's ValidationException lists every allowed value of an enum ("Member must satisfy enum
    value set: [system, ml.t3.micro, ...]", 170-odd instance types): a few, and how many in all,
    keep the line readable and its end (the rest of the reason) in it."""

    def shortened(match: re.Match[str]) -> str:
        values = [v.strip() for v in match[2].split(",")]
        if len(values) <= SHOWN_VALUES:
            return match[0]
        return f"{match[1]}{', '.join(values[:SHOWN_VALUES])}, … ({len(values)} values)]"

    return _VALUE_SET.sub(shortened, text)


def _one_line(text: str) -> str:
    return " ".join(text.split())[:400]
