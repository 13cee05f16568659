"""What botocore's bundled data knows, to refuse a mistyped value before any call is made: the
regions where SageMaker is offered (endpoint data) and the instance types an app may run on (the
`AppInstanceType` enum of SageMaker's service model). Both are read on first use only: the model is
large, and a command that names no instance type never loads it here.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import Any

from ..model import remote_access_upgrade


@lru_cache(maxsize=1)
def _sagemaker_model() -> Any:
    """SageMaker's service model as botocore reads it (through the cut, model_subset.py), loaded
    once for every check here."""
    from botocore.session import Session

    from .model_subset import use_cut_models

    session = Session()
    use_cut_models(
        session
    )  # AppInstanceType is an extra shape of the cut; ImageArn is reached by ResourceSpec
    return session.get_service_model("sagemaker")


@lru_cache(maxsize=1)
def app_instance_types() -> frozenset[str]:
    """Every instance type a JupyterLab or Code Editor app may ask for (botocore's model, not a copy)."""
    shape = _sagemaker_model().shape_for("AppInstanceType")
    # "system" is the instance of a domain's default app, never one a space runs on.
    return frozenset(value for value in shape.enum if value.startswith("ml."))


def check_instance_type(value: str) -> str:
    """`value` when a space can run on it with remote access; ValueError saying why not otherwise."""
    known = app_instance_types()
    if value not in known:
        # A type too small for remote access is suggested as the size that is big enough.
        close = difflib.get_close_matches(value, sorted(known), n=6, cutoff=0.6)
        near = list(dict.fromkeys(remote_access_upgrade(t) or t for t in close))[:3]
        hint = f" (did you mean {', '.join(near)}?)" if near else " (for example ml.t3.large, ml.m5.xlarge)"
        raise ValueError(f"{value!r} is not a SageMaker instance type for spaces{hint}")
    if bigger := remote_access_upgrade(value):
        raise ValueError(f"{value} is too small for remote access (8 GiB of memory needed); use {bigger}")
    return value


@lru_cache(maxsize=8)
def sagemaker_regions(region: str) -> tuple[str, list[str]]:
    """(partition, the regions of that partition where SageMaker is offered) for `region`'s partition."""
    from botocore.session import Session

    session = Session()
    try:
        partition = session.get_partition_for_region(region)
    except Exception:  # no partition's pattern matches: judge it against the main one
        partition = "aws"
    return partition, sorted(session.get_available_regions("sagemaker", partition_name=partition))


def check_region(region: str, origin: str = "") -> str:
    """`region` when SageMaker is offered there as far as botocore knows; ValueError otherwise,
    naming `origin` (where the user set it) when given."""
    _partition, regions = sagemaker_regions(region)
    if region in regions:
        return region
    near = difflib.get_close_matches(region, regions, n=1, cutoff=0.75)
    hint = f"; did you mean {near[0]}?" if near else f" (for example {', '.join(regions[:3])})"
    where = f" (from {origin})" if origin else ""
    raise ValueError(f"{region!r}{where} is not a region where SageMaker is offered{hint}")


@lru_cache(maxsize=1)
def _image_arn_rule() -> tuple[int, re.Pattern[str]]:
    shape = _sagemaker_model().shape_for("ImageArn")
    return int(shape.metadata.get("max", 256)), re.compile(shape.metadata["pattern"])


def check_image_arn(value: str) -> str:
    """`value` when it reads as a SageMaker image ARN (the model's ImageArn pattern, read from
    botocore rather than copied); ValueError otherwise."""
    longest, pattern = _image_arn_rule()
    if len(value) > longest or not pattern.fullmatch(value):
        raise ValueError(
            f"{value[:80]!r} is not a SageMaker image ARN (arn:aws:sagemaker:<region>:<account>:image/<name>)"
        )
    return value
