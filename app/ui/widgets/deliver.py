"""Handing a message to the app in the caller's own turn.

A posted message reaches the app a few queue hops later, and by then the screen has often drawn
the change that caused it: the tree's new cursor or the filter's new text gets a screen update of
its own (every widget on screen is walked per update), and what the app does about it a
second one. For messages only the app handles, calling its handler directly puts both in one
update. Messages the app has no handler for are posted as usual.
"""

from __future__ import annotations

from textual.message import Message
from textual.widget import Widget


def deliver_now(widget: Widget, message: Message) -> None:
    handler = getattr(widget.app, message.handler_name, None)
    if callable(handler):
        handler(message)
    else:
        widget.post_message(message)
