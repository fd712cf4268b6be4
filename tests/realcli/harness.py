"""Run the real `claude -p` (pinned in package.json) against the fake Messages API.

One call = one headless session in a throwaway HOME and project dir, with an environment
built from nothing (like `env -i`), so the developer's own ~/.claude, API key and proxies can
never leak in. The result bundles everything a test may assert on: the stream-json lines,
the requests the CLI sent (the next request after a tool call carries its tool_result), and
guardrail's audit records.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from .fake_api import FakeMessagesAPI, Recorded, Step, ToolUse, tool_result_text, tool_use_id

REPO = Path(__file__).resolve().parents[2]
CLAUDE = REPO / "node_modules" / ".bin" / "claude"
PINNED_VERSION = "2.1.337"


@dataclass
class ToolResult:
    is_error: bool
    text: str


@dataclass
class Run:
    returncode: int
    events: list[dict[str, Any]]
    stderr: str
    requests: list[Recorded]
    unknown_requests: list[Recorded]
    audit: list[dict[str, Any]]
    elapsed_s: float
    tool_ids: list[str] = field(default_factory=list)
    _api: FakeMessagesAPI | None = None

    def tool_result(self, tool_id: str | None = None) -> ToolResult | None:
        """The tool_result the CLI sent back for a scripted call (default: the last one)."""
        assert self._api is not None
        tool_id = tool_id or (self.tool_ids[-1] if self.tool_ids else None)
        block = self._api.tool_result(tool_id) if tool_id else None
        if block is None:
            return None
        return ToolResult(bool(block.get("is_error")), tool_result_text(block))

    @property
    def result(self) -> dict[str, Any] | None:
        """The stream-json `result` line (permission_denials, stop_reason, is_error)."""
        for ev in reversed(self.events):
            if ev.get("type") == "result":
                return ev
        return None

    def permission_decision(self, tool_id: str) -> dict[str, Any] | None:
        """Who decided a call, from the stream-json `tool_result_meta` (2.1.330): e.g.
        {"decision": "reject", "source": "hook", ...}; source "config" = Claude Code's own rules."""
        for ev in self.events:
            if ev.get("type") != "user":
                continue
            for meta in ev.get("tool_result_meta") or []:
                if isinstance(meta, dict) and meta.get("id") == tool_id:
                    return meta.get("permission_decision")
        return None

    def hook_responses(self, event: str | None = None) -> list[dict[str, Any]]:
        """`system`/`hook_response` lines (from --include-hook-events), optionally for one hook event."""
        out = []
        for ev in self.events:
            if ev.get("type") == "system" and ev.get("subtype") == "hook_response":
                if event is None or ev.get("hook_event") == event or str(ev.get("hook_name", "")).startswith(event):
                    out.append(ev)
        return out

    def audit_for(self, tool_id: str, event: str | None = None) -> list[dict[str, Any]]:
        """Audit records for one tool_use_id (found anywhere in the record), optionally one event."""
        return [r for r in self.audit if r.get("tool_use_id") == tool_id and (event is None or r.get("event") == event)]

    def describe(self) -> str:
        """Everything useful when an assertion fails."""
        lines = [f"returncode={self.returncode} elapsed={self.elapsed_s:.1f}s"]
        lines.append("-- stream-json --")
        for e in self.events:
            if e.get("subtype") == "init":  # long tool/skill lists: keep the useful head only
                e = {k: e.get(k) for k in ("type", "subtype", "cwd", "permissionMode", "claude_code_version", "plugins")}
            lines.append(json.dumps(e)[:1500])
        lines += ["-- stderr --", self.stderr[-3000:]]
        lines += ["-- audit --"] + [json.dumps(r)[:1500] for r in self.audit]
        if self.unknown_requests:
            lines += ["-- unknown requests --"] + [f"{r.method} {r.path}" for r in self.unknown_requests]
        return "\n".join(lines)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Parse a JSONL file, skipping blank or torn lines."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict):
            out.append(obj)
    return out


