"""What the TUI imports before its first frame, and that the CLI's lazy paths still parse like the full one.

Structural, not timed: each check runs in a fresh interpreter and looks at sys.modules. The modules
listed here were made lazy for the first paint (BENCHMARKS.md, "First paint"); importing one of them
again at start-up would quietly bring the delay back.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sm_spaces import cli, cli_parser

# Never before the first frame: the AWS and SSH stacks load after it, on a thread.
NETWORK = ("botocore", "aiobotocore", "aiohttp", "asyncssh", "boto3")
# Imported by the actions that open them, by the sub-commands, or when settings are written.
LAZY = (
    "sm_spaces.ui.screens.confirm",
    "sm_spaces.ui.screens.help",
    "sm_spaces.ui.screens.idle_timeout",
    "sm_spaces.ui.screens.owner_filter",
    "sm_spaces.ui.screens.pickers",
    "sm_spaces.ui.screens.forwards",
    "sm_spaces.ui.screens.ssh_config",
    "sm_spaces.ui.screens.new_space",
    "sm_spaces.ui.screens.edit_space",
    "sm_spaces.ui.screens.delete_space",
    "sm_spaces.space_changes",
    "sm_spaces.names",
    "sm_spaces.ui.widgets.filter_bar",
    "sm_spaces.ui.commands",
    "sm_spaces.connect.forward",
    *(f"sm_spaces.commands.{name}" for name in cli_parser.COMMANDS),
    "tomllib",
    "tomli_w",
    "sm_spaces.atomic",
)


def _imported_by(code: str) -> set[str]:
    """The modules a fresh interpreter (with the test's own settings and cache) has loaded after running `code`."""
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def _heavy(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m in names or m.split(".")[0] in NETWORK)


def test_tui_start_imports_no_dialog_command_or_network_module(tmp_path):
    # What run_tui does before Textual paints: parse, import the app, read settings and the cache.
    modules = _imported_by(
        "from sm_spaces.cli import parse_arguments\n"
        "args = parse_arguments(['--region', 'us-east-1', '--readonly'])\n"
        "assert args.command is None and args.readonly\n"
        "import sm_spaces.ui.run, sm_spaces.ui.app\n"
        "from sm_spaces.ui import prefs\n"
        "prefs.load()\n"
        "prefs.load_cached('default', 'us-east-1', None)\n"
        # No --region: the cache's region is read from the AWS config file (issue 13 item 1).
        "import os\n"
        f"open({str(tmp_path / 'aws-config')!r}, 'w').write('[profile p]\\nregion = eu-west-1\\n')\n"
        f"os.environ['AWS_CONFIG_FILE'] = {str(tmp_path / 'aws-config')!r}\n"
        "os.environ.pop('AWS_REGION', None); os.environ.pop('AWS_DEFAULT_REGION', None)\n"
        "from sm_spaces.aws.api import configured_region\n"
        "assert configured_region('p') == 'eu-west-1', configured_region('p')\n",
    )
    assert "sm_spaces.ui.app" in modules and "sm_spaces.config" in modules  # the check ran what it says
    assert "sm_spaces.aws.config_region" in modules
    assert _heavy(modules, LAZY) == []


def test_the_commonest_start_imports_neither_argparse_nor_configparser():
    # `sm-spaces` alone with AWS_REGION set: the TUI's defaults without the parser, the region
    # without reading the AWS config file.
    modules = _imported_by(
        "import os\n"
        "os.environ['AWS_REGION'] = 'eu-west-1'\n"
        "from sm_spaces.cli import parse_arguments\n"
        "args = parse_arguments([])\n"
        "assert args.command is None and not args.readonly and args.region is None\n"
        "import sm_spaces.ui.run, sm_spaces.ui.app\n"
        # What cli._main imports on its way to the TUI.
        "import sm_spaces.commands.common, sm_spaces.commands.tui, sm_spaces.endpoint_url\n"
        "from sm_spaces.aws.api import configured_region\n"
        "assert configured_region(None) == 'eu-west-1'\n",
    )
    assert "sm_spaces.ui.app" in modules and "sm_spaces.aws.config_region" in modules
    assert "argparse" not in modules and "configparser" not in modules


def test_palette_provider_loads_when_the_palette_asks():
    modules = _imported_by(
        "from sm_spaces.ui.app import SpacesApp\n"
        "providers = [p() for p in SpacesApp.COMMANDS if p.__module__ == 'sm_spaces.ui.app']\n"
        "assert [p.__name__ for p in providers] == ['SpaceCommands'], providers\n",
    )
    assert "sm_spaces.ui.commands" in modules


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--region", "us-east-1"],
        ["--region=eu-west-1", "--demo", "--readonly"],
        ["--profile", "dev", "--endpoint-url", "http://127.0.0.1:9", "--debug"],
        ["--reg", "us-west-2"],  # abbreviations work as in the full parser
        ["--profile", "list"],  # an option's value that is also a command's name
    ],
)
def test_tui_arguments_parse_as_the_full_parser_does(argv):
    assert vars(cli.parse_arguments(argv)) == vars(cli_parser.build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", [["--bogus"], ["--region"], ["--de"], ["nonsense"]])
def test_tui_argument_errors_are_the_full_parsers(argv, capsys):
    with pytest.raises(SystemExit) as quick:
        cli.parse_arguments(argv)
    quick_err = capsys.readouterr().err
    with pytest.raises(SystemExit) as full:
        cli_parser.build_parser().parse_args(argv)
    assert quick.value.code == full.value.code == 2
    assert quick_err == capsys.readouterr().err
    assert "COMMAND" in quick_err  # the usage line of the full parser, not a TUI-only one


def test_help_still_lists_every_command():
    import argparse

    sub = next(a for a in cli_parser.build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    names = list(sub.choices)
    assert {
        "list",
        "start",
        "stop",
        "connect",
        "ssh-proxy",
        "ssh-config",
        "doctor",
        "demo",
        "forward",
        "open",
    } <= set(names)
    out = subprocess.run(
        [sys.executable, "-m", "sm_spaces", "--help"], capture_output=True, text=True, check=True
    )
    listed = out.stdout.split("positional arguments:", 1)[1]
    for name in names:
        assert f"\n    {name} " in listed, name


def test_gc_pause_for_the_start_only_undoes_itself(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "import gc\n"
                "from sm_spaces.ui.run import pause_gc_until_first_frame, resume_gc\n"
                "pause_gc_until_first_frame(); paused = gc.isenabled()\n"
                "resume_gc(); resumed = gc.isenabled()\n"
                "gc.disable(); pause_gc_until_first_frame(); resume_gc(); left_off = gc.isenabled()\n"
                "print(paused, resumed, left_off)\n"
            ),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["False", "True", "False"]


async def test_gc_resumes_once_the_first_frame_is_out():
    import gc

    from sm_spaces.ui.app import SpacesApp
    from sm_spaces.ui.run import pause_gc_until_first_frame, resume_gc

    pause_gc_until_first_frame()
    try:
        assert not gc.isenabled()
        app = SpacesApp(
            regions=["us-east-1"],
            endpoint_url="http://127.0.0.1:9",
            use_settings=False,
            background_refresh=False,
        )
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            assert gc.isenabled()
    finally:
        resume_gc()
