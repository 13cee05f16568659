"""BENCHMARKS.md from the collected figures: each with its baseline, ratio, target and verdict."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime

from bench import compare
from bench.common import median
from bench.keys import FILTER_TEXTS

MB = 1024 * 1024


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            names = [line.split(":", 1)[1].strip() for line in info if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()} ({sys.implementation.name})"
    )


def _listing(r: dict) -> list[str]:
    lat = r["latency"]
    out = [
        "## Listing",
        "",
        f"Full listing (domains, spaces, apps, user profiles, joined) with {lat * 1000:.0f} ms added to every "
        "API call by the simulator, which runs in its own process. Round trips (RT) = time / latency. "
        "*Listing*: from scratch, knowing no domain, as a new `sm-spaces list` or TUI without a cache "
        "does (the client made and its connections open, as in every figure here). *Refresh*: the next "
        "listing on the same service, as the TUI's `r` or a TUI started with a cached listing: it asks "
        "the known domains' pages beside ListDomains. *Transport floor*: the same calls in the same "
        "order with plain aiohttp, botocore's signer and a semaphore of 32, nothing decoded but domain ids and "
        "page tokens. "
        f"Both our service and the Toolkit-order baseline ask for pages of {r['page']} "
        "(`MaxResults=100`); the simulator's default page size is 10, as AWS's is for these calls, so a "
        "baseline without MaxResults would make ten times as many sequential calls and look far worse. "
        "Medians of the runs; the Toolkit order on the largest account runs once (it takes ~17 s).",
        "",
        "| account | listing | RT | target | client CPU | refresh | RT | transport floor | Toolkit order "
        "| listing vs Toolkit |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    targets = {(10, 20): 3, (50, 40): 8, (100, 100): 12}  # 50 x 40: issue 12's target
    for row in r["sizes"]:
        key = (row["domains"], row["spaces_per_domain"])
        ours = median(row["ours"])
        again = median(row["refresh"]) if row.get("refresh") else None
        floor = median(row["transport"]) if row.get("transport") else None
        rts = ours / lat
        target = targets.get(key)
        tk = median(row["toolkit"]) if row.get("toolkit") else None
        speedup = tk / ours if tk else None
        verdict = ""
        if target:
            verdict = f"≤ {target} RT: {_verdict(rts <= target)}"
        cpu = median(row["cpu"]) if row.get("cpu") else None
        out.append(
            f"| {key[0]} × {key[1]} ({row['spaces']} spaces) | {_ms(ours)} | {rts:.1f} | {verdict} | "
            f"{_ms(cpu) if cpu else '—'} | {_ms(again) if again else '—'} | {f'{again / lat:.1f}' if again else '—'} | "
            f"{_ms(floor) if floor else '—'} | "
            f"{_ms(tk) if tk else '—'} | {f'{speedup:.1f}× faster' if speedup else '—'} |"
        )
    out += ["", f"The lower bound the issue names, two round trips, is {_ms(2 * lat)}."]
    t = r.get("throttled")
    if t:
        out += ["", _throttled(t)]
    out += ["", LISTING_GAP]
    return out


def _rate_limited(r: dict) -> list[str]:
    def summary(runs: list[dict]) -> str:
        done = [x for x in runs if x["ok"]]
        if not done:
            return f"0 of {len(runs)} listings completed ({runs[0]['error'] if runs else 'not run'})"
        correct = all(x["spaces"] == r["expected"] for x in done)
        return (
            f"{len(done)} of {len(runs)} listings completed, median {_ms(median([x['seconds'] for x in done]))}, "
            f"{done[0]['spaces']} of {r['expected']} spaces ({'correct' if correct else '**incomplete**'})"
        )

    def calls(runs: list[dict]) -> str:
        return "/".join(str(x["calls"]) for x in runs) or "—"

    def throttled(runs: list[dict]) -> str:
        return "/".join(str(x["throttled"]) for x in runs) or "—"

    free, limited, standard = r["unthrottled"], r["limited"], r["standard"]
    base = median([x["seconds"] for x in free if x["ok"]])
    slow = median([x["seconds"] for x in limited if x["ok"]])
    key = f"{r['domains']} × {r['spaces_per_domain']}"
    return [
        "## Listing under a rate limit",
        "",
        f"`sm-spaces list --json` on a {key} account (a fresh process per run, as a user runs it), the "
        f"simulator in its own process with {r['latency'] * 1000:.0f} ms per call and {r['short_pages']:.0%} "
        "of List pages cut short (even empty) while NextToken leads on. *Rate-limited*: every List "
        f"operation may make {r['rate']:g} calls/s (a token bucket per operation, as AWS throttles), "
        "beyond which it answers `ThrottlingException`; the buckets refill before each run. Every "
        "throttled call is asked again by botocore's retries (a listing completes only when every page "
        "arrived), so *retried* equals *throttled* in a completed run. Figures per run, separated by /.",
        "",
        "| setting | result | List calls answered | throttled and retried |",
        "|---|---|---|---|",
        f"| unthrottled, our default (adaptive) | {summary(free)} | {calls(free)} | {throttled(free)} |",
        f"| rate-limited, our default (adaptive) | {summary(limited)} | {calls(limited)} | "
        f"{throttled(limited)} |",
        f"| rate-limited, `AWS_RETRY_MODE=standard` | {summary(standard)} | {calls(standard)} | "
        f"{throttled(standard)} |",
        "",
        f"Rate-limited, the listing takes {slow / base:.1f}× the unthrottled {_ms(base)}: the first round "
        "asks every domain's pages at once, most meet ThrottlingException, and botocore's adaptive mode "
        "then paces the client to the rate the service accepts (its limiter is per client, so ListSpaces "
        "and ListApps share one pace). The floor is the pages over the rate: about "
        f"{r['domains']} pages of ListSpaces and as many of ListApps, plus the short pages' extra calls, "
        f"at {r['rate']:g}/s each. Standard mode alone retries with back-off but without pacing; the "
        "throttled retries use up botocore's retry quota and a call then fails (one line, exit 1).",
    ]


def _throttled(t: dict) -> str:
    base = t["clean_median"]
    parts = []
    for setting in t["settings"]:
        done = len(setting["times"])
        where = "our default" if setting is t["settings"][0] else "AWS_MAX_ATTEMPTS"
        line = f"{setting['max_attempts']} attempts per call ({where}): {done} of {done + setting['failed']} listings completed"
        if done:
            slow = median(setting["times"])
            correct = setting["spaces"] == t["expected"]
            line += f", median {_ms(slow)}" + (
                f" ({slow / base:.1f}× the unthrottled {_ms(base)})" if base else ""
            )
            line += f", {setting['spaces']} of {t['expected']} spaces ({'correct' if correct else '**incomplete**'})"
        parts.append(line)
    return (
        f"**Throttled:** {t['domains']} × {t['spaces_per_domain']} with {t['rate']:.0%} of calls answered "
        f"`ThrottlingException` at random. {'; '.join(parts)}. Retries are botocore's alone (standard mode "
        "unless the user's AWS config or AWS_RETRY_MODE says otherwise): a throttled attempt waits a "
        "random time up to 1 s, then 2 s, 4 s, 8 s; a listing fails with one line when any of its ~100 "
        "calls is throttled on every attempt, which at a third of calls throttled is likely with five "
        "attempts and rare with ten. The simulator throttles at random, whatever the rate; a real "
        "account throttles by rate, where the spread of the back-off lets the retries through."
    )


LISTING_GAP = (
    "**How it lists.** The first round asks ListDomains together with the account-wide first pages "
    "of ListSpaces, ListApps and ListUserProfiles (they need no domain): an account whose spaces and "
    "apps fit in one page of 100 is listed in one round trip. Otherwise every domain's ListSpaces and "
    "ListApps are asked at once, at most 32 calls in flight (a plain semaphore, first come first "
    "served), and each domain's spaces are built as soon as its pages arrive; user profiles follow "
    "their account-wide chain beside it. A refresh, or a TUI started with a cached listing of a large "
    "account, asks the known domains' pages in the first round, beside ListDomains, which still "
    "decides what is listed. Every call goes through one aiobotocore client per region (botocore "
    "signs, retries and parses); epoch timestamps are converted by a parser installed through "
    "botocore's public parser defaults instead of dateutil's tzlocal.\n\n"
    "**Where the time goes** (50 × 40: 102 calls after the first round). With at most 32 in flight, "
    "some slot must make four calls one after another after ListDomains: five round trips, 250 ms, "
    "is the floor of any listing from scratch at this limit. Above it, the client's CPU (*client CPU*: "
    "the listing process's `time.process_time` while it lists; the simulator runs in another "
    "process): every page goes through botocore's whole per-call pipeline and its model-driven "
    "parser, which walks every member of every space and app summary; under cProfile about half of "
    "that CPU is the parser (`_parse_shape`/`_handle_structure`), the rest the pipeline (endpoint "
    "rules, signing, event hooks, user agent, aiohttp) and our joins. A call holds its slot until its "
    "page is parsed, and all parsing shares one event loop, so the waves of 32 become CPU-bound: "
    "on two cores that other work shares, the CPU stretches with the load (the same listing took "
    "17.3 RT at a load average of ~7 on 2026-12-04 13:19): that CPU is the gap between a listing and "
    "the transport floor row, and what decides whether it stays within 8 round trips. Until "
    "issue 12 a second road (our own SigV4 signer posting list calls with aiohttp, and a parser "
    "overriding botocore's private `_handle_json_body` to hand pages over as plain JSON) cut that "
    "CPU to ~0.2 ms per call plus ~25 ms of decoding; both are gone (a second request path, a "
    "private override). botocore has no public switch to skip the member walk, and a replacement "
    "parser registered as the session's `response_parser_factory` would have to follow aiobotocore's "
    "internal async parse contract, so none is used. The simulator is a single Python process "
    "(~0.4 ms of CPU per call) on the same two cores; the transport floor row measures these calls "
    "with nothing decoded."
)


def _first_paint(r: dict) -> list[str]:
    base, base_cpu = median(r["baseline"]), median(r.get("baseline_cpu", []))
    rows = []
    for name, how in (
        ("env", "region from `AWS_REGION`"),
        ("profile", "region from the profile (`AWS_PROFILE`, its `region` in the AWS config file)"),
    ):
        ours, ours_cpu = median(r[name]), median(r.get(f"{name}_cpu", []))
        ratio = ours / base
        rows.append(
            f"| {how} | {_ms(ours)} | {_ms(base)} | {ratio:.2f}× | ≤ 1.3×: {_verdict(ratio <= 1.3)} "
            f"| {_ms(ours_cpu)} / {_ms(base_cpu)} = {ours_cpu / base_cpu:.2f}× |"
        )
    counted = r.get("env_instructions") and r.get("baseline_instructions")
    instructions = (
        [
            "",
            f"Instructions executed until the text shows (valgrind's cachegrind, region from `AWS_REGION`; "
            f"deterministic, so other work on the cores does not move it): ours "
            f"{r['env_instructions'][0] / 1e6:,.1f} M, the bare Textual app "
            f"{r['baseline_instructions'][0] / 1e6:,.1f} M = "
            f"**{r['env_instructions'][0] / r['baseline_instructions'][0]:.2f}×**. Wall time runs below "
            "this ratio: both sides also spend time outside their own instructions (the kernel's exec "
            "and page faults, the terminal), the same for each.",
        ]
        if counted
        else ["", "(No instruction counts in this run: a full run counts them where valgrind is installed.)"]
    )
    return [
        "## First paint",
        "",
        "Wall time from spawning `sm-spaces` with no option, as users start it, on a pseudo-terminal "
        "(140 × 40) until a cached space's name appears in its output (the cache seeded with "
        "`sm_spaces.config.save_cache`; the live listing after the paint goes to an unreachable "
        "`AWS_ENDPOINT_URL` and does not matter), against the wall time until a bare Textual app's "
        "first frame (an `App` with one `Static`) shows its text on the same terminal. The region is "
        "read from the environment or the AWS config file with configparser (app/aws/config_region.py); "
        "botocore is imported after the first frame and confirms it. The last column is the CPU time "
        "each process had used when its text appeared (/proc/PID/stat), which another session's work "
        "on the same cores disturbs far less than wall time.",
        "",
        "| how the region is set | first frame with cached spaces | bare Textual app | ratio | target "
        "| CPU time to it, ours / bare |",
        "|---|---|---|---|---|---|",
        *rows,
        *instructions,
        "",
        FIRST_PAINT_NOTE,
    ]


FIRST_PAINT_NOTE = (
    "Both sides run from compiled bytecode in a private cache (`PYTHONPYCACHEPREFIX`, filled by a "
    "warm-up run), as after a pip install: this machine sets PYTHONDONTWRITEBYTECODE, which left our "
    "editable install compiling ~4,000 lines on every start (~20 ms) while Textual came precompiled. "
    "The runs alternate with the baseline's. Nothing but Textual and our UI modules is imported before "
    "the first frame (no aiobotocore, botocore, aiohttp, asyncssh, argparse or hashlib; "
    "tests/test_lazy_imports.py checks what the TUI imports before its first frame): with no "
    "sub-command the CLI parses only the top-level options; dialogs (and their stylesheet, "
    "styles/dialogs.tcss, read when the first one opens), the `/` filter bar (mounted on the first "
    "`/`), forwards, the palette's provider, the create/edit records, ARN parsing and the settings "
    "writers are imported when first used; the cyclic GC is paused from before Textual's import until "
    "the first frame is out. On Python 3.11 each frozen dataclass compiles six generated methods at "
    "import (~0.45 ms), so the UI's immutable records are NamedTuples (~0.07 ms); the model's Space, "
    "App, Domain and UserProfile stay dataclasses. **Where the rest goes** (instruction counts, "
    "valgrind): importing our ~45 modules ~130 M instructions (finding and loading them; the model's "
    "four dataclasses and the UI's mutable ones ~30 M; Textual widget classes, json and safe_text's "
    "patterns ~25 M), then drawing what the bare app does not have: the header's three "
    "Rich grids ~11 M, the detail pane ~25 M, the tree's lines from the cache ~30 M (reading it "
    "included), Textual's Footer with its 16 keys ~9 M."
)


def _per_run(r: dict, name: str) -> str:
    return ", ".join(f"{run[name]:.1f}" for run in r.get("runs", [r])) + " ms"


def _key_target(spaces: int) -> float:
    """Issue 12's keystroke targets: p95 ≤ 16 ms up to 2,000 spaces, ≤ 33 ms at 10,000."""
    return 16.0 if spaces <= 2000 else 33.0


