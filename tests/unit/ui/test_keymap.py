"""``[ui.keys]`` and ``ui.theme`` are checked before the workstation starts (issue 13.17):
``config check`` accepted an unknown binding id, ``"app.quit" = "b"`` (Textual then silently
took ``b`` from buy-at-cursor) and ``theme = "nope"``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tradeterm.config import ConfigError, load_settings
from tradeterm.ui import keymap
from tradeterm.ui.config_check import problems, require_valid


def test_the_default_bindings_have_no_clash():
    assert keymap.problems({}) == []
    scope_names = [s.name for s in keymap.scopes()]
    assert scope_names[0] == "workstation" and "ConfirmScreen" in scope_names
    panes = [name for name, _ in keymap.scopes()[0].panes]
    assert {"Ladder", "OrdersBlotter"} <= set(panes)


@pytest.mark.parametrize(
    ("keys", "reason"),
    [
        ({"app.qiut": "x"}, r'"app.qiut": no key binding has this id \(did you mean app.quit\?'),
        ({"app.quit": "b"}, r'"app.quit": "b" is already the key of order.buy_at_cursor'),
        ({"app.help": "x", "app.quit": "x"}, r'"x" is already the key of app.quit'),
        ({"ladder.centre": "t"}, r'"t" is already the key of order.ticket .* in the Ladder'),
        ({"orders.cancel": "ctrl+k"}, r'"ctrl\+k" is already the key of risk.kill_switch'),
        ({"order.cancel_all": "ctrl+q"}, r"already Textual's quit key"),
        ({"order.ticket": "ctrl+p"}, r"already Textual's command palette key"),
        ({"confirm.yes": "n"}, r'"n" is already the key of confirm.no .* in ConfirmScreen'),
        ({"app.quit": "ctrl+nope"}, r"'ctrl\+nope' is not a key name"),
        ({"app.quit": "hyperspace+q"}, r"is not a key: modifiers are"),
        ({"app.quit": " "}, r"give one or more keys"),
    ],
)
def test_a_remap_that_cannot_be_meant_is_refused_with_the_reason(keys, reason):
    found = keymap.problems(keys)
    assert found, keys
    assert any(__import__("re").search(reason, p) for p in found), found


@pytest.mark.parametrize(
    "keys",
    [
        {"order.buy_at_cursor": "Y", "app.quit": "b"},  # b moved away first: free to take
        {"app.help": "?"},  # a character: Textual's name for it is question_mark
        {"ticket.close": "q"},  # a modal's keys are its own
        {"ladder.centre": "home", "app.quit": "ctrl+w,f10"},
        {"ladder.cursor_up": "w", "orders.up": "w"},  # two panes: never focused at once
    ],
)
def test_remaps_that_can_be_meant_pass(keys):
    assert keymap.problems(keys) == []


def test_a_character_is_handed_to_textual_by_its_key_name():
    assert keymap.normalised({"app.help": "?", "app.quit": "q, ctrl+q"}) == {
        "app.help": "question_mark",
        "app.quit": "q,ctrl+q",
    }


def test_the_theme_must_exist(tmp_path):
    settings = load_settings(ui={"theme": "nope"})
    assert any(
        "ui.theme: no theme 'nope'; choose one of" in p and "tradeterm-light" in p
        for p in problems(settings)
    )
    assert problems(load_settings(ui={"theme": "tradeterm-light"})) == []
    themes = tmp_path / "data" / "themes"  # the user's own theme file counts
    themes.mkdir(parents=True)
    (themes / "mine.toml").write_text('name = "mine"\nprimary = "#123456"\n')
    assert problems(load_settings(data_dir=str(tmp_path / "data"), ui={"theme": "mine"})) == []


def test_require_valid_raises_one_config_error_naming_every_problem():
    with pytest.raises(ConfigError) as err:
        require_valid(load_settings(ui={"theme": "nope", "keys": {"app.quit": "b"}}))
    text = str(err.value)
    assert 'ui.keys."app.quit"' in text and "ui.theme" in text


def _tradeterm(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tradeterm", *argv], capture_output=True, text=True, timeout=60
    )


def test_config_check_and_the_tui_start_refuse_them_with_exit_2(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[ui]\ntheme = "nope"\n[ui.keys]\n"app.quit" = "b"\n"no.such" = "x"\n')
    for argv in (
        ["config", "check", str(path)],
        ["paper", "--config", str(path)],
        ["serve", "--config", str(path), "--port", "0"],
    ):
        out = _tradeterm(*argv)
        assert out.returncode == 2, (argv, out.stderr)
        for part in (
            'ui.keys."app.quit": "b" is already the key of order.buy_at_cursor',
            'ui.keys."no.such": no key binding has this id',
            "ui.theme: no theme",
        ):
            assert part in out.stderr, (argv, out.stderr)
        assert "Traceback" not in out.stderr
    # a headless run has no screen: the [ui] section does not stop it
    out = _tradeterm(
        "--fast", "--seconds", "1", "--seed", "1", "--no-record", "--json", "--config", str(path)
    )
    assert out.returncode == 0, out.stderr
