"""The inbox's port: its table (`adapters/store/inbox_repo.InboxRepo`).

Kept beside `services/ports.py` (like `connections_ports.py`) so that file stays within the
size rule; the same contract applies: the service receives it, `bootstrap.py` passes the
adapter.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from socialpulse.domain.inbox import Conversation, InboxFilter, Message, Note


class InboxRepository(Protocol):
    def add_messages(self, workspace_id: int, messages: Sequence[Message]) -> list[int]: ...

    def messages(self, conversation_id: int) -> list[Message]: ...

    def page(self, workspace_id: int, f: InboxFilter, limit: int) -> list[Conversation]: ...

    def between(self, workspace_id: int, start: datetime, end: datetime
                ) -> list[Conversation]: ...

    def conversation(self, workspace_id: int, conversation_id: int) -> Conversation: ...

    def change(self, workspace_id: int, conversation_id: int, **values: Any
               ) -> Conversation: ...

    def claim(self, workspace_id: int, conversation_id: int, who: str, now: datetime,
              stale_before: datetime) -> Conversation: ...

    def release(self, workspace_id: int, conversation_id: int, who: str) -> None: ...

    def set_tag(self, workspace_id: int, conversation_id: int, tag: str, on: bool
                ) -> Conversation: ...

    def add_note(self, workspace_id: int, conversation_id: int, author: str, text: str,
                 now: datetime) -> Note: ...

    def notes(self, conversation_id: int) -> list[Note]: ...

    def settings(self, workspace_id: int) -> tuple[int | None, str, str]: ...

    def save_settings(self, workspace_id: int, minutes: int | None, hours: str,
                      holidays: str) -> None: ...

    def next_agent(self, workspace_id: int, agents: Sequence[str]) -> str: ...
