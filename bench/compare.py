"""Issue 12 before and after: the same benchmarks run on the tree before it, beside this run.

`python -m bench --before FILE` takes FILE from `--json` of a run on the earlier tree (how that
run was made is written in the section) and puts its figures next to this run's. The two runs
are minutes apart on a machine shared with other work, so absolute times move with the load;
the ratios measured inside one run (against the Toolkit's call order, against `import
textual.app`, against the bare interpreter) are the fairer comparison and come first.
"""

from __future__ import annotations

from collections.abc import Callable

from bench.common import median

MB = 1024 * 1024

# How bench/issue12_before.json was made (the tree before issue 12's work, commit 01fa675).
BEFORE_COMMAND = (
    "`git archive 01fa675 | tar -x -C OLD && mkdir -p OLD/pkg && cp -r OLD/app OLD/pkg/sm_spaces && "
    "cp -r OLD/styles OLD/pkg/sm_spaces/styles && cd OLD && PYTHONPATH=OLD/pkg "
    "/path/to/checkout/.venv/bin/python -m bench --json issue12_before.json` (the same virtualenv, "
    "so the same dependency versions; PYTHONPATH puts the old package ahead of the editable install, "
    "in every process the benchmarks spawn)"
)

Figure = Callable[[dict], float | None]


def _listing(domains: int, spaces: int, what: str) -> Figure:
    def get(r: dict) -> float | None:
        for row in r["listing"]["sizes"]:
            if (row["domains"], row["spaces_per_domain"]) == (domains, spaces):
                return median(row[what]) if row.get(what) else None
        return None

    return get


def _vs_toolkit(domains: int, spaces: int) -> Figure:
    ours, toolkit = _listing(domains, spaces, "ours"), _listing(domains, spaces, "toolkit")

    def get(r: dict) -> float | None:
        a, b = ours(r), toolkit(r)
        return b / a if a and b else None

    return get


def _keys(spaces: int, what: str) -> Figure:
    def get(r: dict) -> float | None:
        keys = r["keys"]
        for row in keys.get("sizes", [keys]):  # the earlier tree measured one size, not a list
            if row["spaces"] == spaces:
                return float(row[what])
        return None

    return get


def _mb_per_s(name: str, direction: str) -> Figure:
    def get(r: dict) -> float | None:
        data = r[name]
        return data["size_mb"] / median([s[0] for s in data[direction]])

    return get


def _first_frame(r: dict) -> float | None:
    # The earlier tree timed `sm-spaces --region R` ("times"); this one times `sm-spaces` with
    # AWS_REGION set ("env"). Their baselines differ (`import textual.app`, a bare App's first
    # frame), so only the first frame itself is compared.
    fp = r["first_paint"]
    return median(fp["times"] if "times" in fp else fp["env"])


def _cli(name: str) -> Figure:
    return lambda r: median(r["cli"][name])


def _over_bare(name: str) -> Figure:
    return lambda r: median(r["cli"][name]) / median(r["cli"]["bare"])


def _ssh_true(r: dict) -> float | None:
    return median(r["ssh"]["true"])


def _throttled(r: dict) -> str:
    t = r["listing"].get("throttled")
    if not t:
        return "—"
    if "settings" in t:  # botocore's retries: one line per max_attempts setting
        first = t["settings"][0]
        done = len(first["times"])
        slow = f", median {median(first['times']) * 1000:.0f} ms" if done else ""
        return (
            f"{done} of {done + first['failed']} completed ({first['max_attempts']} attempts per call){slow}"
        )
    done = len(t["times"])  # the earlier tree's own retry loop, on top of botocore's attempts
    return f"{done} of {done} completed (our retry loop), median {median(t['times']) * 1000:.0f} ms"


def _ms(v: float) -> str:
    return f"{v * 1000:.0f} ms"


LATENCY = 0.05  # both runs add 50 ms to every call (render() checks that they did)


def _rt(v: float) -> str:
    return f"{_ms(v)} ({v / LATENCY:.1f} RT)"


