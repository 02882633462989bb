"""The Rehearse app: home, session and form screens over one AppContext."""

from __future__ import annotations

from textual.app import App

from simulator.context import AppContext
from simulator.tui.screens.home import HomeScreen


class RehearseApp(App[None]):
    TITLE = "Rehearse"
    SUB_TITLE = "practice the hard conversations"
    CSS_PATH = "app.tcss"

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context

    def on_mount(self) -> None:
        self.push_screen(HomeScreen())

    async def on_unmount(self) -> None:
        await self.context.aclose()
