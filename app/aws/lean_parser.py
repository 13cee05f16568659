"""A response parser that hands the four list operations' pages over as plain JSON.

botocore's generic parser walks every member of every item against the service model (about
60 us per space summary); for a listing of 10,000 spaces that walk, not the network, was most of
the wall time. awsJson1.1 member names are the wire names and the only conversions the walk makes
for these pages are timestamps, which parse.py converts itself (only the one it uses). Every other
operation, every error and any page that does not look like a page goes through botocore as before.
"""

from __future__ import annotations

from typing import Any

from aiobotocore.parsers import AioJSONParser, AioResponseParserFactory

from .pages import RAW_PAGES, plain_page


class LeanJSONParser(AioJSONParser):
    def _handle_json_body(self, raw_body: bytes, shape: Any) -> Any:
        items_key = RAW_PAGES.get(getattr(shape, "name", ""))
        if items_key is not None:
            parsed = self._parse_body_as_json(raw_body)
            if plain_page(parsed, items_key):
                return parsed
        return super()._handle_json_body(raw_body, shape)


class LeanParserFactory(AioResponseParserFactory):
    def create_parser(self, protocol_name: str) -> Any:
        if protocol_name == "json":
            return LeanJSONParser(**self._defaults)
        return super().create_parser(protocol_name)
