"""Regenerate RELIABILITY.md: run the reliability, security and fuzz tests, collect what they tried.

    .venv/bin/python scripts/reliability_report.py            # the CI-length runs (a few minutes)
    .venv/bin/python scripts/reliability_report.py --long     # plus the `-m fuzz` long runs

Figures come from three places: pytest's JUnit XML (outcome and time of every test), hypothesis's
statistics (examples per property test), and the JSON lines our tests append through
tests/reliability_log.py (kills, requests, bytes, messages). Nothing is typed in by hand: a test
that stops running, or starts failing, shows up in the report.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    """One fault or input class of issue 7: which tests prove it and which records carry its figures."""

    section: str
    name: str
    tried: str
    tests: list[str]  # node-id prefixes: "tests/test_x.py" or "tests/test_x.py::test_name"
    records: list[str] = field(default_factory=list)  # record-name prefixes


ROWS = [
    Row(
        "1. Faults",
        "50 % of calls throttled during a listing",
        "listings with every other call "
        "ThrottlingException; compared field by field with an unfaulted listing",
        [
            "tests/test_reliability_faults.py::test_half_of_all",
            "tests/test_aws_service.py::test_listing_survives",
        ],
        ["faults.throttle_50"],
    ),
    Row(
        "1. Faults",
        "bursts of 5xx",
        "bursts of 500/503 inside the retry budget; an outage beyond it; 5xx during start and stop",
        [
            "tests/test_reliability_faults.py::test_short_5xx",
            "tests/test_reliability_faults.py::test_many_short_5xx",
            "tests/test_reliability_faults.py::test_long_5xx",
            "tests/test_reliability_faults.py::test_5xx_on_start",
        ],
        ["faults.5xx"],
    ),
    Row(
        "1. Faults",
        "credentials expire while the TUI is open",
        "ExpiredToken during background refresh and during an action; valid again later",
        [
            "tests/test_reliability_tui.py::test_credentials",
            "tests/test_ui_pilot.py::test_expired_credentials",
        ],
        ["tui.credentials_expire"],
    ),
    Row(
        "1. Faults",
        "an endpoint that stops answering",
        "a 127.0.0.1 server that accepts and never answers, with SM_SPACES_*_TIMEOUT; service, CLI and TUI",
        [
            "tests/test_reliability_faults.py::test_silent",
            "tests/test_reliability_faults.py::test_bad_timeout",
            "tests/test_reliability_tui.py::test_silent",
        ],
        ["faults.silent_endpoint", "tui.silent_endpoint"],
    ),
    Row(
        "1. Faults",
        "a space that goes Failed while starting",
        "seed space custom-image-test; service, CLI and TUI",
        [
            "tests/test_reliability_faults.py::test_space_failing",
            "tests/test_reliability_tui.py::test_space_failing",
        ],
        ["faults.failed_start", "tui.failed_start"],
    ),
    Row(
        "1. Faults",
        "websocket cut, resumed (ssm:ResumeSession)",
        "real ssh/scp + our ProxyCommand: 20 MB scp each way cut mid-transfer (SHA-256 compared); an "
        "interactive session cut twice (the service holding the agent's output, or pausing the agent); "
        "the proxy SIGSTOPped past the service's keepalive, and past the session's grace; ResumeSession "
        "refused (each refusal); connect --persist (ssh, asyncssh) and the TUI's persist setting "
        "reattaching to tmux after a refused resume",
        [
            "tests/test_resume_e2e.py",
            "tests/test_resume_session.py",
            "tests/test_persist_e2e.py",
            "tests/test_ui_persist.py",
        ],
        ["resume."],
    ),
    Row(
        "1. Faults",
        "websocket cut, resume refused: interactive session and transfers",
        "real ssh + our ProxyCommand, SSM refusing ResumeSession (a cut is final); "
        "cut mid-session, mid-upload and mid-download (6 MiB, cut after 1 MiB); uncut control",
        [
            "tests/test_reliability_channel.py::test_cut",
            "tests/test_reliability_channel.py::test_the_same",
            "tests/test_ssm_ssh.py::test_cut",
            "tests/test_ssm_channel.py::test_cut",
        ],
        ["channel.cut"],
    ),
    Row(
        "1. Faults",
        "the agent closes the channel",
        "channel_closed mid-session; the agent's own connection ending after a polite close",
        ["tests/test_reliability_channel.py::test_agent"],
        ["channel.agent_closed"],
    ),
    Row(
        "1. Faults",
        "ten start/stop actions at once, background refresh running",
        "5 starts + 5 stops (stacked confirmations) with a refresh every 50 ms lasting 150 ms",
        ["tests/test_reliability_tui.py::test_ten"],
        ["tui.ten_actions"],
    ),
    Row(
        "2. Fuzzing",
        "SSM frame decoder",
        "hypothesis: arbitrary bytes and mutated frames; only ProtocolError may escape",
        ["tests/test_ssm_frames.py", "tests/test_ssm_reliability.py"],
    ),
    Row(
        "2. Fuzzing",
        "deep-link parser",
        "hypothesis and mutation of Studio links",
        ["tests/test_deeplink.py"],
    ),
    Row(
        "2. Fuzzing",
        "ssh-config writer",
        "hypothesis: round trip, idempotence, CRLF, injection, ssh -G",
        ["tests/test_ssh_config_props.py"],
    ),
    Row(
        "2. Fuzzing",
        "settings and cache readers",
        "hypothesis: arbitrary bytes and TOML shapes",
        ["tests/test_config.py::test_reader", "tests/test_config.py::test_cache_reader"],
    ),
    Row(
        "2. Fuzzing",
        "API responses: missing, extra, mistyped fields",
        "parse functions on arbitrary JSON; "
        "real aiobotocore through a mutating proxy (listing, describe, StartSession); odd error bodies",
        ["tests/test_fuzz_responses.py"],
        ["fuzz."],
    ),
    Row(
        "3. Secret hygiene",
        "list, start, connect, forward, open, ssh-config, TUI",
        "command lines of "
        "every process sampled; outputs, files, logs, SVG screenshot, failure messages searched; modes",
        [
            "tests/test_security_secrets.py",
            "tests/test_connect.py::test_token_and_secret",
            "tests/test_open_link.py::test_a_link_read_from_stdin",
            "tests/test_open_link.py::test_the_token",
            "tests/test_ssm_channel.py::test_token_never",
        ],
        ["secrets."],
    ),
    Row(
        "4. Simulated account",
        "loopback only",
        "non-loopback hosts refused; listening sockets of the process with a live session",
        ["tests/test_security_demo.py::test_refuses", "tests/test_security_demo.py::test_listens"],
        ["security.loopback"],
    ),
    Row(
        "4. Simulated account",
        "unsigned, wrongly signed, replayed, wrong token",
        "every operation with "
        "other credentials; garbage Authorization; byte-exact replays as the clock moves; websockets "
        "without the issued token",
        [
            "tests/test_security_demo.py::test_a_",
            "tests/test_security_demo.py::test_unsigned",
            "tests/test_security_demo.py::test_signature",
            "tests/test_demo_sigv4.py",
        ],
        ["security.stranger", "security.unsigned", "security.replay", "security.websocket"],
    ),
    Row(
        "4. Simulated account",
        "headers left out of the signature",
        "a DescribeApp signature replayed as DeleteApp; host, x-amz-date, x-amz-target each unsigned; "
        "a signed header the request lacks; botocore clients still accepted",
        ["tests/test_demo_signed_headers.py"],
        ["security.signed_headers"],
    ),
    Row(
        "5. Crash safety",
        "settings, cache and ssh config under SIGKILL",
        "writer processes alternating "
        "two versions through save_settings / save_cache / ssh_config.install, killed at random instants",
        ["tests/test_reliability_crash.py", "tests/test_atomic.py"],
        ["crash."],
    ),
    Row(
        "6. Hostile data",
        "terminal escapes, line breaks and markup from AWS or any endpoint",
        "`demo serve --hostile`: names, display names, owner, domain, instance types and error messages "
        "with OSC 0/8/52, CSI, C1, bidi, newlines and Rich markup; list (table, --json), start, stop, "
        "connect, forward, ssh-config, doctor; the TUI under a pilot and on a tmux terminal recorded by "
        "`script`, its bytes searched; palette and toasts with markup names; the sanitiser on any text",
        [
            "tests/test_hostile_data.py",
            "tests/test_safe_text.py",
            "tests/test_ui_hostile_text.py",
        ],
        ["hostile."],
    ),
    Row(
        "7. Exit statuses and signals",
        "lost channels, Ctrl-C, SIGTERM/SIGHUP, TUI crashes",
        "SIGTERM, SIGHUP, SIGINT to connect alone under --with ssh, asyncssh, plugin (no descendant "
        "survives, pipes freed); the channel cut mid-command under each --with; Ctrl-C on a terminal; "
        "the TUI quit, interrupted and crashing",
        ["tests/test_signals.py", "tests/test_ui_exit_status.py"],
        ["signals."],
    ),
    Row(
        "8. Files that are traps",
        "symlinks, FIFOs, devices, directories, races, read-only and foreign files",
        "links at the cache, backup and temporary names; the user's ~/.ssh/config link, dangling too; "
        "FIFOs for settings, cache and ssh config (CLI and TUI); our directories' modes and owners; "
        "concurrent edits of ~/.ssh/config; read-only config; remove; unparseable spaces; Match blocks",
        [
            "tests/test_careful_files.py",
            "tests/test_ssh_config.py::test_user_hosts_claiming",
            "tests/test_ssh_config.py::test_the_match_lines",
            "tests/test_ssh_config.py::test_unrelated_or_catch_all",
        ],
        ["files."],
    ),
    Row(
        "9. Input checks",
        "--endpoint-url and demo serve options",
        "file:, javascript:, CRLF, ports 0 and 99999, userinfo, '' and hypothesis strings, for every "
        "command and the endpoint variables; demo serve --port and --delay out of range, nan, inf",
        ["tests/test_input_checks.py"],
        ["input."],
    ),
]

# Record fields that count what was tried (summed into the table's "Inputs / examples" column).
COUNTED = (
    "inputs",
    "iterations",
    "requests",
    "attempts",
    "listings",
    "bursts",
    "replays",
    "cases",
    "commands",
    "actions",
    "failure_messages",
    "connections",
    "screenshots",
)
# What these tests found, kept with the report (maintained here, by hand, as findings change).
FINDINGS = """\
## What the tests found

