"""Which account and which regions the app shows: the `p` and `R` pickers and what a switch resets.

A profile chosen in the picker is kept in the settings only once a call has worked with it;
--profile and AWS_PROFILE belong to one run and are never written there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from .background import Background
from .dialogs import Dialogs
from .loading import ListingController
from .painting import Painter
from .services import Services
from .view import ViewState


class Switcher:
    def __init__(
        self,
        services: Services,
        listing: ListingController,
        shown: ViewState,
        painter: Painter,
        background: Background,
        dialogs: Dialogs,
        save_prefs: Callable[[], None],
    ) -> None:
        self._services = services
        self._listing = listing
        self._shown = shown
        self._painter = painter
        self._background = background
        self._dialogs = dialogs
        self._save_prefs = save_prefs
        self.saved_profile: str | None = None  # what the settings keep (None: the default chain)
        self._on_trial = False  # a picked profile no call has worked with yet
        painter.after_sign_in = self._signed_in

    # --- regions ------------------------------------------------------------------------------

    async def pick_regions(self) -> None:
        from ..aws.api import available_regions
        from .screens.pickers import RegionPicker

        caller, shown = self._listing.caller, self._shown
        regions = await asyncio.to_thread(available_regions, caller.partition if caller else "aws")
        extra = [r for r in shown.regions if r not in regions]  # e.g. the simulator's region
        states = self._listing.region_states
        counts = {r: s.domains for r, s in states.items() if s.domains is not None}
        # The chosen regions first, then those known to hold domains, then the rest alphabetically.
        ordered = sorted(extra + regions, key=lambda r: (r not in shown.regions, not counts.get(r), r))
        chosen = await self._dialogs.ask(RegionPicker(ordered, shown.regions, counts))
        if chosen:
            self.switch_regions(chosen)

    def switch_regions(self, regions: list[str]) -> None:
        self._shown.regions = list(regions)
        self._painter.all()
        self._save_prefs()
        self._background.refresh()

    # --- the account --------------------------------------------------------------------------

    async def pick_profile(self) -> None:
        from ..aws.api import available_profiles
        from .screens.pickers import ProfilePicker

        account = self._services.account
        if account.many is not None:  # every account is shown already: a profile would narrow it
            self._listing.notices.warn(
                "several accounts are shown side by side; start sm-spaces with one --profile to work in one",
                title="AWS profile",
            )
            return
        profiles = await asyncio.to_thread(available_profiles)
        chosen = await self._dialogs.ask(ProfilePicker(profiles, account.profile, demo=account.demo))
        if chosen is None or account.demo or chosen.profile == account.profile:
            return  # --demo keeps the simulated account (the picker says so)
        await self.switch_profile(chosen.profile)

    async def switch_profile(self, profile: str | None) -> None:
        """A new profile (None: the default chain): new clients, new caller, new listing; nothing of
        the old one is kept. Saved in the settings only once a call has worked with it."""
        services, shown = self._services, self._shown
        await services.close()
        services.account.profile, services.account.credentials = profile, None
        self._on_trial = True
        self._listing.forget()
        if not shown.owners_chosen:
            shown.owners = None
        self._painter.all()
        self._background.refresh()

    def _signed_in(self) -> None:
        """A call worked with the account's credentials: a profile on trial is kept."""
        if self._on_trial:
            self._on_trial = False
            self.saved_profile = self._services.account.profile
            self._save_prefs()
