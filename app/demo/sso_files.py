"""Where the simulated Identity Center's login lives: an AWS config file with an SSO profile and
the token `aws sso login` would have cached, both in a private temporary directory of the demo's,
never in the user's ~/.aws. The token is written with botocore's own SSOTokenLoader and
JSONFileCache (botocore/utils.py), so the client reads it exactly as it reads a real login.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .organisation import SESSION_NAME, START_URL, Organisation

PROFILE = "demo"  # the profile name the demo's AWS config file defines


@dataclass(frozen=True)
class SsoFiles:
    """The demo's AWS config file and SSO token cache directory (removed when the demo ends)."""

    root: Path

    @property
    def config_file(self) -> Path:
        return self.root / "config"

    @property
    def cache_dir(self) -> Path:
        return self.root / "sso" / "cache"

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def write(org: Organisation, region: str) -> SsoFiles:
    from botocore.utils import JSONFileCache, SSOTokenLoader

    files = SsoFiles(Path(tempfile.mkdtemp(prefix="sm-spaces-demo-")))  # mode 0700
    main = next(iter(org.accounts.values()))
    files.config_file.write_text(
        f"[profile {PROFILE}]\n"
        f"sso_session = {SESSION_NAME}\n"
        f"sso_account_id = {main.account_id}\n"
        f"sso_role_name = {next(iter(main.roles))}\n"
        f"region = {region}\n\n"
        f"[sso-session {SESSION_NAME}]\n"
        f"sso_start_url = {START_URL}\n"
        f"sso_region = {region}\n"
        "sso_registration_scopes = sso:account:access\n",
        encoding="utf-8",
    )
    expires = datetime.fromtimestamp(org.token_expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    token = {"startUrl": START_URL, "region": region, "accessToken": org.token, "expiresAt": expires}
    SSOTokenLoader(JSONFileCache(str(files.cache_dir))).save_token(
        START_URL, token, session_name=SESSION_NAME
    )
    return files
