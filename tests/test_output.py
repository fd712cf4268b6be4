"""guardrail/commands/output.py: piped tables keep whole lines; progress bars only for runs over a second."""

from __future__ import annotations

import time

import pytest

from guardrail.commands import output


def test_piped_console_is_wide_and_a_terminal_keeps_its_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    assert output.console().width == output.PIPE_WIDTH  # pytest captures stdout: a pipe
    monkeypatch.setenv("COLUMNS", "100")
    assert output.console().width == 100


def test_progress_appears_only_after_the_delay_and_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    with output.LateProgress("work", 3, after=0.2) as bar:  # not a terminal: never a bar
        time.sleep(0.25)
        bar.advance()
        assert bar._bar is None
    monkeypatch.setattr(output, "_is_tty", lambda _stream: True)
    with output.LateProgress("work", 3, after=0.2) as bar:
        bar.advance()
        assert bar._bar is None  # a quick start shows nothing
        time.sleep(0.25)
        bar.advance()
        assert bar._bar is not None and bar._bar.tasks[0].completed == 2
        bar.advance()
        assert bar._bar.tasks[0].completed == 3