Fixed while writing them:
- StartSession answers with a missing or mistyped SessionId / StreamUrl / TokenValue became a SessionInfo
  holding a list, failing later; now one AwsError naming the fields, never the token (`app/aws/service.py`).
- `ResponseError` was not an `AwsError`, so the CLI and the TUI, which turn AwsError into one line, let it
  through; it is one now (`app/aws/parse.py`).
- Answers botocore cannot parse surfaced in Python's words ("AttributeError: 'list' object has no attribute
  'get'", "Invalid timestamp {…}" echoing raw content); now "the answer to ListApps was malformed
  (AttributeError); retry, and report it if it persists" (`app/aws/errors.py`).
- A timestamp beyond datetime's range raised OSError, which read as "cannot reach the endpoint"
  (`app/aws/clients.py`).
- Timeouts could only be set in code: a silent endpoint held the CLI or the TUI for up to 4 × 30 s per call.
  Now `SM_SPACES_CONNECT_TIMEOUT` / `SM_SPACES_READ_TIMEOUT` apply everywhere, and a read timeout says the
  endpoint "did not answer in time" (`app/aws/service.py`, `app/aws/errors.py`).
- The simulated account accepted a session token sent with its own long-term keys; AWS refuses it
  (`app/demo/sigv4.py`). `Faults.error_burst` added for deterministic 5xx bursts (`app/demo/faults.py`).