def _count(queries: int) -> str:
    words = ("one query", "two queries", "three queries", "four queries", "five queries")
    return words[queries - 1] if 1 <= queries <= len(words) else f"{queries} queries"


def _keys(k: dict) -> list[str]:
    sizes = k["sizes"]
    first = sizes[0]
    ok = all(
        r["filter_p95"] <= _key_target(r["spaces"]) and r["cursor_p95"] <= _key_target(r["spaces"])
        for r in sizes
    )
    queries = first.get("queries", FILTER_TEXTS)  # results saved before this was recorded typed all
    out = [
        "## Keystrokes",
        "",
        "Spaces loaded from the simulator (`DemoAccount.generate`), app headless under `run_test` at "
        "140 × 45. Per key: CPU time of the press and the pause until idle (key handling, filtering, "
        f"drawing the tree's new lines, compositing). The `/` filter types {_count(len(queries))} and "
        f"deletes each again ({len(first['filter_ms'])} keys: "
        + ", ".join(f"`{q}`" for q in queries)
        + "; no query a prefix of an earlier one, so the index's memory of recent "
        f"queries does not answer them); cursor: {len(first['cursor_ms'])} moves down and up. Each figure "
        f"is the median over {len(first.get('runs', [first]))} runs, each in a fresh process, of that "
        "run's percentile. A key bound to nothing (*harness*) measures the pilot's own work per key, "
        "included in every figure.",
        "",
        "| spaces | `/` filter p50 | p95 | cursor p50 | p95 | target (p95) | harness p50 | RSS |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in sizes:
        target = _key_target(r["spaces"])
        met = r["filter_p95"] <= target and r["cursor_p95"] <= target
        out.append(
            f"| {r['spaces']} | {r['filter_p50']:.1f} ms | {r['filter_p95']:.1f} ms | {r['cursor_p50']:.1f} ms "
            f"| {r['cursor_p95']:.1f} ms | ≤ {target:.0f} ms: {_verdict(met)} | {r['noop_p50']:.1f} ms "
            f"| {r['rss_mb']:.0f} MB |"
        )
    out += [
        "",
        "Per-run p95: "
        + "; ".join(
            f"{r['spaces']} spaces filter {_per_run(r, 'filter_p95')}, cursor {_per_run(r, 'cursor_p95')}"
            for r in sizes
        )
        + ". Loading the spaces into the app took "
        + ", ".join(f"{r['load_s']:.1f} s ({r['spaces']})" for r in sizes)
        + " (zero latency). "
        + KEYS_HOW
        + ("" if ok else " " + KEYS_GAP),
    ]
    return out


def _memory(r: dict) -> list[str]:
    rss = {int(k): v for k, v in r["rss_mb"].items()}
    seconds = {int(k): v for k, v in r["seconds"].items()}
    first, last = r["first"], r["last"]
    growth = rss[last] - rss[first]
    return [
        "## Memory",
        "",
        "Resident memory (VmRSS) of the TUI started as a user starts it (`sm-spaces --region R "
        "--endpoint-url URL` on a pseudo-terminal of 120 × 40), against the simulated account in its own "
        f"process holding {r['spaces']} spaces, {r['latency'] * 1000:.0f} ms added to every call. The benchmark presses `r`, waits until the header's Data "
        "cell has shown the refresh under way and then without it, and presses again. `r` and the "
        "refresh timer take the same path (Background.refresh in app/ui/background.py: every domain listed again, the "
        "index replaced, the cache file rewritten, the tree, header and detail pane redrawn), so "
        f"{last} refreshes stand for more than 30 minutes at the 5 s interval (360 refreshes) and 8 hours "
        f"at the default 60 s. They took {seconds[last]:.0f} s here: the work the clock drives between "
        "refreshes (the header's age each second, spinners) ran for that long, not for 30 minutes. The "
        f"simulator answered {r['list_domains_calls']} ListDomains calls during the {last} refreshes "
        f"(one per refresh). RSS before the first `r`: {r['start_rss_mb']:.0f} MB.",
        "",
        "| refreshes | " + " | ".join(str(n) for n in sorted(rss)) + " |",
        "|---|" + "---|" * len(rss),
        "| RSS | " + " | ".join(f"{rss[n]:.1f} MB" for n in sorted(rss)) + " |",
        "",
        f"Growth from {first} to {last} refreshes: **{growth:.1f} MB** (target ≤ 5 MB: {_verdict(growth <= 5)}).",
    ]


def _memory_timer(r: dict) -> list[str]:
    rss = {int(k): v for k, v in r["rss_mb"].items()}
    seconds = {int(k): v for k, v in r["seconds"].items()}
    first, last = r["first"], r["last"]
    growth = rss[last] - rss[first]
    return [
        f"**The refresh timer, in real time.** The same TUI and account, nothing pressed: config.toml "
        f"says `refresh_interval_s = {r['interval_s']}` (the shortest it allows) and the timer "
        f"refreshes ({last} refreshes at {r['interval_s']} s stand for 30 minutes). The timer is "
        "re-armed once a refresh ends, so the refreshes took "
        f"{seconds[last] / 60:.1f} minutes; the simulator answered {r['list_domains_calls']} ListDomains "
        f"calls (one per refresh). RSS before the first timed refresh: {r['start_rss_mb']:.0f} MB. "
        f"Command: `.venv/bin/python -m bench.memory --timer` (this section alone).",
        "",
        "| refreshes | " + " | ".join(str(n) for n in sorted(rss)) + " |",
        "|---|" + "---|" * len(rss),
        "| minutes | " + " | ".join(f"{seconds[n] / 60:.1f}" for n in sorted(rss)) + " |",
        "| RSS | " + " | ".join(f"{rss[n]:.1f} MB" for n in sorted(rss)) + " |",
        "",
        f"Growth from {first} to {last} timed refreshes: **{growth:.1f} MB** "
        f"(target ≤ 5 MB: {_verdict(growth <= 5)}).",
    ]


KEYS_HOW = (
    "**How**: the tree is a Line-API ScrollView over the filtered lists (one block per branch, a line "
    "found by bisection), so a keystroke builds no widget or node per space and only the lines on screen "
    "are drawn, each kept as a Strip keyed by what it shows (at most 1,000); when its content changes it "
    "repaints only the lines on screen that now show something else; everything goes through Textual's "
    "public API (issue 12), so each repainted line pays Textual's per-line styling. The tree draws its "
    "own scroll bar as the last cell of each line (widgets/tree_scroll.py; Textual's is switched off, "
    "overflow-y: scroll keeps scrolling): Textual's ScrollBar widget redrew its whole height through "
    "Rich whenever the range or thumb moved (~3 ms a render at 2,000 spaces), and a filter that fit "
    "one screen took it away and laid the whole screen out; now only lines whose text or bar cell "
    "changed are repainted and nothing is laid out. The footer's bindings are refreshed on a filter's "
    "first and last key only when the list has focus (a refresh recomposes the footer, ~28 ms). The "
    "index narrows from the previous query's matches and remembers recent queries (a backspace is a "
    "lookup); the header re-fills only its filter cell. **Where a cursor key goes** (2,000 spaces, "
    "each widget's rendering timed over 75 moves, 25 of them scrolling; measured under load before the "
    "tree had its own bar): Textual's compositor ~5-6 ms; the tree ~0.6 ms for a move that repaints two "
    "lines, 2-4.5 ms for a key that scrolls (~40 lines through Textual's per-line styling); Textual's "
    "scrollbar then 1.3-3.5 ms per scrolling key; the detail pane ~0.5 ms. Textual has no public way "
    "to skip its per-line styling."
)

KEYS_GAP = (
    "Figures move by several ms with other load on this shared 2-core machine: the per-run p95 above "
    "spans several ms, and the harness floor itself moves between ~4 and ~7 ms from run to run. What "
    "would close the rest of a tree-changing key: fewer widgets repainted per key (the detail pane "
    "and the header change with the highlighted space), and Textual's compositor cutting the tree's "
    "region as one block rather than line by line."
)


def _tunnel(raw: dict, ssh: dict, capped: dict | None) -> list[str]:
    out = [
        "## Tunnel",
        "",
        f"{raw['size_mb']} MB each way through the simulator with no rate cap. *Raw*: our `DataChannel` "
        "against the simulated agent (its own process) whose port swallows or produces the bytes. "
        "*sftp*: system `sftp` with our ProxyCommand (`sm-spaces ssh-proxy`) to the demo space's SSH host "
        "(asyncssh, in the simulator process). CPU per MB: ours = the client process, agent = the "
        "simulator process.",
        "",
        "| path | direction | MB/s | ours CPU s/MB | agent CPU s/MB | target |",
        "|---|---|---|---|---|---|",
    ]
    for label, data in (("raw DataChannel", raw), ("ssh/sftp", ssh)):
        for direction in ("upload", "download"):
            samples = data[direction]
            secs = median([s[0] for s in samples])
            rate = data["size_mb"] / secs
            cpu = median([s[1] for s in samples]) / data["size_mb"]
            agent = median([s[2] for s in samples]) / data["size_mb"]
            ours_cpu = f"{cpu:.4f}" if label.startswith("raw") else "(ssh, sftp, proxy)"
            out.append(
                f"| {label} | {direction} | {rate:.1f} | {ours_cpu} | {agent:.4f} | ≥ 20 MB/s: "
                f"{_verdict(rate >= 20)} |"
            )
    out += [
        "",
        "The official session-manager-plugin manages about 0.6 MB/s upload against such an agent (issue 6).",
    ]
    if capped:
        secs = [s[0] for s in capped["upload"]]
        rates = [capped["size_mb"] / s for s in secs]
        share = median(rates) / capped["rate_mb"]
        out += [
            "",
            f"**Capped link:** {capped['size_mb']} MB uploaded through the raw `DataChannel` to an agent "
            f"that takes at most {capped['rate_mb']:g} MB/s of data (`AgentFaults.receive_rate`, a slow "
            f"link): {median(rates):.2f} MB/s, {share:.0%} of the cap (runs: "
            + ", ".join(f"{r:.2f}" for r in rates)
            + f" MB/s; target ≥ 90%: {_verdict(share >= 0.9)}). The sender's window is clocked by "
            "acknowledgements, so it keeps a slow link busy without resending; "
            "tests/test_ssm_ssh.py checks that the bytes arrive whole and that the cap held the sender "
            "back, and leaves the rate to this figure.",
        ]
    return out


def _ssh_true(ssh: dict, b: dict, cli: dict) -> list[str]:
    total = median(ssh["true"])
    bare, imports = median(b["bare"]), median(b["imports"])
    start, chan = median(b["start_session"]), median(b["channel_open"])
    banner = median(cli["ssh_proxy"])
    rest = total - banner
    return [
        "## `ssh <alias> true`",
        "",
        "System `ssh` with the argv and ProxyCommand that `sm-spaces connect` builds, against the "
        "simulator with no added latency, measured from spawn to exit.",
        "",
        "| | time |",
        "|---|---|",
        f"| **`ssh <alias> true`, end to end** | **{_ms(total)}** (target ≤ 800 ms: {_verdict(total <= 0.8)}) |",
        f"| `ssh-proxy` from spawn to the first byte of the SSH banner | {_ms(banner)} |",
        f"| — interpreter start (`python -c pass`) | {_ms(bare)} |",
        f"| — imports ssh-proxy needs (argparse, aiobotocore, aiohttp, our modules), minus start | {_ms(imports - bare)} |",
        f"| — aiobotocore client (SageMaker's service model), credentials through botocore's chain, StartSession (fresh process) | {_ms(start)} |",
        f"| — websocket + SSM handshake | {_ms(chan)} |",
        f"| — unaccounted in ssh-proxy (argument parsing, event loop, stdio, the space host's banner) "
        f"| {_ms(max(0.0, banner - bare - (imports - bare) - start - chan))} |",
        f"| ssh key exchange, (no) authentication, exec `true`, channel close (the difference) | "
        f"{_ms(max(0.0, rest))} |",
        "",
        "Each row is a median over separate processes, so the parts need not add up exactly when "
        "the machine is busy. ssh-proxy makes its one StartSession call through an aiobotocore client, "
        "as every other call goes (one road to AWS: botocore signs, retries, honours AWS_CA_BUNDLE and "
        "the endpoint settings). Making that client in a fresh process is most of the StartSession "
        "row: decoding SageMaker's service model (~4 MB of JSON), botocore's endpoint data and the "
        "service's endpoint rules, a scan of botocore's data folders for the names of known services, "
        "and a method per operation (~400). Until issue 12 a SigV4 signer of our own skipped the "
        "client for this one call; the public way to load less would be a trimmed service model on "
        "botocore's data path, which would have to follow every botocore release, so none is shipped.",
    ]


def _regions(r: dict) -> list[str]:
    one, every = median(r["one"]), median(r["all"])
    ratio = every / one
    s = r["spaces"]
    return [
        "## All regions",
        "",
        f"`sm-spaces list` against `sm-spaces list --all-regions` ({r['regions']} regions that offer "
        "SageMaker), each spawned as a user runs it after `demo serve`: no flags, the endpoint, "
        f"credentials and region ({r['region']}) from the environment, the table printed (all regions "
        "with its REGION column, which the benchmark checks). The simulator runs in its own process "
        f"(it answers every region) with {r['latency'] * 1000:.0f} ms added to every call; the runs "
        f"alternate. One region listed {s['one']} spaces, all regions {s['all']} spaces in "
        f"{s['all_regions']} regions.",
        "",
        "| one region | all regions | ratio | target |",
        "|---|---|---|---|",
        f"| {_ms(one)} | {_ms(every)} | {ratio:.2f}× | ≤ 3×: {_verdict(ratio <= 3)} |",
        "",
        "Every region's service shares one aiobotocore session (one credential chain, SageMaker's "
        "service model and botocore's endpoint data loaded once, the region list read from the same "
        "data). What each further region adds is its client, ~12-15 ms each measured in-process on "
        "this machine (botocore builds a client class with a method for each of SageMaker's ~400 "
        "operations, copies the session's event hooks and sets up the region's endpoint rules; no "
        "public switch shares them between clients), and its listing's first round of four calls "
        "through botocore's pipeline and parser, at most 32 calls in flight per region.",
    ]


def _cli(r: dict) -> list[str]:
    bare = median(r["bare"])
    rows = [
        ("`sm-spaces --version`", r["version"]),
        ("`sm-spaces ssh-proxy` to the first SSH banner byte", r["ssh_proxy"]),
        ("`sm-spaces --demo list --json`", r["demo_list"]),
    ]
    out = [
        "## CLI start-up",
        "",
        f"Against the bare interpreter start, `python -c pass`: {_ms(bare)}.",
        "",
        "| command | time | minus bare start | ratio |",
        "|---|---|---|---|",
    ]
    for label, samples in rows:
        t = median(samples)
        out.append(f"| {label} | {_ms(t)} | {_ms(t - bare)} | {t / bare:.0f}× |")
    out += [
        "",
        "`--demo list` includes starting the simulated account in-process (botocore's service model "
        "for server-side validation, the SSH host machinery) and one listing.",
    ]
    return out


def _resume(r: dict) -> list[str]:
    quiet, cut = median(r["quiet"]), median(r["after_cut"])
    return [
        "## Resume after a cut",
        "",
        "System `ssh` running `cat` on the demo space, with the argv and ProxyCommand that "
        "`sm-spaces connect` builds; the simulator (its own process) drops the proxy's websocket "
        f"{r['cuts']} times. Each figure is the time from sending a line to its echo: on a quiet "
        "link, and sent right after a cut, when the proxy must notice the loss, call "
        "ssm:ResumeSession (a fresh SSM client: credentials resolved again, SSM's service model "
        "loaded on the first resume), open a new websocket and resend what was not acknowledged.",
        "",
        "| | median | worst |",
        "|---|---|---|",
        f"| echo on a quiet link | {_ms(quiet)} | {_ms(max(r['quiet']))} |",
        f"| **echo sent right after a cut (cut to data flowing again)** | **{_ms(cut)}** | {_ms(max(r['after_cut']))} |",
        f"| ratio | {cut / quiet:.0f}× | |",
        "",
        f"ResumeSession calls the simulator answered: {r['resume_calls']} for {r['cuts']} cuts. "
        "A silent drop (no close, no reset) is first noticed by the websocket heartbeat, "
        "within about 30 s; that wait is not in these figures.",
    ]


def render(results: dict, *, command: str, before: tuple[str, dict] | None = None) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `{command}` on {when} in {results['total_seconds']:.0f} s. "
        "Do not edit by hand: run the command again.",
        "",
        f"Machine: {_machine()}."
        + (
            " Load average (1 min) when the run began and ended: "
            + " and ".join(f"{v:.1f}" for v in results["load_average"])
            + " (other sessions' work on the same cores)."
            if "load_average" in results
            else ""
        ),
        "",
        "Figures are medians of several runs (listing 5, start-up 5, transfers 3) unless noted. "
        "Every server (the simulated SageMaker API, SSM agent and space host) runs in a separate "
        "process from the client it measures.",
        "",
    ]
    lines += _listing(results["listing"]) + [""]
    if "rate_limited" in results:
        lines += _rate_limited(results["rate_limited"]) + [""]
    if "regions" in results:
        lines += _regions(results["regions"]) + [""]
    lines += _first_paint(results["first_paint"]) + [""]
    lines += _keys(results["keys"]) + [""]
    lines += _memory(results["memory"]) + [""]
    if "memory_timer" in results:
        lines += _memory_timer(results["memory_timer"]) + [""]
    lines += _tunnel(results["raw_channel"], results["ssh"], results.get("capped_channel")) + [""]
    lines += _ssh_true(results["ssh"], results["ssh_breakdown"], results["cli"]) + [""]
    lines += _cli(results["cli"]) + [""]
    if "resume" in results:
        lines += _resume(results["resume"]) + [""]
    if before:
        lines += compare.render(before[1], results, before[0]) + [""]
    lines += NOTES
    return "\n".join(lines) + "\n"


