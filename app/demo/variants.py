"""Where AWS's answer is not documented, the simulator offers each plausible one behind a switch.

The client's tests run against every variant (tests/test_fidelity_lifecycle.py), so whichever one
the real service picks, the client copes. FIDELITY.md lists them as guesses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Refuse = Literal["refuse", "allow"]


@dataclass
class Variants:
    # UpdateSpace changing RemoteAccess while the space's app is Deleting: refused like a running
    # app ("must be stopped"), or accepted because the app is on its way out.
    remote_access_while_deleting: Refuse = "refuse"
    # DeleteApp on an app that is still Pending: ResourceInUse until it settles, or accepted.
    delete_pending_app: Refuse = "refuse"
    # CreateApp on a space whose app is Failed: the failed app is replaced ("allow"), or it must be
    # deleted first ("refuse": ResourceInUse, the app already exists).
    create_after_failed: Refuse = "allow"
    # DeleteSpace on a space whose app is Pending, InService or Deleting: ResourceInUse until the
    # app is gone ("refuse"), or the app is deleted with the space ("allow"). botocore's model lists
    # ResourceInUse for DeleteSpace without saying when.
    delete_space_with_app: Refuse = "refuse"

    @classmethod
    def all_strict(cls) -> Variants:
        return cls("refuse", "refuse", "refuse", "refuse")

    @classmethod
    def all_lenient(cls) -> Variants:
        return cls("allow", "allow", "allow", "allow")
