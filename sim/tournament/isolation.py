"""A tournament game in a watched child process, killed hard when an entrant hangs.

The referee's alarm (``SIGALRM``) interrupts a slow decision, and ``sys.exit`` in an
entrant is caught; neither holds against an entrant that catches every exception in a
loop, or calls ``os._exit``. So a game with entrants from outside this package runs in
a child process that tells its parent before and after each call of an entrant
(``seat``, the entrant's call number, the method). The parent kills the child
(``SIGKILL``) when a call runs past the time limit plus a grace period, and notes a
child that dies during a call. Either way the game is played again from its start with
that entrant disqualified at that call, for the reason the referee would have given.
Games are deterministic for a seed, so the replay follows the first attempt up to that
call and then goes on exactly as when the referee disqualifies an entrant itself: a
well-behaved entrant's results are the same bytes with or without a child process.
:func:`play_game` is what the tournament runner calls: here, or in a child process
when an entrant is not one of this package's own strategies.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
import warnings

from sim.strategies.user_code import real_exit
from sim.tournament.game import GameOutput, GameTask, play_game_here, too_slow

PACKAGE = "sim."
LIFELINE_THREAD = "driver-watch"
GRACE_SECONDS = 1.0  # beyond the time limit, before the child is killed


def needs_isolation(task: GameTask) -> bool:
    """Whether some entrant of the game is not one of this package's own strategies."""
    from sim.strategies.registry import resolve_strategy

    for _, entrant in task.seats:
        strategy = task.entrants[entrant][0]
        try:
            module = resolve_strategy(strategy).__module__
        except Exception:  # resolved (and reported) again in the child
            return True
        if not module.startswith(PACKAGE):
            return True
    return False


def hard_limit(time_limit: float) -> float:
    """Seconds a call may run before its child process is killed."""
    return time_limit + max(GRACE_SECONDS, 0.5 * time_limit)


def _die_with_parent() -> None:
    """End this process when its parent is gone (a killed worker orphans no game)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        real_exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _child(connection, task: GameTask, forced: dict) -> None:
    """The child's side: play the game, reporting each entrant call, send the output."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the driver handles Ctrl-C
    _die_with_parent()

    def watch(seat, call, method) -> None:
        connection.send(("call", seat, call, method))

    output = play_game_here(task, watch=watch, forced=forced)
    connection.send(("done", output))
    connection.close()


def _context():
    """Fork where it is safe; the preloaded fork server otherwise.

    Forking is safe when no other thread could hold a lock: the only other thread
    allowed is a pool worker's lifeline (``sim.experiments.lifeline``), which holds none.
    """
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and all(t.name == LIFELINE_THREAD for t in others):
        return multiprocessing.get_context("fork")
    from sim.experiments.executors import PRELOAD, process_context

    context = process_context()
    if "forkserver" in methods:
        context.set_forkserver_preload([*PRELOAD, __name__])
    return context


def _attempt(task: GameTask, forced: dict) -> GameOutput | tuple[str, int, str]:
    """Play once in a child; the output, or ``(seat, call, reason)`` for an offender."""
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, task, forced), name=f"game-{task.game_id}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with a lifeline thread
        child.start()
    sender.close()
    limit = hard_limit(task.time_limit)
    current = None  # (seat, call, method, started) while an entrant is called
    try:
        while True:
            wait = None if current is None else max(0.0, current[3] + limit - time.monotonic())
            if not receiver.poll(wait):
                seat, call, method, _ = current
                return seat, call, too_slow(method, task.time_limit)
            try:
                message = receiver.recv()
            except (EOFError, OSError):
                child.join(5)
                if current is None:
                    return GameOutput(
                        task.game_id,
                        error=f"the game's process ended with status {child.exitcode} "
                        "outside any entrant's call",
                    )
                seat, call, method, _ = current
                return seat, call, f"ended the game's process in {method}"
            if message[0] == "done":
                return message[1]
            _, seat, call, method = message
            current = None if seat is None else (seat, call, method, time.monotonic())
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()


def play_isolated(task: GameTask) -> GameOutput:
    """Play a game in a watched child process, replaying it without each offender.

    Returns:
        The game's output, as :func:`~sim.tournament.game.play_game_here` gives it,
        with every entrant that hung or ended the process disqualified.
    """
    started = time.perf_counter()
    forced: dict[str, tuple[int, str]] = {}
    for _ in range(len(task.seats) + 1):
        outcome = _attempt(task, forced)
        if isinstance(outcome, GameOutput):
            outcome.seconds = time.perf_counter() - started
            return outcome
        seat, call, reason = outcome
        if seat in forced:  # cannot happen: a forced call is never made
            break
        forced[seat] = (call, reason)
    return GameOutput(task.game_id, error="the game could not be finished without its offenders")


def play_game(task: GameTask) -> GameOutput:
    """Play one game; in a watched child process when an entrant is not built in.

    See :func:`~sim.tournament.game.play_game_here` for the output.
    """
    if needs_isolation(task):
        return play_isolated(task)
    return play_game_here(task)