NOTES: list[str] = []


# Sections that one benchmark fills on its own, in the report's order: `python -m bench --only NAME`
# measures just that one and puts its section in place in an existing report.
SECTIONS = {
    "listing": _listing,
    "rate_limited": _rate_limited,
    "regions": _regions,
    "first_paint": _first_paint,
    "keys": _keys,
    "memory": _memory,
    "resume": _resume,
}
_ORDER = (
    "## Listing",
    "## Listing under a rate limit",
    "## All regions",
    "## First paint",
    "## Keystrokes",
    "## Memory",
    "## Tunnel",
)


def splice(text: str, name: str, result: dict, *, command: str) -> str:
    """`text` (a report) with the section of benchmark `name` replaced by one rendered from `result`,
    or inserted where render() puts it; its first paragraph says when and how it was measured."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = SECTIONS[name](result)
    heading = section[0]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    section[2:2] = [
        f"Measured on its own by `{command}` on {when} (load average {load}: other work shared the cores).",
        "",
    ]
    lines = text.rstrip("\n").split("\n")
    if heading in lines:
        start = lines.index(heading)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        while end > start + 1 and lines[end - 1] == "":
            end -= 1
    else:
        later = _ORDER[_ORDER.index(heading) + 1 :] if heading in _ORDER else ()
        start = next((lines.index(h) for h in later if h in lines), len(lines))
        end = start
        section = [*section, ""]
    return "\n".join([*lines[:start], *section, *lines[end:]]) + "\n"
