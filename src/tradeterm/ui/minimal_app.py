"""The reference for ``startup.first_frame``: the smallest Textual app (one label), started in
the same pty harness as the workstation. ``python -m tradeterm.ui.minimal_app``; q quits.
(Textual is imported in ``main`` so that importing this module leaves the engine Textual-free.)"""


def main() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Label

    class MinimalApp(App):
        BINDINGS = [("q", "quit", "Quit")]

        def compose(self) -> ComposeResult:
            yield Label("minimal app ready")

    MinimalApp().run()


if __name__ == "__main__":
    main()