ROWS: list[tuple[str, Figure, Callable[[float], str], bool]] = [
    # (figure, how to get it, how to show it, higher is better)
    (
        "listing 50 × 40 vs the Toolkit's call order (same run)",
        _vs_toolkit(50, 40),
        lambda v: f"{v:.1f}× faster",
        True,
    ),
    (
        "listing 100 × 100 vs the Toolkit's call order (same run)",
        _vs_toolkit(100, 100),
        lambda v: f"{v:.1f}× faster",
        True,
    ),
    (
        "`ssh-proxy` to the banner / bare interpreter start (same run)",
        _over_bare("ssh_proxy"),
        lambda v: f"{v:.0f}×",
        False,
    ),
    (
        "listing 10 × 20 from scratch",
        _listing(10, 20, "ours"),
        _rt,
        False,
    ),
    (
        "listing 50 × 40 from scratch (target ≤ 8 RT)",
        _listing(50, 40, "ours"),
        _rt,
        False,
    ),
    ("refresh 50 × 40", _listing(50, 40, "refresh"), _rt, False),
    (
        "listing 100 × 100 from scratch",
        _listing(100, 100, "ours"),
        _rt,
        False,
    ),
    ("transport floor 50 × 40 (plain aiohttp, same calls)", _listing(50, 40, "transport"), _ms, False),
    ("first frame with cached spaces", _first_frame, _ms, False),
    ("`/` filter p95 at 10,000 spaces", _keys(10000, "filter_p95"), lambda v: f"{v:.1f} ms", False),
    ("cursor p95 at 10,000 spaces", _keys(10000, "cursor_p95"), lambda v: f"{v:.1f} ms", False),
    ("RSS with 10,000 spaces", _keys(10000, "rss_mb"), lambda v: f"{v:.0f} MB", False),
    ("raw DataChannel upload", _mb_per_s("raw_channel", "upload"), lambda v: f"{v:.1f} MB/s", True),
    ("raw DataChannel download", _mb_per_s("raw_channel", "download"), lambda v: f"{v:.1f} MB/s", True),
    ("ssh/sftp upload", _mb_per_s("ssh", "upload"), lambda v: f"{v:.1f} MB/s", True),
    ("ssh/sftp download", _mb_per_s("ssh", "download"), lambda v: f"{v:.1f} MB/s", True),
    ("`ssh <alias> true`", _ssh_true, _ms, False),
    ("`sm-spaces ssh-proxy` to the first banner byte", _cli("ssh_proxy"), _ms, False),
    ("`sm-spaces --demo list --json`", _cli("demo_list"), _ms, False),
]


def _change(before: float, after: float, higher_is_better: bool) -> str:
    ratio = after / before
    better = ratio > 1 if higher_is_better else ratio < 1
    if abs(ratio - 1) < 0.05:
        return f"{ratio:.2f}× (within 5%)"
    return f"{ratio:.2f}× ({'better' if better else 'worse'})"


def render(before: dict, after: dict, source: str) -> list[str]:
    out = [
        "## Issue 12: before and after",
        "",
        f"*Before*: `{source}`, figures of the tree before issue 12 (a second road to AWS with our own "
        "SigV4 signer and direct pages, three retry layers, `gc.freeze()` after every listing, private "
        f"Textual and botocore internals), made with {BEFORE_COMMAND}, just before this run. *After*: "
        "this run. Absolute times move with the other sessions' load on this machine between the two "
        "runs; the first rows are ratios measured inside one run, which that load moves much less. "
        "*Change* is after / before.",
        "",
        "| figure | before | after | change |",
        "|---|---|---|---|",
    ]
    if not before["listing"]["latency"] == after["listing"]["latency"] == LATENCY:
        raise ValueError("the runs to compare must add the same 50 ms latency to every call")
    for label, get, show, higher in ROWS:
        b, a = get(before), get(after)
        if b is None or a is None:
            continue
        out.append(f"| {label} | {show(b)} | {show(a)} | {_change(b, a, higher)} |")
    out.append(
        f"| throttled 50 × 40 (a third of calls answered ThrottlingException) | {_throttled(before)} "
        f"| {_throttled(after)} | see Listing |"
    )
    out += ["", WHY_WORSE]
    return out


WHY_WORSE = (
    "**Where the worse rows come from.** Every row marked worse follows from issue 12's first item "
    "(one road: aiobotocore's client for every call, botocore's retries, no private parser), not "
    "from noise alone. *Listings*: each page goes through botocore's per-call pipeline and parser "
    "instead of our signer and a plain-JSON parser; the Listing section gives the client's CPU per "
    "listing beside the wall time, and how the CPU-bound waves stretch with the machine's load "
    "(both columns above ran under other sessions' load). *`ssh-proxy` and `ssh <alias> true`*: the "
    "proxy's StartSession now goes through aiobotocore, so the proxy imports aiobotocore, botocore "
    "and aiohttp and builds a SageMaker client before it can open the data channel, where the old "
    "proxy imported botocore's signer and posted one request; `ssh true` pays that once more on top "
    "of the handshake (the SSH exchange itself, from banner to exit status, takes ~20 ms on both "
    "trees under `ssh -vvv`). The service-model cut (app/aws/model_subset.py) gives part of it "
    "back: botocore no longer decodes SageMaker's whole model, nor builds ~400 client methods, in "
    "every proxy. *Raw DataChannel and sftp throughput*: the old tree batched websocket frames by "
    "swapping aiohttp's private writer transport; frames now go out one `send_bytes` each. Rerun "
    "alternately with the old tree on this machine, the raw channel moved between 13 and 44 MB/s "
    "from run to run on both trees, so that difference is within the noise of these runs."
)
