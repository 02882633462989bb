"""The actions a screen offers now, each with the node that runs it: the palette and help list these."""

from __future__ import annotations

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode
from textual.screen import Screen


def offered_actions(screen: Screen) -> list[tuple[DOMNode, Binding]]:
    """The screen's own bindings, in the order it declares them, then the app's own; only those with a
    description and enabled now. Textual's focus moves and the focused input's editing keys (copy,
    cut, delete…) are not actions of the screen, so they are left out."""
    active = {(a.binding.key, a.binding.action): a for a in screen.active_bindings.values()}
    offered, seen = [], set()
    for node in (screen, screen.app):
        for _, binding in BindingsMap(type(node).BINDINGS):
            found = active.get((binding.key, binding.action))
            if (found is None or found.node is not node or not binding.description or not found.enabled
                    or binding.action in seen):
                continue
            seen.add(binding.action)
            offered.append((node, binding))
    return offered
