"""The listing: what the account holds in the regions shown, loaded for every region at once,
painted from the cache until the first load lands, and kept current by describing the spaces that
change state. It owns this state; the screen only draws it (ListingView).

When loads and describes run is decided by background.py; the actions report newer states here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Set
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from ..model import Domain, Space, UserProfile
from . import prefs
from .clock import Clock
from .notices import Notices
from .services import Services
from .view import Selection, SpaceIndex, ViewState, sso_default_owners
from .widgets.space_tree import AccountState, RegionState

if TYPE_CHECKING:
    from ..aws.api import AccountRef, AccountsApi, Caller, Listing
    from ..aws.errors import AwsError

SpaceKey = tuple[str, str, str]
POLLED_AT_ONCE = 20  # spaces in transition described per polling round


class ListingView(Protocol):
    """What the listing needs of the screen."""

    def listing_changed(self) -> None:
        """Spaces, regions or their states changed: redraw the tree, the header and the pane."""

    def header_changed(self) -> None: ...

    def space_changed(self, before: Space, after: Space) -> None:
        """One space has a newer state (progress of an action, polling)."""

    def signed_in(self) -> None:
        """A call succeeded with the credentials: a banner about them can go."""

    def needs_regions(self) -> None:
        """No region is set anywhere: ask the user for some."""


class ListingController:
    def __init__(
        self, services: Services, shown: ViewState, clock: Clock, view: ListingView, notices: Notices
    ) -> None:
        self.services = services
        self.notices = notices
        self.shown = shown
        self.clock = clock
        self.view = view
        self.index = SpaceIndex()
        self.caller: Caller | None = None
        self.domains: dict[str, list[Domain]] = {}
        self.user_profiles: dict[str, list[UserProfile]] = {}
        self.region_states: dict[str, RegionState] = {}
        self.accounts: list[AccountState] | None = None  # several accounts side by side (account.many)
        self.loaded_at: float | None = None
        self.stale = False  # what is shown came from the cache and the refresh has not landed yet
        self.loading = False
        self.load_count = 0  # finished loads (the background refresh tests count them)
        self.known_regions: list[str] = []  # every region offering SageMaker, once the SDK is loaded
        self._details: dict[SpaceKey, Space] = {}  # DescribeSpace answers, for the detail pane
        self._guessed: str | None = None  # the region read from the AWS config, until botocore agrees

    # --- what is shown ------------------------------------------------------------------------

    def selection(self) -> Selection:
        shown = self.shown
        return self.index.select(shown.text, shown.owners, shown.regions)

    def visible_spaces(self) -> list[Space]:
        return self.selection().spaces

    def detailed(self, space: Space) -> Space:
        """The listing's live status, plus what only DescribeSpace knows (once it was asked)."""
        described = self._details.get(space.key)
        return space if described is None else with_details(space, described)

    def described(self, space: Space) -> bool:
        return space.key in self._details

    def all_user_profiles(self) -> list[UserProfile]:
        return [p for profiles in self.user_profiles.values() for p in profiles]

    def all_domains(self) -> list[Domain]:
        return [d for domains in self.domains.values() for d in domains]

    # --- loading ------------------------------------------------------------------------------

    def paint_cache(self) -> None:
        """The last listing of each region, at once, marked stale until the refresh lands.

        With no region given, the one the environment or the AWS config file names (read without
        botocore, which the first frame must not wait for); the first load checks it with botocore."""
        from ..aws.api import configured_region

        account = self.services.account
        if not self.shown.regions:
            guessed = configured_region(account.profile)
            if guessed:
                self.shown.regions, self._guessed = [guessed], guessed
        if account.many is not None:  # no cache of several accounts (yet): their branches say loading
            return
        spaces: list[Space] = []
        oldest: float | None = None
        for region in self.shown.regions:
            found = prefs.load_cached(account.profile_key, region, account.cache_endpoint)
            if found:
                spaces.extend(found[0])
                oldest = found[1] if oldest is None else min(oldest, found[1])
        if spaces:
            self.index.replace(spaces)
            self.loaded_at, self.stale = oldest, True

    async def load(self) -> None:
        """List every shown region at once (after asking who the caller is)."""
        self.loading = True
        try:
            await self._load_once()
        finally:
            self.loading = False
            self.load_count += 1
            self.view.header_changed()

    async def _load_once(self) -> None:
        from ..aws.api import available_regions, default_region
        from ..aws.errors import AwsError

        shown = self.shown
        guessed, self._guessed = self._guessed, None
        # No region given, or only the one painted from the AWS config file: botocore says which.
        if not shown.regions or (guessed and shown.regions == [guessed]):
            try:
                default = await asyncio.to_thread(default_region, self.services.account.profile)
            except AwsError as err:  # a profile missing from the AWS config
                self.notices.report(err)
                return
            default = default or guessed
            if not default:
                self.notices.report(
                    AwsError(
                        "no AWS region is set; press R to choose regions, or pass --region", kind="validation"
                    )
                )
                self.view.needs_regions()
                return
            if guessed and default != guessed:
                self.forget()  # the painted cache was another region's
            shown.regions = [default]
        if self.services.account.many is not None:
            await self._load_accounts()
            return
        for region in shown.regions:
            self.region_states.setdefault(region, RegionState()).loading = True
        self.view.listing_changed()
        try:
            svc = await self.services.get(shown.regions[0])
            self.caller = caller = await svc.caller()
        except AwsError as err:
            for state in self.region_states.values():
                state.loading = False
            self.notices.report(err)
            self.view.listing_changed()
            return
        self.view.signed_in()
        if not self.known_regions:  # the palette's "Switch to <region>"; botocore is loaded by now
            self.known_regions = await asyncio.to_thread(available_regions, caller.partition)
        regions = list(shown.regions)
        results = await asyncio.gather(*(self._load_region(r) for r in regions))
        loaded = {region: found for region, found in zip(regions, results, strict=True) if found is not None}
        keep = [s for s in self.index.spaces if s.region not in loaded and s.region in shown.regions]
        fresh = [s for found in loaded.values() for s in found.spaces]
        self.index.replace(keep + fresh)
        if loaded:
            self.loaded_at, self.stale = self.clock.now(), False
        if not shown.owners_chosen:
            shown.owners = sso_default_owners(caller.sso_user, self.all_user_profiles())
        self.view.listing_changed()

    async def _load_region(self, region: str) -> Listing | None:
        from ..aws.errors import AwsError

        state = self.region_states.setdefault(region, RegionState())
        try:
            svc = await self.services.get(region)
            # A large account's cached domains: their pages are asked in the listing's first round.
            svc.expect_domains([s.domain_id for s in self.index.spaces if s.region == region])
            found = await svc.list_all(sso_users=bool(self.caller and self.caller.sso_user))
        except AwsError as err:
            state.loading, state.error = False, _short(err.kind)
            self.notices.report(err)
            return None
        state.loading, state.error, state.domains = False, None, len(found.domains)
        self.domains[region] = found.domains
        self.user_profiles[region] = found.user_profiles
        account = self.services.account
        prefs.save_cached(account.profile_key, region, found.spaces, account.cache_endpoint)
        return found

    async def _load_accounts(self) -> None:
        """Several accounts: which ones (an Identity Center login's portal, asked once), then every
        account's regions at once, each with its own credentials. An account that fails says so
        on its branch (and once in a notice) and hides none of the others."""
        from ..aws.errors import AwsError

        regions = list(self.shown.regions)
        for state in self.accounts or []:
            state.loading = True
        self.view.listing_changed()
        try:
            accounts = await self.services.accounts()
            refs = await accounts.refs()
        except AwsError as err:  # an ended login: the one line naming `aws sso login`
            for state in self.accounts or []:
                state.loading = False
            self.notices.report(err)
            self.view.listing_changed()
            return
        old = {state.key: state for state in self.accounts or []}
        self.accounts = [old.get(r.key) or AccountState(r.key, r.label, r.account_id, r.role) for r in refs]
        for state in self.accounts:
            state.loading = True
        self.view.listing_changed()
        found = await asyncio.gather(
            *(
                self._load_account(accounts, ref, state, regions)
                for ref, state in zip(refs, self.accounts, strict=True)
            )
        )
        self.index.replace([space for spaces in found for space in spaces])
        if any(state.error is None for state in self.accounts):
            self.loaded_at, self.stale = self.clock.now(), False
            self.view.signed_in()
        self.view.listing_changed()

    async def _load_account(
        self, accounts: AccountsApi, ref: AccountRef, state: AccountState, regions: list[str]
    ) -> list[Space]:
        """One account's spaces in `regions`; on a failure, the spaces it showed before."""
        from ..aws.errors import AwsError

        before = [s for s in self.index.spaces if s.account == state.account_id]
        failed: AwsError | None = None
        spaces: list[Space] = []
        try:
            caller = await accounts.get(ref, regions[0]).caller()
            state.account_id = caller.account
            accounts.bind(caller.account, ref)
            self.caller = self.caller or caller
            for region, listed in zip(
                regions,
                await asyncio.gather(*(self._account_region(accounts, ref, state, r) for r in regions)),
                strict=True,
            ):
                if isinstance(listed, AwsError):
                    failed = failed or listed
                    spaces += [s for s in before if s.region == region]
                else:
                    spaces += listed.spaces
                    self.domains[f"{state.key}/{region}"] = listed.domains
                    self.user_profiles[f"{state.key}/{region}"] = listed.user_profiles
        except AwsError as err:
            failed, spaces = err, before
        was = state.error
        state.loading, state.error = False, _short(failed.kind) if failed else None
        if failed is not None and was != state.error:  # said once, not on every refresh
            self.notices.warn(f"{state.name}: {failed.message}", title="Account")
        return spaces

    async def _account_region(
        self, accounts: AccountsApi, ref: AccountRef, state: AccountState, region: str
    ) -> Listing | AwsError:
        from ..aws.errors import AwsError

        region_state = state.regions.setdefault(region, RegionState())
        region_state.loading = True
        try:
            found = await accounts.get(ref, region).list_all()
        except AwsError as err:
            region_state.loading, region_state.error = False, _short(err.kind)
            return err
        region_state.loading, region_state.error, region_state.domains = False, None, len(found.domains)
        return found

    def forget(self) -> None:
        """Another account (a profile switch): nothing of the old one is kept."""
        self.caller = None
        self.index.replace([])
        self.domains.clear()
        self.user_profiles.clear()
        self.region_states.clear()
        self.accounts = None
        self._details.clear()
        self.loaded_at = None

    # --- single spaces ------------------------------------------------------------------------

    async def describe(self, space: Space) -> Space:
        """DescribeSpace: what the listing lacks (image, idle timeout, a stopped space's instance
        type), kept for the pane; the listing's disambiguated alias is kept. Raises AwsError."""
        svc = await self.services.get(space.region, space.account)
        fresh = keep_alias(await svc.describe_space(space.domain_id, space.name), space)
        self._details[space.key] = fresh
        return fresh

    def apply(self, space: Space) -> None:
        """A newer state of one space (progress callbacks, polling): update it in place."""
        if space.key in self._details:
            self._details[space.key] = space
        before = self.index.find(space.key)
        if before is not None and self.index.update(space):
            self.view.space_changed(before, space)

    def moving(self, busy: Set[SpaceKey]) -> list[Space]:
        """Spaces in transition that no action of ours is watching (those poll themselves)."""
        moving = [s for s in self.index.transitional(self.shown.regions) if s.key not in busy]
        return moving[:POLLED_AT_ONCE]

    async def poll(self, spaces: list[Space]) -> None:
        """Describe each space once and show what changed."""
        from ..aws.errors import AwsError

        for space in spaces:
            try:
                svc = await self.services.get(space.region, space.account)
                fresh = await svc.describe_space(space.domain_id, space.name)
            except AwsError:
                continue  # the next listing refresh reports persistent failures
            self.apply(keep_alias(fresh, space))


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
        # A reason is only the listing's when the space is still in the state it explained.
        failure_reason=listed.failure_reason
        or (described.failure_reason if described.space_status == listed.space_status else None),
    )


def keep_alias(fresh: Space, old: Space) -> Space:
    """describe_space gives the short alias; keep the listing's disambiguated one."""
    return fresh.with_alias(old.alias) if old.alias else fresh


def _short(kind: str) -> str:
    """A region's failure as the tree's branch label says it."""
    return {
        "access_denied": "access denied",
        "credentials": "credentials",
        "throttled": "throttled",
        "endpoint": "unreachable",
    }.get(kind, "error")
