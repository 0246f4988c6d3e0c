"""Registries that feature modules fill at import time: navigation entries and Overview panels.

They live in their own module (not in `app.py`) so that router modules can import them without an
import cycle; `app.py` re-exports them. Registration is idempotent (keyed by path / panel id), so
re-importing a module or creating several apps never duplicates an entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from socialpulse.bootstrap import App
    from socialpulse.domain.models import Workspace
    from socialpulse.domain.periods import DateRange


_Entry = TypeVar("_Entry")


def _register(
    entries: list[_Entry],
    entry: _Entry,
    key: Callable[[_Entry], str],
    order: Callable[[_Entry], tuple[int, str]],
) -> _Entry:
    """Put ``entry`` in ``entries`` in place of any with the same key, keeping them sorted.

    Replacing by key is what makes registration idempotent; sorting in place keeps the list
    object that other modules imported up to date.
    """
    entries[:] = [e for e in entries if key(e) != key(entry)]
    entries.append(entry)
    entries.sort(key=order)
    return entry


@dataclass(frozen=True)
class NavItem:
    """One entry of the top navigation: label, path, and a sort order (lower first)."""

    label: str
    path: str
    order: int = 100

    def is_active(self, current_path: str) -> bool:
        """The entry matches the page shown (the longest matching entry wins, see `active_nav`)."""
        if self.path == "/":
            return current_path == "/"
        return current_path == self.path or current_path.startswith(self.path.rstrip("/") + "/")


#: Navigation entries, sorted by ``order`` when rendered. Append through `register_nav`.
NAV: list[NavItem] = []


def register_nav(item: NavItem) -> NavItem:
    """Add (or replace, by path) a navigation entry."""
    return _register(NAV, item, lambda n: n.path, lambda n: (n.order, n.label))


def active_nav(current_path: str) -> NavItem | None:
    """The navigation entry for a path: the most specific one that matches."""
    matches = [n for n in NAV if n.is_active(current_path)]
    return max(matches, key=lambda n: len(n.path)) if matches else None


PanelBuilder = Callable[["App", "Workspace", "DateRange"], "dict[str, Any] | None"]


@dataclass(frozen=True)
class OverviewPanel:
    """A block on the Overview page contributed by a feature (goals at risk, alerts...).

    ``build(app, workspace, period)`` returns the template context of the panel, or None to hide
    it (e.g. nothing at risk). ``template`` is a template file under `templates/` that renders it
    with the variable ``panel`` (the dict); the default one understands ``text``, ``items``
    (list of dicts with ``label``, optional ``value``, ``status`` and ``href``) and ``link``
    (dict with ``label`` and ``href``). A `SocialPulseError` raised by ``build`` is shown in the
    panel; the Overview itself never fails because of a panel.
    """

    id: str
    title: str
    build: PanelBuilder
    order: int = 100
    template: str = "_panel_default.html"


#: Overview panels, sorted by ``order``. Append through `register_overview_panel`.
OVERVIEW_PANELS: list[OverviewPanel] = []


def register_overview_panel(panel: OverviewPanel) -> OverviewPanel:
    """Add (or replace, by id) an Overview panel."""
    return _register(OVERVIEW_PANELS, panel, lambda p: p.id, lambda p: (p.order, p.id))
