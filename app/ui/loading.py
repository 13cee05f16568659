"""Loading and keeping the listing fresh: services per region (aiobotocore imported lazily, off the
event loop), the listing per region at once, the background refresh and the polling of spaces in
transition. Mixed into SpacesApp; `self` is the app."""

from __future__ import annotations

import asyncio
import importlib
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..model import Space
from . import prefs as prefs_module
from .view import sso_default_owners
from .widgets.space_tree import RegionState

if TYPE_CHECKING:
    from .app import SpacesApp


class ListingLoader:
    # --- services ---------------------------------------------------------------------------

    async def service(self: SpacesApp, region: str) -> Any:
        """The SpacesService for a region; aiobotocore is imported off the event loop the first time."""
        if region not in self._services:
            module = await asyncio.to_thread(importlib.import_module, "..aws.service", __package__)
            # The palette offers "Switch to <region>" from the endpoint data this module reads.
            await asyncio.to_thread(importlib.import_module, "..aws.context", __package__)
            self._services[region] = module.SpacesService(
                profile=self.profile,
                region=region,
                endpoint_url=self.endpoint_url,
                credentials=self.credentials,
                poll_interval=min(2.0, self.poll_interval),
            )
        return self._services[region]

    async def close_services(self: SpacesApp) -> None:
        services, self._services = list(self._services.values()), {}
        for svc in services:
            try:
                await svc.aclose()
            except Exception:
                pass

    # --- loading ----------------------------------------------------------------------------

    @property
    def is_refreshing(self: SpacesApp) -> bool:
        return self._refreshing

    def refresh_listing(self: SpacesApp) -> None:
        if not getattr(self, "_first_frame_out", False):
            # The listing imports aiobotocore (~0.2 s of CPU) on a thread, which holds the GIL
            # for 5 ms at a time: start it only once the first frame (the cached spaces) is out.
            self._first_frame_out = True
            self.call_after_refresh(self.refresh_listing)
            return
        self.run_worker(self._load(), group="refresh", exclusive=True, exit_on_error=False)

    async def _load(self: SpacesApp) -> None:
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
        self._refreshing = True
        try:
            await self._load_once()
        finally:
            self._refreshing = False
            self.load_count += 1
            self.render_header()
            if self.background_refresh and self.refresh_interval > 0:
                # Re-armed only now that this run is over, so refreshes never overlap (as dolphie does).
                self._refresh_timer = self.set_timer(self.refresh_interval, self.refresh_listing)

    async def _load_once(self: SpacesApp) -> None:
        from ..aws.errors import AwsError

        if not self.regions:
            module = await asyncio.to_thread(importlib.import_module, "..aws.clients", __package__)
            default = module.default_region(self.profile)
            if not default:
                self.show_error(
                    AwsError(
                        "no AWS region is set; press R to choose regions, or pass --region", kind="validation"
                    )
                )
                self.action_regions()
                return
            self.regions = [default]
        for region in self.regions:
            self.region_states.setdefault(region, RegionState()).loading = True
        self.render_all()
        try:
            svc = await self.service(self.regions[0])
            self.caller = await svc.caller()
        except AwsError as err:
            for state in self.region_states.values():
                state.loading = False
            self.show_error(err)
            self.render_all()
            return
        self._banner_widget.hide()
        results = await asyncio.gather(*(self._load_region(r) for r in list(self.regions)))
        loaded = {
            region: listing
            for region, listing in zip(list(self.regions), results, strict=True)
            if listing is not None
        }
        keep = [s for s in self.index.spaces if s.region not in loaded and s.region in self.regions]
        fresh = [s for listing in loaded.values() for s in listing.spaces]
        self.index.replace(keep + fresh)
        if loaded:
            self.loaded_at, self.stale = self.clock.now(), False
        if not self.owners_chosen:
            profiles = [p for ps in self.user_profiles.values() for p in ps]
            self.owners = sso_default_owners(self.caller.sso_user, profiles)
        self.render_all()

    async def _load_region(self: SpacesApp, region: str) -> Any:
        from ..aws.errors import AwsError

        state = self.region_states.setdefault(region, RegionState())
        try:
            svc = await self.service(region)
            # A large account's cached domains: their pages are asked in the listing's first round.
            svc.expect_domains([s.domain_id for s in self.index.spaces if s.region == region])
            listing = await svc.list_all(sso_users=bool(self.caller and self.caller.sso_user))
        except AwsError as err:
            state.loading, state.error = False, _short(err)
            self.show_error(err)
            return None
        state.loading, state.error, state.domains = False, None, len(listing.domains)
        self.domains[region] = listing.domains
        self.user_profiles[region] = listing.user_profiles
        prefs_module.save_cached(self.profile_key, region, listing.spaces, self.cache_endpoint)
        return listing

    # --- polling ----------------------------------------------------------------------------

    def _poll_transitions(self: SpacesApp) -> None:
        """Spaces changing state that no action of ours is watching: describe them until they settle."""
        if self._polling:
            return
        moving = [s for s in self.index.transitional(self.regions) if s.key not in self.busy]
        if moving:
            self._polling = True
            self.run_worker(self._poll(moving[:20]), group="poll", exit_on_error=False)

    async def _poll(self: SpacesApp, spaces: list[Space]) -> None:
        from ..aws.errors import AwsError

        try:
            for space in spaces:
                try:
                    svc = await self.service(space.region)
                    fresh = await svc.describe_space(space.domain_id, space.name)
                except AwsError:
                    continue  # the next listing refresh reports persistent failures
                self.apply_space(_keep_alias(fresh, space))
        finally:
            self._polling = False


def with_details(listed: Space, described: Space) -> Space:
    """The listing's live status, plus what only DescribeSpace knows."""
    return replace(
        listed,
        image=listed.image or described.image,
        idle_timeout_minutes=listed.idle_timeout_minutes
        if listed.idle_timeout_minutes is not None
        else described.idle_timeout_minutes,
        instance_type=listed.instance_type or described.instance_type,
        storage_gib=listed.storage_gib or described.storage_gib,
        last_modified=listed.last_modified or described.last_modified,
    )


def _short(err: BaseException) -> str:
    kind = getattr(err, "kind", "")
    return {
        "access_denied": "access denied",
        "credentials": "credentials",
        "throttled": "throttled",
        "endpoint": "unreachable",
    }.get(kind, "error")


def _keep_alias(fresh: Space, old: Space) -> Space:
    """describe_space gives the short alias; keep the listing's disambiguated one."""
    return fresh.with_alias(old.alias) if old.alias else fresh
