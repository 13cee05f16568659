"""What a list operation's page looks like on the wire (awsJson1.1), for the roads that skip
botocore's per-member parser: lean_parser (inside the client) and direct_pages (beside it)."""

from __future__ import annotations

from typing import Any

# Output shape -> the member holding the items.
RAW_PAGES = {
    "ListSpacesResponse": "Spaces",
    "ListAppsResponse": "Apps",
    "ListDomainsResponse": "Domains",
    "ListUserProfilesResponse": "UserProfiles",
}


def plain_page(parsed: Any, items_key: str) -> bool:
    """Whether a decoded body is a well-formed page: a dict of known members, items a list of
    dicts, NextToken a string. Anything else is left to botocore (and its error reporting)."""
    if not isinstance(parsed, dict) or not parsed.keys() <= {items_key, "NextToken"}:
        return False
    token = parsed.get("NextToken")
    items = parsed.get(items_key, [])
    return (
        (token is None or isinstance(token, str))
        and isinstance(items, list)
        and all(isinstance(item, dict) for item in items)
    )
