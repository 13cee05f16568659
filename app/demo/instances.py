"""The simulated service's own knowledge of instance types: memory, and the remote-access rule.

Kept apart from the client's table (app/model.py) on purpose: if either side gets an instance type
wrong, the tests that run one against the other show it. Memory sizes are those of the EC2 types
behind SageMaker's ml.* instances; SageMaker refuses remote access on types with less than 8 GiB
(ml.t3.medium, ml.c5.large, ml.c6i.large, ml.c6id.large, ml.c7i.large among Studio's defaults).
"""

from __future__ import annotations

REMOTE_ACCESS_MIN_GIB = 8

# (family, [(size, GiB), ...] smallest first)
_FAMILIES: dict[str, list[tuple[str, int]]] = {
    "ml.t3": [("micro", 1), ("small", 2), ("medium", 4), ("large", 8), ("xlarge", 16), ("2xlarge", 32)],
    "ml.m5": [("large", 8), ("xlarge", 16), ("2xlarge", 32), ("4xlarge", 64), ("8xlarge", 128)],
    "ml.c5": [("large", 4), ("xlarge", 8), ("2xlarge", 16), ("4xlarge", 32), ("9xlarge", 72)],
    "ml.c6i": [("large", 4), ("xlarge", 8), ("2xlarge", 16), ("4xlarge", 32), ("8xlarge", 64)],
    "ml.c6id": [("large", 4), ("xlarge", 8), ("2xlarge", 16), ("4xlarge", 32), ("8xlarge", 64)],
    "ml.c7i": [("large", 4), ("xlarge", 8), ("2xlarge", 16), ("4xlarge", 32), ("8xlarge", 64)],
    "ml.g5": [("xlarge", 16), ("2xlarge", 32), ("4xlarge", 64), ("8xlarge", 128)],
}
MEMORY_GIB: dict[str, int] = {
    f"{family}.{size}": gib for family, sizes in _FAMILIES.items() for size, gib in sizes
}


def larger_for_remote_access(instance_type: str) -> str | None:
    """The next size of the same family with enough memory for remote access, if `instance_type`
    has too little; None when it has enough (or the type is not one the simulator knows)."""
    family = instance_type.rpartition(".")[0]
    sizes = _FAMILIES.get(family)
    memory = MEMORY_GIB.get(instance_type)
    if sizes is None or memory is None or memory >= REMOTE_ACCESS_MIN_GIB:
        return None
    return next(f"{family}.{name}" for name, gib in sizes if gib >= REMOTE_ACCESS_MIN_GIB)
