"""Writes Claude Code transcripts (JSONL) line for line in the shapes recorded from 2.1.330 (and 2.1.39).

Line shapes are copied from /work/shared/transcripts/recorded-2.1.330/*.jsonl and marot-spotter/*.jsonl:
typed prompts, sdk prompts, assistant tool_use + user tool_result (with toolUseResult), attachments,
task notifications (tagged and untagged), sidechain prompts, isMeta skill bodies, compact summaries,
local-command output, interrupt markers, last-prompt and system lines.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

T0 = datetime(2026, 11, 23, 20, 8, 34, tzinfo=timezone.utc)


class Session:
    def __init__(self, session_id: str | None = None, *, cwd: str = "/home/dev/project", version: str = "2.1.330",
                 entrypoint: str = "cli") -> None:
        self.session_id = session_id or str(uuid.uuid4())
        self.cwd = cwd
        self.version = version
        self.entrypoint = entrypoint
        self.lines: list[Any] = []
        self.parent: str | None = None
        self.prompt_id: str | None = None
        self.clock = T0
        self.n = 0
        self.human_prompts: list[tuple[str, str, float]] = []  # (prompt_id, text, when)

    @property
    def _version(self) -> tuple[int, ...]:
        return tuple(int(x) for x in self.version.split("."))

    @property
    def has_prompt_ids(self) -> bool:  # promptId since 2.1.196
        return self._version >= (2, 1, 196)

    @property
    def tags_origin(self) -> bool:  # promptSource/turnOrigin/origin as recorded with 2.1.330
        return self._version >= (2, 1, 300)

    # ------------------------------------------------------------------ helpers
    def _ts(self) -> str:
        self.clock += timedelta(seconds=3)
        return self.clock.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.clock.microsecond // 1000:03d}Z"

    def _common(self) -> dict[str, Any]:
        return {"userType": "external", "entrypoint": self.entrypoint, "cwd": self.cwd, "sessionId": self.session_id,
                "version": self.version, "gitBranch": "HEAD"}

    def _add(self, obj: dict[str, Any]) -> str:
        u = str(uuid.uuid4())
        obj.setdefault("uuid", u)
        self.lines.append(obj)
        self.parent = obj["uuid"]
        return obj["uuid"]

    # ------------------------------------------------------------------ line kinds
    def human(self, text: str, *, sdk: bool = False) -> str:
        """A typed prompt (interactive: promptSource typed / turnOrigin human / origin.kind human; -p: sdk)."""
        self.prompt_id = str(uuid.uuid4())
        ts = self._ts()
        self.lines.append({"type": "queue-operation", "operation": "enqueue", "timestamp": ts,
                           "sessionId": self.session_id, "content": text})
        line: dict[str, Any] = {"parentUuid": self.parent, "isSidechain": False, "promptId": self.prompt_id,
                                "type": "user", "message": {"role": "user", "content": text}, "timestamp": ts,
                                "permissionMode": "default"}
        if self.tags_origin:
            if sdk:
                line.update({"promptSource": "sdk", "turnOrigin": "sdk"})
            else:
                line.update({"origin": {"kind": "human"}, "promptSource": "typed", "turnOrigin": "human"})
            line["turnPosition"] = {"promptIndex": len(self.human_prompts), "turnIndex": 1}
        if not self.has_prompt_ids:
            del line["promptId"]
        line.update(self._common())
        self._add(line)
        self._attachment()
        when = self.clock.timestamp()
        self.human_prompts.append((self.prompt_id, text, when))
        return self.prompt_id

    def _attachment(self) -> None:
        self._add({"parentUuid": self.parent, "isSidechain": False,
                   "attachment": {"type": "environment", "snapshot": {"workingDirectory": self.cwd, "isGitRepo": True}},
                   "type": "attachment", "timestamp": self._ts(),
                   "rendered": [{"content": "<system-reminder>\n# Environment\n</system-reminder>"}]})

    def tool(self, name: str, tool_input: dict[str, Any], result: Any, *, is_error: bool = False,
             tool_use_result: Any = None) -> str:
        """An assistant tool_use line and the user tool_result line answering it."""
        self.n += 1
        tid = f"toolu_fake_{self.n:02d}_{uuid.uuid4().hex[:12]}"
        self._add({"parentUuid": self.parent, "isSidechain": False,
                   "message": {"id": f"msg_fake_{uuid.uuid4().hex[:16]}", "type": "message", "role": "assistant",
                               "model": "claude-opus-5-5",
                               "content": [{"type": "tool_use", "id": tid, "name": name, "input": tool_input}],
                               "stop_reason": "tool_use", "stop_sequence": None},
                   "type": "assistant", "timestamp": self._ts(), **self._common()})
        block: dict[str, Any] = {"tool_use_id": tid, "type": "tool_result", "content": result}
        if is_error:
            block["is_error"] = True
        self._add({"parentUuid": self.parent, "isSidechain": False, "promptId": self.prompt_id, "type": "user",
                   "message": {"role": "user", "content": [block]}, "timestamp": self._ts(),
                   "toolUseResult": tool_use_result if tool_use_result is not None else {"stdout": str(result)[:200],
                                                                                           "stderr": "",
                                                                                           "interrupted": False},
                   "sourceToolAssistantUUID": self.parent,
                   "permissionDecision": {"decision": "accept", "source": "hook", "reasonType": "hook"},
                   **self._common()})
        return tid

    def read_file(self, path: str, content: str) -> None:
        numbered = "\n".join(f"{i + 1}\t{line}" for i, line in enumerate(content.splitlines()))
        self.tool("Read", {"file_path": path}, numbered,
                  tool_use_result={"type": "text", "file": {"filePath": path, "content": content,
                                                            "numLines": content.count("\n") + 1}})

    def web_fetch(self, url: str, text: str) -> None:
        self.tool("WebFetch", {"url": url, "prompt": "summarise"}, text,
                  tool_use_result={"bytes": len(text), "code": 200, "result": text, "url": url})

    def assistant_text(self, text: str) -> None:
        self._add({"parentUuid": self.parent, "isSidechain": False,
                   "message": {"id": f"msg_fake_{uuid.uuid4().hex[:16]}", "type": "message", "role": "assistant",
                               "model": "claude-opus-5-5", "content": [{"type": "text", "text": text}],
                               "stop_reason": "end_turn"},
                   "type": "assistant", "timestamp": self._ts(), **self._common()})

    def task_notification(self, summary: str, *, tagged: bool = True) -> None:
        """A background task finished: 2.1.330 tags the turn; 2.1.39 files mark it only by text."""
        text = (f"<task-notification>\n<task-id>bfu9fzw0h</task-id>\n<tool-use-id>toolu_fake_04</tool-use-id>\n"
                f"<status>completed</status>\n<summary>{summary}</summary>\n</task-notification>")
        line: dict[str, Any] = {"parentUuid": self.parent, "isSidechain": False, "promptId": str(uuid.uuid4()),
                                "type": "user", "message": {"role": "user", "content": text},
                                "timestamp": self._ts(), "permissionMode": "default"}
        if not self.has_prompt_ids:
            del line["promptId"]
        if tagged:
            line.update({"origin": {"kind": "task-notification", "producer": "session-task", "runId": "0mwtp7qc2"},
                         "promptSource": "system", "turnOrigin": "task_notification"})
        line.update(self._common())
        self._add(line)

    def sidechain_prompt(self, text: str) -> None:
        """A subagent's first user message: written by the parent model, isSidechain true."""
        line = {"parentUuid": None, "isSidechain": True, "promptId": self.prompt_id, "agentId": "a1557e1adc549cdbc",
                "type": "user", "message": {"role": "user", "content": text}, "timestamp": self._ts(), **self._common()}
        if not self.has_prompt_ids:
            del line["promptId"]  # 2.1.39 lines carry no promptId
        self._add(line)

    def meta(self, text: str) -> None:
        """An isMeta line (a skill body expanded after a slash command)."""
        self._add({"parentUuid": self.parent, "isSidechain": False, "type": "user", "isMeta": True,
                   "message": {"role": "user", "content": [{"type": "text", "text": text}]},
                   "timestamp": self._ts(), **self._common()})

    def compact_summary(self, text: str) -> None:
        self._add({"parentUuid": self.parent, "isSidechain": False, "type": "system", "subtype": "compact_boundary",
                   "content": "Conversation compacted", "timestamp": self._ts(), **self._common()})
        self._add({"parentUuid": self.parent, "isSidechain": False, "type": "user", "isCompactSummary": True,
                   "isVisibleInTranscriptOnly": True,
                   "message": {"role": "user", "content": "This session is being continued from a previous "
                                                          "conversation that ran out of context. " + text},
                   "timestamp": self._ts(), **self._common()})

    def local_command(self, name: str, stdout: str) -> None:
        self._add({"parentUuid": self.parent, "isSidechain": False, "type": "user", "isMeta": True,
                   "message": {"role": "user", "content": "<local-command-caveat>Caveat: The messages below were "
                                                          "generated by the user while running local commands."
                                                          "</local-command-caveat>"},
                   "timestamp": self._ts(), **self._common()})
        self._add({"parentUuid": self.parent, "isSidechain": False, "type": "user",
                   "message": {"role": "user", "content": f"<command-name>{name}</command-name>\n"
                                                          f"            <command-message>{name.lstrip('/')}"
                                                          f"</command-message>\n            <command-args></command-args>"},
                   "timestamp": self._ts(), **self._common()})
        self._add({"parentUuid": self.parent, "isSidechain": False, "type": "user",
                   "message": {"role": "user", "content": f"<local-command-stdout>{stdout}</local-command-stdout>"},
                   "timestamp": self._ts(), **self._common()})

    def slash(self, name: str, args: str) -> str:
        """A slash command as 2.1.38 writes it; its args are typed by the human."""
        text = (f"<command-message>{name.lstrip('/')}</command-message>\n<command-name>{name}</command-name>\n"
                f"<command-args>{args}</command-args>")
        return self.human(text)

    def interrupt(self, for_tool: bool = False) -> None:
        text = "[Request interrupted by user for tool use]" if for_tool else "[Request interrupted by user]"
        self._add({"parentUuid": self.parent, "isSidechain": False, "type": "user",
                   "message": {"role": "user", "content": [{"type": "text", "text": text}]},
                   "timestamp": self._ts(), **self._common()})

    def turn_origin(self, text: str, origin: str) -> None:
        """A user turn started by something other than a human (peer, scheduled, auto_continuation...)."""
        self._add({"parentUuid": self.parent, "isSidechain": False, "promptId": str(uuid.uuid4()), "type": "user",
                   "message": {"role": "user", "content": text}, "timestamp": self._ts(),
                   "promptSource": "system", "turnOrigin": origin, **self._common()})

    def end_turn(self) -> None:
        self.lines.append({"type": "last-prompt", "lastPrompt": self.human_prompts[-1][1] if self.human_prompts else "",
                           "sessionId": self.session_id})
        self._add({"parentUuid": self.parent, "isSidechain": False, "type": "system", "subtype": "stop_hook_summary",
                   "hookCount": 1, "timestamp": self._ts(), **self._common()})

    # ------------------------------------------------------------------ output
    def jsonl(self) -> str:
        return "".join((json.dumps(x, ensure_ascii=False, separators=(",", ":")) if not isinstance(x, str) else x)
                       + "\n" for x in self.lines)

    def write(self, path: Path, *, torn_tail: str | None = None) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = self.jsonl()
        if torn_tail is not None:
            text += torn_tail  # a line Claude Code was still writing
        path.write_text(text, encoding="utf-8")
        return path