def base_env(home: Path, api_url: str, *, audit_log: Path, root_bypass: bool = False) -> dict[str, str]:
    """A minimal environment: nothing inherited except PATH (so git/sqlite3/node resolve)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "ANTHROPIC_BASE_URL": api_url,
        "ANTHROPIC_API_KEY": "sk-ant-dummy-realcli-0000000000000000",
        "DISABLE_TELEMETRY": "1",
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_ERROR_REPORTING": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        # The interpreter running the tests has guardrail and its dependencies installed.
        "GUARDRAIL_PYTHON": sys.executable,
        "GUARDRAIL_AUDIT_LOG": str(audit_log),
        # Keep intent state out of the developer's ~/.local/state.
        "XDG_STATE_HOME": str(home / ".local" / "state"),
    }
    if root_bypass:
        env["IS_SANDBOX"] = "1"  # bypassPermissions refuses to start as root without it
    return env


def run_claude(
    prompt: str,
    script: Sequence[Step],
    *,
    project: Path,
    home: Path,
    plugin_dir: Path | None = REPO,
    settings: Path | str | None = None,
    permission_mode: str | None = None,
    extra_args: Sequence[str] = (),
    extra_env: dict[str, str | None] | None = None,
    timeout: float = 90.0,
    final_text: str = "Done.",
    agents: dict[str, list[Step]] | None = None,
) -> Run:
    """Run one headless session; never raises on a non-zero exit (tests assert on Run)."""
    home.mkdir(parents=True, exist_ok=True)
    project.mkdir(parents=True, exist_ok=True)
    audit_log = home / "guardrail-audit.jsonl"
    tool_ids = [t.id or tool_use_id(i) for i, t in enumerate(script) if isinstance(t, ToolUse)]
    with FakeMessagesAPI(list(script), final_text=final_text, agents=dict(agents or {})) as api:
        env = base_env(
            home,
            api.url,
            audit_log=audit_log,
            root_bypass=permission_mode == "bypassPermissions" and hasattr(os, "geteuid") and os.geteuid() == 0,
        )
        for key, value in (extra_env or {}).items():  # None removes a variable
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        argv = [str(CLAUDE), "-p", prompt, "--output-format", "stream-json", "--verbose", "--include-hook-events"]
        if plugin_dir is not None:
            argv += ["--plugin-dir", str(plugin_dir)]
        if settings is not None:
            argv += ["--settings", str(settings)]
        if permission_mode is not None:
            argv += ["--permission-mode", permission_mode]
        argv += list(extra_args)
        started = time.monotonic()
        try:
            proc = subprocess.run(
                argv,
                cwd=project,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
            rc, out, err = proc.returncode, proc.stdout, proc.stderr
        except subprocess.TimeoutExpired as exc:
            rc = -9
            out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
            err = (exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")) + f"\n[harness] timed out after {timeout}s"
        elapsed = time.monotonic() - started
        events = []
        for line in out.splitlines():
            try:
                obj = json.loads(line)
            except ValueError:
                obj = {"type": "_unparsed", "text": line}
            if isinstance(obj, dict):
                events.append(obj)
        return Run(
            returncode=rc,
            events=events,
            stderr=err,
            requests=list(api.requests),
            unknown_requests=list(api.unknown),
            audit=read_jsonl(audit_log),
            elapsed_s=elapsed,
            tool_ids=tool_ids,
            _api=api,
        )


@dataclass
class Sandbox:
    """A temp HOME and project dir; `run` drives one headless session in them."""

    home: Path
    project: Path
    on_run: Callable[[Run], None] = lambda run: None

    def run(self, prompt: str, script: Sequence[Step], **kw: Any) -> Run:
        r = run_claude(prompt, script, project=self.project, home=self.home, **kw)
        self.on_run(r)
        return r

    # -- real resources --------------------------------------------------------------------
    def make_sqlite(self, name: str = "app.db") -> Path:
        """A real SQLite file with a users table holding three rows."""
        path = self.project / name
        with closing(sqlite3.connect(path)) as db, db:
            db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL)")
            db.executemany("INSERT INTO users (email) VALUES (?)", [("a@example.com",), ("b@example.com",), ("c@example.com",)])
        return path

    def make_git_repo(self) -> Path:
        """A real git repo with one commit and an uncommitted change to a tracked file."""
        git = ["git", "-c", "user.name=guardrail-test", "-c", "user.email=test@example.invalid", "-c", "init.defaultBranch=main"]
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(self.home), "GIT_CONFIG_NOSYSTEM": "1"}
        run = lambda *a: subprocess.run([*git, *a], cwd=self.project, env=env, check=True, capture_output=True)  # noqa: E731
        run("init", "-q")
        (self.project / "notes.txt").write_text("committed\n")
        run("add", "notes.txt")
        run("commit", "-q", "-m", "init")
        (self.project / "notes.txt").write_text("committed\nUNCOMMITTED WORK\n")
        return self.project


def table_rows(db: Path, table: str = "users") -> int | None:
    """Row count, or None when the table is gone."""
    with closing(sqlite3.connect(db)) as conn:
        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone()
        if not exists:
            return None
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
