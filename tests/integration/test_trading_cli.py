"""The trading session from a second shell: kill, status, rearm; hangup and SIGTERM; one
session per data dir; seeded quoting sessions are reproducible."""

import json
import re
import signal

from tests.integration.sessions import (
    start_session,
    status,
    tradeterm,
    wait_for_fills,
    wait_until_trading,
)

QUOTING = ("--quoter", "placeholder", "--activity", "busy", "--seconds", "60")


def test_kill_from_another_process_halts_the_session_and_survives_a_restart(tmp_path):
    data = tmp_path / "data"
    session = start_session(data, *QUOTING)
    try:
        wait_until_trading(data, session)
        out = tradeterm(data, "kill", "--reason", "risk desk says stop")
        assert out.returncode == 0, out.stderr
        assert "is HALTED" in out.stdout
        assert "halt marker" in out.stdout and (data / "tradeterm.db.HALTED").exists()
        ms = float(re.search(r"in ([\d.]+) ms", out.stdout).group(1))
        assert ms < 1000  # the round trip; the session applied the trip before answering
        answer = wait_until_trading(data, session, working=False)
        assert answer["state"] == "HALTED" and answer["reason"] == "risk desk says stop"
        assert answer["working_orders"] == 0  # the quoter's orders were canceled
        session.send_signal(signal.SIGTERM)
        assert session.wait(timeout=20) == 0
    finally:
        session.kill()
    assert "trading HALTED (risk desk says stop)" in (data / "session.out").read_text()
    again = tradeterm(data, "paper", "--headless", "--seconds", "1", "--json")
    assert again.returncode == 0, again.stderr
    trading = json.loads(again.stdout)["trading"]
    assert trading["trading_state"] == "HALTED"
    assert trading["trading_state_reason"] == "risk desk says stop"
    rearm = tradeterm(data, "rearm", "--reason", "")
    assert rearm.returncode == 2 and "--reason" in rearm.stderr
    rearm = tradeterm(data, "rearm", "--reason", "reviewed, resume")
    assert rearm.returncode == 0 and "marked ACTIVE" in rearm.stdout
    assert "halt marker" in rearm.stdout and "is cleared" in rearm.stdout
    assert not (data / "tradeterm.db.HALTED").exists()
    assert status(data)["trading_state"] == "ACTIVE"


def test_rearm_of_a_running_session_clears_the_halt_marker(tmp_path):
    data = tmp_path / "data"
    session = start_session(data, "--seconds", "60")
    try:
        wait_until_trading(data, session, working=False)
        assert tradeterm(data, "kill", "--reason", "lunch").returncode == 0
        assert (data / "tradeterm.db.HALTED").exists()
        assert status(data)["trading_state"] == "HALTED"
        out = tradeterm(data, "rearm", "--reason", "back")
        assert out.returncode == 0, out.stderr
        assert "is ACTIVE" in out.stdout and "halt marker" in out.stdout
        assert not (data / "tradeterm.db.HALTED").exists()
        assert status(data)["trading_state"] == "ACTIVE"
        session.send_signal(signal.SIGTERM)
        assert session.wait(timeout=20) == 0
    finally:
        session.kill()


def test_kill_without_a_session_marks_the_store(tmp_path):
    empty = status(tmp_path)
    assert empty["trading_state"] == "ACTIVE" and not empty["session_running"]
    assert empty["positions"] == [] and empty["working_orders"] == [] and empty["fills"] == []
    out = tradeterm(tmp_path, "kill")
    assert out.returncode == 0 and "store is marked HALTED" in out.stdout
    report = status(tmp_path)
    assert report["trading_state"] == "HALTED" and report["trading_state_source"] == "cli"


def test_hangup_halts_and_cancels_and_sigterm_stops_cleanly(tmp_path):
    data = tmp_path / "data"
    session = start_session(data, *QUOTING)
    try:
        wait_until_trading(data, session)
        wait_for_fills(data, session)  # so the fills survive the hang-up below
        session.send_signal(signal.SIGHUP)
        answer = None
        for _ in range(100):
            answer = wait_until_trading(data, session, working=False)
            if answer["state"] == "HALTED":
                break
        assert answer["state"] == "HALTED" and answer["working_orders"] == 0
        assert "hung up" in answer["reason"]
        second = tradeterm(data, "paper", "--headless", "--seconds", "1")
        assert second.returncode == 2 and "another tradeterm session" in second.stderr
        assert "Traceback" not in second.stderr
        session.send_signal(signal.SIGTERM)
        assert session.wait(timeout=20) == 0
    finally:
        session.kill()
    report = status(data)
    assert report["trading_state"] == "HALTED" and report["working_orders"] == []
    assert not report["session_running"]
    assert report["fills"] and report["positions"]
    for fill in report["fills"]:
        assert set(fill) >= {"id", "instrument", "side", "qty", "price", "ts"}
    text = tradeterm(data, "status", "--fills")
    assert "trading HALTED" in text.stdout and report["fills"][0]["id"] in text.stdout


def test_second_shell_commands_explain_an_unusable_data_dir(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    for args in (("status",), ("kill",), ("rearm", "--reason", "x")):
        out = tradeterm(blocker / "sub", *args)
        assert out.returncode == 2, (args, out.stderr)
        assert "cannot open the store" in out.stderr and "Traceback" not in out.stderr
