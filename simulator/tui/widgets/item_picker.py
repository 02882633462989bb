"""One form item the trainee rates: ←/→ or a digit changes the value, shown as number and bar."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from simulator.domain import FormItem
from simulator.tui.widgets.score_line import bar


class ItemPicker(Static, can_focus=True):
    BINDINGS = [
        Binding("left,minus", "change(-1)", "Lower", show=False),
        Binding("right,plus,equals_sign", "change(1)", "Higher", show=False),
        # Here, not on the screen: the scrolling container around the pickers would take them first.
        Binding("down", "app.focus_next", "Next item", show=False),
        Binding("up", "app.focus_previous", "Previous item", show=False),
    ]

    def __init__(self, item: FormItem, value: int) -> None:
        super().__init__(classes="picker")
        self.item = item
        self.value = value

    def on_mount(self) -> None:
        self._draw()

    def _draw(self) -> None:
        line = Text()
        line.append(f"◀ {self.value:>2} ▶ ", style="bold")
        line.append(f"/{self.item.high:<2} {bar(self.value, self.item.high, 10)}  {self.item.wording}")
        self.update(line)

    def action_change(self, step: int) -> None:
        self.value = max(self.item.low, min(self.item.high, self.value + step))
        self._draw()

    def on_key(self, event) -> None:
        if event.character and event.character.isdigit():
            digit = int(event.character)
            # "1" then "0" makes 10 on a 0-10 item.
            wanted = 10 if self.item.high == 10 and self.value == 1 and digit == 0 else digit
            self.value = max(self.item.low, min(self.item.high, wanted))
            self._draw()
            event.stop()

    def on_click(self) -> None:
        self.focus()
