"""The benchmarks run end to end at tiny sizes and produce every figure (no timing is asserted)."""

from __future__ import annotations

import math

from bench import report, run


def _figures(values) -> bool:
    return bool(values) and all(isinstance(v, float) and math.isfinite(v) and v > 0 for v in values)


def test_quick_run_produces_every_figure_and_the_report(tmp_path):
    results = run.collect(quick=True)

    listing = results["listing"]
    row = listing["sizes"][0]
    assert row["spaces"] == 2 * 3 and row["toolkit_spaces"] == 6
    assert _figures(row["ours"]) and _figures(row["refresh"]) and _figures(row["transport"])
    assert _figures(row["toolkit"])
    throttled = listing["throttled"]
    default, more = throttled["settings"]
    assert len(default["times"]) + default["failed"] == throttled["runs"] == 1
    assert more["max_attempts"] == 10 and more["spaces"] == throttled["expected"] == 6
    assert _figures(more["times"])

    limited = results["rate_limited"]
    for key in ("unthrottled", "limited", "standard"):
        (one,) = limited[key]
        assert one["ok"] and one["spaces"] == limited["expected"] == 6, (key, one)
        assert _figures([one["seconds"]]) and one["calls"] >= 3

    assert all(
        _figures(results["first_paint"][name])
        for name in ("env", "profile", "baseline", "env_cpu", "profile_cpu", "baseline_cpu")
    )
    cli = results["cli"]
    for name in ("bare", "version", "demo_list", "ssh_proxy"):
        assert _figures(cli[name]), name

    regions = results["regions"]
    assert _figures(regions["one"]) and _figures(regions["all"]) and regions["regions"] > 10
    assert regions["spaces"]["all"] >= regions["spaces"]["one"] > 0
    assert regions["spaces"]["all_regions"] >= 2  # the seeded account has spaces in two regions

    from bench.keys import FILTER_TEXTS

    sizes = results["keys"]["sizes"]
    assert [keys["spaces"] for keys in sizes] == [10, 6]
    for keys in sizes:
        assert keys["shown_after_filter_cleared"] == keys["spaces"]
        assert keys["queries"] == [FILTER_TEXTS[0]] and len(keys["noop_ms"]) == 3
        assert len(keys["filter_ms"]) == 2 * len(FILTER_TEXTS[0]) and len(keys["cursor_ms"]) == 5
        assert keys["rss_mb"] > 10

    memory = results["memory"]
    assert memory["spaces"] == 6 and memory["list_domains_calls"] == 4  # one per refresh pressed
    assert sorted(memory["rss_mb"]) == [2, 4] and _figures(list(memory["rss_mb"].values()))
    timed = results["memory_timer"]  # the refresh timer at 5 s, nothing pressed
    assert timed["interval_s"] == 5 and timed["list_domains_calls"] == 2
    assert sorted(timed["rss_mb"]) == [1, 2] and _figures(list(timed["rss_mb"].values()))
    assert timed["seconds"][2] > 2 * timed["interval_s"]  # each refresh waited for its timer

    for name in ("raw_channel", "ssh"):
        for direction in ("upload", "download"):
            assert _figures([sample[0] for sample in results[name][direction]]), (name, direction)
    assert _figures([sample[0] for sample in results["capped_channel"]["upload"]])
    assert _figures(results["ssh"]["true"])
    breakdown = results["ssh_breakdown"]
    assert _figures(breakdown["start_session"]) and _figures(breakdown["channel_open"])

    resumed = results["resume"]
    assert _figures(resumed["quiet"]) and _figures(resumed["after_cut"])
    assert resumed["resume_calls"] == resumed["cuts"] == 2  # each cut really was resumed

    text = report.render(results, command="python -m bench --quick")
    for heading in (
        "## Listing",
        "## Listing under a rate limit",
        "## All regions",
        "## First paint",
        "## Keystrokes",
        "## Memory",
        "## Tunnel",
        "## `ssh <alias> true`",
        "## CLI start-up",
        "## Resume after a cut",
        "Machine: ",
    ):
        assert heading in text
    assert "**Capped link:**" in text
    assert "nan" not in text


def test_one_benchmark_alone_puts_its_section_in_place(tmp_path):
    # `python -m bench --only regions`: the other sections of the report stay as they were.
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n\nkept\n\n## Listing\n\nlisting kept\n\n## First paint\n\npaint kept\n")
    assert run.main(["--only", "regions", "--quick", "--output", str(out)]) == 0
    first = out.read_text()
    assert first.index("listing kept") < first.index("## All regions") < first.index("## First paint")
    assert "`.venv/bin/python -m bench --only regions --quick`" in first and "REGION column" in first
    assert run.main(["--only", "regions", "--quick", "--output", str(out)]) == 0
    second = out.read_text()
    assert second.count("## All regions") == 1 and second.count("| one region |") == 1
    assert second.startswith("# Benchmarks\n\nkept\n\n## Listing\n\nlisting kept\n\n## All regions\n")
    assert second.endswith("## First paint\n\npaint kept\n") and "nan" not in second