- Found by a strict-xfail test, fixed by its owner (ef2a6bf): the SSM resend loop waited with
  `asyncio.wait_for`, which on Python 3.11 can swallow a cancellation; after a polite close the agent's
  handler never ended and stopping the simulated account hung for aiohttp's shutdown timeout.

Fixed for issue 14 (hostile strings, hostile files, signals):
- Terminal escapes from AWS or any endpoint reached the terminal raw (a display name retitled it,
  cleared it, wrote the clipboard; a newline forged table rows); one sanitiser now runs where text
  enters the model and on the CLI's output (`app/safe_text.py`), and names reach Textual as Text, the
  palette and toasts included. The hostile-data suite finds none of the payloads' bytes in what the
  CLI prints or what the TUI writes to a real terminal.
- `connect --with asyncssh` exited 0 when the channel died mid-command; Ctrl-C printed "interrupted"
  twice or lost sys.stderr; SIGTERM/SIGINT/SIGHUP to `connect` left ssh and ssh-proxy running, holding
  the caller's pipes (`app/connect/children.py`, `app/connect/inprocess.py`).
- Writes followed links at predictable names, FIFOs hung the program, a concurrent edit of
  ~/.ssh/config could be lost, a read-only one was replaced (`app/file_checks.py`, the ssh config writer).
