"""Workshop mode: a roster of trainees taking the hot seat in turn within one session."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class HotSeat:
    roster: tuple[str, ...]
    rotate_every: int = 2
    """Trainee lines per person before the seat passes on; 0 means only when someone taps in."""
    seat: int = 0
    lines_in_seat: int = 0

    def __post_init__(self) -> None:
        names = tuple(name.strip() for name in self.roster if name.strip())
        if not names:
            raise ValueError("a workshop needs at least one name on the roster")
        if len(set(names)) != len(names):
            raise ValueError("each name on the roster must be different")
        self.roster = names

    @property
    def holder(self) -> str:
        return self.roster[self.seat]

    def after_line(self) -> str | None:
        """Count a line by the holder; returns the next holder's name when the seat passes on."""
        self.lines_in_seat += 1
        if self.rotate_every and self.lines_in_seat >= self.rotate_every and len(self.roster) > 1:
            return self._move_to((self.seat + 1) % len(self.roster))
        return None

    def tap_in(self, name: str | None = None) -> str:
        """Someone takes the seat now: by name, or the next person on the roster."""
        if name is None:
            return self._move_to((self.seat + 1) % len(self.roster))
        if name not in self.roster:
            raise ValueError(f"{name} is not on the roster")
        return self._move_to(self.roster.index(name))

    def _move_to(self, seat: int) -> str:
        self.seat = seat
        self.lines_in_seat = 0
        return self.holder
