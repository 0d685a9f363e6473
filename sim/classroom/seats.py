"""Seat controls: which browsers hold a seat, and what the instructor may do to seats.

A join code claims its seat for the browser that joins first: the server hands that
browser a token, and another browser with the same code is told to ask the instructor
(:class:`SeatTaken`). A team seat takes up to :data:`MAX_TEAM` browsers. The instructor
can release a seat's browsers, free the seat (the bot takes the firm back), lock it,
give it a new code, move a student to another firm (a failed student's new firm), make
a student an analyst who follows another firm read-only, make a seat a team seat, and
broadcast a message. Each action is recorded in the log's events.
"""

from __future__ import annotations

import secrets
import time

MAX_TEAM = 8
MAX_MESSAGE_CHARACTERS = 500
MESSAGES_KEPT = 20
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_join_code() -> str:
    """A random join code: six letters and digits that cannot be mistaken for others."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


class SeatTaken(PermissionError):
    """The seat is held by another browser."""


class SeatControls:
    """Claims and the instructor's seat actions (mixed into ``ClassGame``)."""

    # ------------------------------------------------------------------ browsers

    def claim(self, seat, token: str = "") -> str:
        """The token of the browser that holds ``seat`` (a new one for a new browser).

        Raises:
            SeatTaken: when another browser holds the seat (or a team seat is full).
        """
        with self.lock:
            if token and token in seat.tokens:
                return token
            if seat.tokens and not seat.team:
                raise SeatTaken(
                    "this seat is already open in another browser; ask the instructor "
                    "to release it if that was you"
                )
            if len(seat.tokens) >= MAX_TEAM:
                raise SeatTaken(
                    f"this team seat already has {MAX_TEAM} browsers; ask the instructor"
                )
            token = secrets.token_urlsafe(16)
            seat.tokens.append(token)
            return token

    def check_claim(self, seat, token: str = "") -> None:
        """Refuse a browser that does not hold a claimed seat.

        Raises:
            SeatTaken: when the seat is claimed by other browsers.
        """
        if seat.tokens and token not in seat.tokens:
            raise SeatTaken(
                "this seat is held by another browser now; ask the instructor to release it"
            )

    # ------------------------------------------------------------------ the instructor

    def seat_number(self, number) -> object:
        """The seat with this number (1 to the number of seats).

        Raises:
            ValueError: for a number that is no seat's.
        """
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise ValueError("seat must be a seat number")
        if number != int(number) or not 1 <= number <= len(self.table):
            raise ValueError(f"seat must be a number from 1 to {len(self.table)}, got {number}")
        return self.table[int(number) - 1]

    def notify(self, seat, text: str) -> None:
        """Leave a notice for the seat's students (it stays until they dismiss it)."""
        seat.notices = [*seat.notices, {"id": secrets.token_hex(4), "text": text}][-5:]

    def release(self, seat) -> None:
        """Forget the seat's browsers: the next browser that joins with the code holds it."""
        with self.lock:
            seat.tokens = []
            self.note_event("release", seat=seat.index + 1)

    def free(self, seat) -> None:
        """Give the seat back to its bot; anyone with the code may join it again."""
        with self.lock:
            seat.joined, seat.student, seat.members = False, "", []
            seat.tokens, seat.watching = [], None
            seat.person.withdraw()
            seat.person.held = False
            self.note_event("free", seat=seat.index + 1)
            self.write_log()

    def set_locked(self, seat, locked: bool) -> None:
        """Lock a seat (nobody joins or submits; the firm keeps its plan) or unlock it."""
        with self.lock:
            seat.locked = bool(locked)
            if locked:
                seat.person.withdraw()
            self.note_event("lock" if locked else "unlock", seat=seat.index + 1)
            self.notify(
                seat,
                "The instructor has locked your seat: your firm keeps its plan."
                if locked
                else "The instructor has unlocked your seat: you can decide again.",
            )
            self.maybe_advance()

    def set_team(self, seat, team: bool) -> None:
        """Make the seat a team seat (its code shared by several browsers) or not."""
        with self.lock:
            seat.team = bool(team)
            self.note_event("team" if team else "single", seat=seat.index + 1)

    def new_code(self, seat) -> str:
        """Give the seat a new join code (the old one opens nothing); its browsers let go."""
        with self.lock:
            taken = {other.code for other in self.table}
            code = seat.code
            while code in taken:
                code = new_join_code()
            seat.code, seat.tokens = code, []
            self.note_event("new code", seat=seat.index + 1)
            self.write_log()
            return code

    def move(self, seat, target) -> None:
        """Move a seat's students to another firm: the target seat, with their code.

        The target must be a seat nobody holds, not locked, with a firm in the market.
        The two seats swap join codes, so the students' code (and browsers) now open the
        target; the seat they leave goes back to its bot.

        Raises:
            ValueError: for a seat nobody holds, or a target that cannot be given.
        """
        with self.lock:
            if not seat.joined:
                raise ValueError(f"seat {seat.index + 1}: nobody holds it")
            if target is seat or target.joined or target.locked:
                raise ValueError(
                    f"seat {target.index + 1}: not free (give a seat nobody holds, not locked)"
                )
            if not self.firm_of(target).alive:
                raise ValueError(f"seat {target.index + 1}: its firm has left the market")
            target.code, seat.code = seat.code, target.code
            target.members, target.student, target.tokens = seat.members, seat.student, seat.tokens
            target.joined, target.last_seen, target.team = True, time.time(), seat.team
            target.person.held = True
            seat.joined, seat.student, seat.members, seat.tokens = False, "", [], []
            seat.watching = None
            seat.person.withdraw()
            seat.person.held = False
            firm = self.firm_of(target)
            self.note_event("move", seat=seat.index + 1, target=target.index + 1)
            self.notify(
                target,
                f"The instructor has given you a new firm: {firm.name} in market "
                f"{target.market + 1}. Your join code stays the same.",
            )
            self.write_log()

    def make_analyst(self, seat, target) -> None:
        """Let a seat's students follow another firm's books read-only (None: stop)."""
        with self.lock:
            if target is not None and target is seat:
                raise ValueError("an analyst follows another seat's firm")
            seat.watching = None if target is None else target.index
            if target is None:
                self.note_event("analyst off", seat=seat.index + 1)
                return
            self.note_event("analyst", seat=seat.index + 1, target=target.index + 1)
            self.notify(
                seat,
                f"You are now an analyst of {self.firm_of(target).name} (market "
                f"{target.market + 1}): you see its books but cannot decide for it.",
            )

    def broadcast(self, text: str) -> None:
        """A message to every student and the projector (kept until they dismiss it)."""
        text = str(text).strip()[:MAX_MESSAGE_CHARACTERS]
        if not text:
            raise ValueError("message: type the text to send")
        with self.lock:
            self.messages = [
                *self.messages,
                {"id": secrets.token_hex(4), "text": text, "week": self.model.week},
            ][-MESSAGES_KEPT:]
            self.note_event("message", text=text)