- `--endpoint-url` and `demo serve` options are checked at parse time; the simulator requires host,
  x-amz-date and x-amz-target among the signed headers (a DescribeApp signature replayed as DeleteApp
  stopped a space).
- Stacked confirmations (open in the last report): the TUI now asks one question at a time (`Dialogs`,
  app/ui), so `y` can no longer answer another space's question.

Open (reported to the owners):
- A kill between the temporary write and the rename leaves a private `.<name>.XXXX.tmp` beside the file
  (never read, 0600); `abandoned_temp_files` in the crash figures counts them. A sweep of stale ones of our
  own prefix would tidy them.
- When the agent ends the session (channel_closed) mid-session, ssh-proxy prints nothing of its own; only
  ssh's "Connection to … closed by remote host." is shown.
"""

STAT_HEAD = re.compile(r"^(tests/\S+::\S+):\s*$")
STAT_COUNTS = re.compile(r"(\d+) passing(?: examples)?, (\d+) failing(?: examples)?,? (?:and )?(\d+) invalid")


def run_tests(long: bool, extra: list[str]) -> tuple[dict[str, dict], dict[str, int], list[dict], str]:
    files = sorted({t.split("::")[0] for row in ROWS for t in row.tests})
    with tempfile.TemporaryDirectory() as tmp:
        junit, log = Path(tmp) / "junit.xml", Path(tmp) / "records.jsonl"
        marker = "fuzz or not fuzz" if long else "not fuzz"
        argv = [
            sys.executable,
            "-m",
            "pytest",
            *files,
            "-m",
            marker,
            f"--junitxml={junit}",
            "--hypothesis-show-statistics",
            "-p",
            "no:cacheprovider",
            "-q",
            "-rfEx",
            *extra,
        ]
        env = dict(os.environ, SM_SPACES_RELIABILITY_LOG=str(log))
        print("running:", " ".join(argv[2:]), file=sys.stderr)
        proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
        sys.stderr.write(proc.stdout[-3000:])
        full_log = Path(tempfile.gettempdir()) / "sm-spaces-reliability-last-run.log"
        full_log.write_text(proc.stdout + proc.stderr, encoding="utf-8")
        print(f"full pytest output: {full_log}", file=sys.stderr)
        outcomes = _junit(junit) if junit.exists() else {}
        records = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return outcomes, _hypothesis_counts(proc.stdout), records, " ".join(["pytest", *argv[3:]])


def _junit(path: Path) -> dict[str, dict]:
    found = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        module = case.get("classname", "").replace(".", "/")
        node = f"{module}.py::{case.get('name')}"
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed"
                message = " ".join((child.get("message") or child.text or "").split())[:400]
            elif child.tag == "skipped":
                outcome = (
                    "xfailed" if "xfail" in (child.get("type", "") + child.get("message", "")) else "skipped"
                )
        found[node] = {"outcome": outcome, "time": float(case.get("time") or 0), "message": message}
    return found


def _hypothesis_counts(output: str) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    current = None
    for line in output.splitlines():
        head = STAT_HEAD.match(line.strip())
        if head:
            current = head.group(1)
            continue
        numbers = STAT_COUNTS.search(line)
        if numbers and current:
            counts[current] += int(numbers.group(1)) + int(numbers.group(2))
    return dict(counts)


def _matches(node: str, prefixes: list[str]) -> bool:
    return any(node == p or node.startswith(p if "::" in p else p + "::") for p in prefixes)


def _figures(records: list[dict]) -> str:
    parts = []
    for rec in records:
        shown = {
            k: v for k, v in rec.items() if k not in ("name", "message", "banner") and not isinstance(v, dict)
        }
        nested = {k: v for k, v in rec.items() if isinstance(v, dict)}
        text = ", ".join(f"{k} {v}" for k, v in shown.items())
        text += "".join(f", {k} " + " ".join(f"{a}:{b}" for a, b in v.items()) for k, v in nested.items())
        parts.append(f"`{rec['name']}`: {text}")
    return "; ".join(parts)


def render(
    outcomes: dict[str, dict], stats: dict[str, int], records: list[dict], command: str, long: bool
) -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    total = defaultdict(int)
    for result in outcomes.values():
        total[result["outcome"]] += 1
    lines = [
        "# Reliability and security report",
        "",
        "Generated by `.venv/bin/python scripts/reliability_report.py"
        + (" --long`" if long else "`")
        + f" at commit `{commit}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC "
        f"(Python {sys.version.split()[0]}). Do not edit by hand: rerun the script.",
        "",
        f"Run: `{command}`",
        "",
        f"**{total['passed']} passed, {total['failed']} failed, {total['xfailed']} expected failures "
        f"(known bugs, listed below), {total['skipped']} skipped** — "
        + (
            "CI-length runs; add `--long` for the `-m fuzz` runs."
            if not long
            else "including the `-m fuzz` long runs."
        ),
        "",
        "| Area | Fault or input class | What was tried | Tests | Inputs / examples | Result |",
        "|---|---|---|---|---|---|",
    ]
    details = []
    for row in ROWS:
        nodes = sorted(n for n in outcomes if _matches(n, row.tests))
        results = defaultdict(int)
        for node in nodes:
            results[outcomes[node]["outcome"]] += 1
        examples = sum(stats.get(n, 0) for n in nodes)
        recs = [r for r in records if any(r["name"].startswith(p) for p in row.records)]
        inputs = sum(int(r.get(k, 0)) for r in recs for k in COUNTED)
        count = (
            " + ".join(
                x
                for x in (
                    f"{examples} hypothesis examples" if examples else "",
                    f"{inputs} recorded cases" if inputs else "",
                )
                if x
            )
            or "—"
        )
        verdict = "held" if nodes and not results["failed"] else ("NOT RUN" if not nodes else "FAILED")
        if results["xfailed"]:
            verdict += f" ({results['xfailed']} known bug)"
        summary = ", ".join(f"{v} {k}" for k, v in sorted(results.items()) if v)
        lines.append(
            f"| {row.section} | {row.name} | {row.tried} | {summary or 'none ran'} | {count} | **{verdict}** |"
        )
        messages = sorted(
            {str(r.get("message") or r.get("banner")) for r in recs if r.get("message") or r.get("banner")}
        )
        details.append((row, nodes, recs, messages))
    lines += ["", "## Figures and messages per class", ""]
    for row, nodes, recs, messages in details:
        lines.append(f"### {row.section[3:]}: {row.name}")
        lines.append("")
        if recs:
            lines.append("Figures: " + _figures(recs))
            lines.append("")
        for message in messages:
            lines.append(f"- what the user reads: `{message}`")
        if messages:
            lines.append("")
        lines.append("<details><summary>tests</summary>\n")
        for node in nodes:
            result = outcomes[node]
            examples = f", {stats[node]} examples" if node in stats else ""
            lines.append(f"- `{node}` — {result['outcome']}{examples}")
        lines += ["", "</details>", ""]
    lines += [FINDINGS]
    known = [n for n, r in outcomes.items() if r["outcome"] == "xfailed"]
    failed = [n for n, r in outcomes.items() if r["outcome"] == "failed"]
    lines += ["## Known bugs (strict xfail) and failures", ""]
    lines += [f"- xfail: `{n}` (reason in the test's marker)" for n in known] or ["- none"]
    lines += [f"- FAILED: `{n}`: {outcomes[n]['message']}" for n in failed]
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--long", action="store_true", help="also run the long `-m fuzz` runs")
    parser.add_argument("--output", type=Path, default=ROOT / "RELIABILITY.md")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args()
    outcomes, stats, records, command = run_tests(args.long, args.pytest_args)
    if not outcomes:
        print("pytest produced no results; RELIABILITY.md left unchanged", file=sys.stderr)
        return 1
    args.output.write_text(render(outcomes, stats, records, command, args.long), encoding="utf-8")
    failed = sum(1 for r in outcomes.values() if r["outcome"] == "failed")
    print(f"wrote {args.output} ({len(outcomes)} tests, {failed} failed)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
