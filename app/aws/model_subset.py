"""botocore's service models cut to the operations this program calls, kept in our cache.

botocore decodes SageMaker's whole service model (about 400 operations, megabytes of JSON) in
each process that makes a SageMaker client, and builds the client a method per operation: tens
of milliseconds for every `ssh-proxy` an ssh or VS Code connection starts, every CLI command and
every region of an all-regions listing (BENCHMARKS.md). We call a dozen operations. The first
process after an install, an upgrade of botocore or a change to OPERATIONS writes the part of
botocore's own model those operations reach (their shapes, unchanged; documentation dropped) to
our cache, and hands botocore a loader (its public `Loader`, registered as the session's
`data_loader` component) that searches that folder first, as it would AWS_DATA_PATH: botocore
then reads the cut, and everything else (endpoint rules, paginators) from its bundled data.
When the cache cannot be written or read, botocore's own loader is used, at its usual cost.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from .. import config
from ..atomic import atomic_write

log = logging.getLogger(__name__)

# Every operation we call, per service: tests/test_model_subset.py fails when app/ names another.
OPERATIONS: dict[str, frozenset[str]] = {
    "sagemaker": frozenset(
        {
            "CreateApp",
            "CreateSpace",
            "DeleteApp",
            "DeleteSpace",
            "DescribeApp",
            "DescribeDomain",
            "DescribeSpace",
            "DescribeUserProfile",
            "ListApps",
            "ListDomains",
            "ListSpaces",
            "ListUserProfiles",
            "StartSession",
            "UpdateSpace",
        }
    ),
    # (StartSession: SageMaker's is the one we call, but the name is SSM's too, and cheap to keep.)
    "ssm": frozenset({"ResumeSession", "StartSession", "TerminateSession"}),
}
# Shapes the program reads from the model itself, beyond what the operations reach.
EXTRA_SHAPES: dict[str, frozenset[str]] = {"sagemaker": frozenset({"AppInstanceType"})}
_CUT_FORMAT = 1  # bump when _cut changes what it writes


def use_cut_models(session: Any) -> None:
    """Have botocore `session` (before its first client) read the cut models."""
    loader = loader_for(session)
    if loader is not None:
        session.register_component("data_loader", loader)


def loader_for(session: Any) -> Any | None:
    """A botocore Loader that finds the cut models (made now if missing) ahead of botocore's
    bundled data, or None when our cache is out of reach. Folders the user's data path names
    (AWS_DATA_PATH) come first still: a model of their own there wins over ours."""
    import botocore
    from botocore.loaders import Loader

    try:
        folder = _folder(botocore.__version__)
        user_paths = session.get_config_variable("data_path")
        paths = (
            [os.path.expanduser(os.path.expandvars(p)) for p in user_paths.split(os.pathsep)]
            if user_paths
            else []
        )
        paths.append(str(folder))
        loader = Loader(extra_search_paths=list(paths))  # (Loader appends its defaults to the list)
        for service in OPERATIONS:
            if not _usable(loader, service):
                _write(folder, service)
                loader = Loader(extra_search_paths=list(paths))  # forget what the failed look cached
                if not _usable(loader, service):
                    return None
        return loader
    except (OSError, ValueError) as problem:  # a cache we cannot write: botocore's own loader
        log.debug("service models not cut (%s): botocore reads its own", problem)
        return None


def _folder(botocore_version: str) -> Path:
    wanted = json.dumps(
        [
            _CUT_FORMAT,
            {k: sorted(v) for k, v in OPERATIONS.items()},
            {k: sorted(v) for k, v in EXTRA_SHAPES.items()},
        ]
    )
    digest = hashlib.sha256(wanted.encode()).hexdigest()[:12]
    return config.cache_dir() / "botocore-models" / f"{botocore_version}-{digest}"


def _usable(loader: Any, service: str) -> bool:
    """Whether `loader` reads `service`'s model from outside botocore's bundled data (our cut, or
    the user's own model), and it parses: a truncated file is written again."""
    try:
        model, path = loader.load_data_with_path(_data_name(loader, service))
    except Exception:
        return False
    return not loader.is_builtin_path(path) and isinstance(model.get("operations"), dict)


def _data_name(loader: Any, service: str) -> str:
    return f"{service}/{loader.determine_latest_version(service, 'service-2')}/service-2"


def _write(folder: Path, service: str) -> None:
    from botocore.loaders import Loader

    builtin = Loader()  # botocore's bundled model, whatever the user's data path holds
    name = _data_name(builtin, service)
    whole = builtin.load_data(name)
    atomic_write(folder / f"{name}.json", json.dumps(_cut(whole, service)).encode(), keep_mode=False)


def _cut(model: dict[str, Any], service: str) -> dict[str, Any]:
    """`model` with only OPERATIONS[service], the shapes they reach and EXTRA_SHAPES."""
    operations = {n: _undocumented(op) for n, op in model["operations"].items() if n in OPERATIONS[service]}
    shapes = model["shapes"]
    wanted = list(EXTRA_SHAPES.get(service, ()))
    for op in operations.values():
        wanted += [op[k]["shape"] for k in ("input", "output") if k in op]
        wanted += [error["shape"] for error in op.get("errors", [])]
    kept: dict[str, Any] = {}
    while wanted:
        name = wanted.pop()
        if name in kept:
            continue
        shape = _undocumented(shapes[name])
        kept[name] = shape
        refs = list(shape.get("members", {}).values()) + [
            shape[k] for k in ("member", "key", "value") if k in shape
        ]
        wanted += [ref["shape"] for ref in refs]
    return {
        **{k: v for k, v in model.items() if k not in ("operations", "shapes")},
        "operations": operations,
        "shapes": kept,
    }


def _undocumented(item: dict[str, Any]) -> dict[str, Any]:
    """An operation or shape without its documentation strings (what a client never reads)."""
    out = {k: v for k, v in item.items() if k != "documentation"}
    for key in ("input", "output", "member", "key", "value"):
        if isinstance(out.get(key), dict):
            out[key] = {k: v for k, v in out[key].items() if k != "documentation"}
    if "members" in out:
        out["members"] = {
            name: {k: v for k, v in ref.items() if k != "documentation"}
            for name, ref in out["members"].items()
        }
    return out
