"""The replay transport and navigation keys, composed into the app (``app.replay_keys``): play /
pause, speed, step, next trade, next order event, go to a time / fill / order, previous / next
fill, order event, large trade and bookmark, set a bookmark and list them. A key the replay
cannot follow (nothing there, a time after the end) is refused on the command line, saying why,
and the replay stays where it is. A seek back in a --paper replay that would discard paper
trades made after the target asks first (``ConfirmScreen``): yes goes back, discarding them (the
run's journal keeps them as a branch), no stays."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding

from tradeterm.record.replay_time import parse_time, say_time, span
from tradeterm.ui.screens.bookmarks import BookmarkNameScreen, BookmarksScreen
from tradeterm.ui.screens.confirm import ConfirmScreen
from tradeterm.ui.screens.replay_goto import GotoTimeScreen

if TYPE_CHECKING:
    from tradeterm.record.bookmarks import Bookmark
    from tradeterm.record.replay_navigation import ReplayNavigator
    from tradeterm.record.replayer import ReplayVenue
    from tradeterm.ui.app import TradetermApp

REFUSABLE = ("step_to_order_event",)  # controls that answer False when they cannot be done


def _nav(key: str, name: str, title: str, show: bool = False) -> Binding:
    return Binding(key, f"replay_key('{name}')", title, show=show, id=f"replay.{name}")


# shown only in a replay (``TradetermApp.check_action``)
BINDINGS = [
    Binding("space", "replay('toggle_pause')", "Play/Pause", id="replay.play_pause"),
    Binding("plus,equals_sign", "replay('faster')", "Faster", key_display="+", id="replay.faster"),
    Binding("minus", "replay('slower')", "Slower", key_display="-", id="replay.slower"),
    Binding("full_stop", "replay('step')", "Step", key_display=".", id="replay.step"),
    Binding("n", "replay('step_to_trade')", "Next trade", id="replay.next_trade"),
    Binding("o", "replay('step_to_order_event')", "Next order evt", id="replay.next_order"),
    Binding("g", "replay_key('goto')", "Go to", id="replay.goto"),
    _nav("O", "prev_order", "Previous order event"),
    _nav("d", "next_fill", "Next fill (deal)"),
    _nav("D", "prev_fill", "Previous fill"),
    _nav("v", "next_large_trade", "Next large trade"),
    _nav("V", "prev_large_trade", "Previous large trade"),
    _nav("M", "bookmark", "Set bookmark"),
    _nav("apostrophe", "next_bookmark", "Next bookmark"),
    _nav("quotation_mark", "prev_bookmark", "Previous bookmark"),
    _nav("L", "bookmarks", "Bookmarks"),
]
NAVIGATION = {  # binding name -> ReplayNavigator method
    "prev_order": "prev_order_event",
    "next_fill": "next_fill",
    "prev_fill": "prev_fill",
    "next_large_trade": "next_large_trade",
    "prev_large_trade": "prev_large_trade",
    "next_bookmark": "next_bookmark",
    "prev_bookmark": "prev_bookmark",
}


class ReplayKeys:
    def __init__(self, app: TradetermApp) -> None:
        self.app = app

    @property
    def replay(self) -> ReplayVenue | None:
        return self.app.kernel.replay

    @property
    def navigator(self) -> ReplayNavigator | None:
        replay = self.replay
        return replay.navigator if replay is not None else None

    def control(self, name: str) -> None:
        replay = self.replay
        if replay is None:
            return
        done = getattr(replay, name)()
        if name in REFUSABLE and done is False:
            self.app.cmdline.say(f"✗ {replay.state.message}", False)
        self.app.panes[0].refresh_view()

    async def key(self, name: str) -> None:
        """A navigation key (``replay_key``): go-to, previous / next, bookmarks (a modal is open
        before the app reads the next key, so what is typed straight after ``g`` or ``M`` is the
        modal's: ``ui/typed_keys.py``)."""
        nav = self.navigator
        if nav is None:
            return
        method = NAVIGATION.get(name)
        if method is None:
            await getattr(self, name)()
            return
        if not getattr(nav, method)():
            self.refused(nav.replay)
        self.app.panes[0].refresh_view()

    def refused(self, replay: ReplayVenue) -> None:
        """The replay did not go: a seek back waiting for a yes asks it (once the screen that
        asked for the seek has closed); anything else says why on the command line."""
        if replay.offer is not None:
            self.app.call_later(self.ask_discard)
        else:
            self.app.cmdline.say(f"✗ {replay.state.message}", False)

    def ask_discard(self) -> None:
        """Ask before a seek back discards paper trades (``ReplayTransport.offer``)."""
        replay = self.replay
        offer = replay.offer if replay is not None else None
        if replay is None or offer is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                if not replay.take_offer():
                    self.app.cmdline.say(f"✗ {replay.state.message}", False)
                else:  # the message line still showed the last order of the discarded branch
                    self.app.cmdline.say(f"✓ {offer.summary}", True)
            else:
                replay.decline_offer()
                self.app.cmdline.say(replay.state.message, True)
            self.app.panes[0].refresh_view()

        self.app.push_screen(ConfirmScreen("Go back in the replay", offer.question), answered)

    async def goto(self) -> None:
        """``g``: a modal asks for the time, fill or order; one that cannot be gone to is
        refused in the modal (the typed text stays, to correct it)."""
        replay = self.replay
        if replay is None:
            return

        def where() -> str:
            state = replay.state
            now = say_time(replay.now_ns, state.start_ns)
            return f"recording {span(state.start_ns, state.end_ns)}; now {now}"

        await self.app.push_screen(GotoTimeScreen(where, self.go))

    def go(self, text: str) -> str | None:
        """Go to ``text`` (a fill, an order, else a time): None when the replay goes there,
        else why not."""
        replay, nav = self.replay, self.navigator
        if replay is None:
            return "not a replay"
        state = replay.state
        went = nav.go(text) if nav is not None else None
        if went is None:
            try:
                target = parse_time(text, state.start_ns, state.end_ns, replay.now_ns)
            except ValueError as exc:
                return str(exc)
            went = replay.seek(target)
        if not went and replay.offer is not None:  # asked once this modal has closed
            self.refused(replay)
        elif not went:
            return state.message
        self.app.panes[0].refresh_view()
        return None

    # --- bookmarks ---------------------------------------------------------------------------
    async def bookmark(self) -> None:
        """``M``: name a bookmark at the replay's clock (Enter keeps the default name)."""
        nav = self.navigator
        if nav is None:
            return
        replay = nav.replay
        position, now = replay.position, replay.now_ns
        at = say_time(now, replay.state.start_ns)

        def named(name: str | None) -> None:
            if name is None:
                return
            try:
                mark = nav.set_bookmark(name, position, now)
            except OSError as exc:
                self.app.cmdline.say(f"✗ bookmark not kept: {exc}", False)
                return
            self.app.cmdline.say(f"bookmark {mark.name!r} at {at}", True)

        await self.app.push_screen(
            BookmarkNameScreen(f"Bookmark at {at}", nav.bookmarks.default_name()), named
        )

    async def bookmarks(self) -> None:
        """``L``: the recording's bookmarks: go to one, rename, delete."""
        nav = self.navigator
        if nav is None:
            return
        start = nav.replay.state.start_ns
        await self.app.push_screen(
            BookmarksScreen(nav.bookmarks, lambda ts: say_time(ts, start), self.go_to_bookmark)
        )

    def go_to_bookmark(self, mark: Bookmark) -> None:
        nav = self.navigator
        if nav is not None and not nav.go_to_bookmark(mark):
            self.refused(nav.replay)
        self.app.panes[0].refresh_view()
