"""What a change to a space asks for: a new space, an edit, and the bounds a domain sets on them.

Apart from app/model.py because only the create, edit and idle-timeout paths need these: the TUI's
first frame does not pay for their @dataclass code (six generated methods each, compiled at import).
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Space, SpaceStatus


@dataclass(frozen=True, slots=True)
class IdleBounds:
    """Idle timeout limits in minutes, from the domain or user-profile settings."""

    minimum: int = 60
    maximum: int = 525_600

    def check(self, minutes: int) -> None:
        if not self.minimum <= minutes <= self.maximum:
            raise ValueError(
                f"idle timeout {minutes} min is outside {self.minimum}–{self.maximum} min "
                "allowed by the domain"
            )


APP_TYPE_CHOICES = {
    "jupyterlab": "JupyterLab",
    "codeeditor": "CodeEditor",
}  # as `create --app-type` spells them


@dataclass(frozen=True, slots=True)
class NewSpace:
    """What `create` asks SageMaker for; None leaves a setting to the domain's default."""

    domain_id: str
    name: str
    app_type: str  # JupyterLab or CodeEditor
    owner: str  # the owning user profile (a shared space has one too: its creator)
    shared: bool = False
    instance_type: str | None = None
    storage_gib: int | None = None


@dataclass(frozen=True, slots=True)
class SpaceEdit:
    """The settings `edit` changes; None leaves one as it is."""

    instance_type: str | None = None
    storage_gib: int | None = None
    image: str | None = None
    idle_timeout_minutes: int | None = None

    def changes(self, space: Space) -> list[str]:
        """What differs from `space` (as DescribeSpace shows it), one phrase each."""
        found = []
        if self.instance_type and self.instance_type != space.instance_type:
            found.append(f"instance type {space.instance_type or '?'} → {self.instance_type}")
        if self.storage_gib is not None and self.storage_gib != space.storage_gib:
            found.append(f"storage {space.storage_gib or '?'} → {self.storage_gib} GiB")
        if self.image and self.image != space.image:
            found.append(f"image → {self.image.rsplit('/', 1)[-1]}")
        if self.idle_timeout_minutes is not None and self.idle_timeout_minutes != space.idle_timeout_minutes:
            found.append(
                f"idle shutdown {space.idle_timeout_minutes or '?'} → {self.idle_timeout_minutes} min"
            )
        return found

    def restarts(self, space: Space) -> bool:
        """A running app keeps the instance and image it started with: changing either restarts it."""
        running = space.status in (SpaceStatus.RUNNING, SpaceStatus.STARTING)
        moved = bool(self.instance_type and self.instance_type != space.instance_type) or bool(
            self.image and self.image != space.image
        )
        return running and moved


@dataclass(frozen=True, slots=True)
class SpaceOptions:
    """What a domain allows a new or edited space, from DescribeDomain and its user profiles."""

    domain_id: str
    domain_name: str
    profiles: tuple[str, ...]
    mine: str | None  # the caller's user profile, when Identity Center says which
    shared_allowed: bool  # the domain has DefaultSpaceSettings for shared spaces
    default_storage_gib: int = 5
    max_storage_gib: int = 100
