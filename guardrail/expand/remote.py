"""Commands run somewhere else on the agent's behalf: ssh, gcloud compute ssh, kubectl exec, docker run/exec and
compose."""

from __future__ import annotations

from guardrail.base.text import LazyRegex, shell_quote
from guardrail.base.vocab import BOURNE_SHELLS, CONTAINER_ENGINES, REMOTE_SHELLS
from guardrail.model import SimpleCommand
from guardrail.shell.wrappers import SSH_VALUE_OPTIONS
from guardrail.workdir import join
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any


_CONTAINER_VALUE_OPTS = frozenset({"-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file", "--name", "-v",
                                   "--volume", "--mount", "--entrypoint", "-p", "--publish", "--network", "--net",
                                   "-l", "--label", "--platform", "--pull", "-h", "--hostname", "--add-host",
                                   "--cpus", "-m", "--memory", "--restart", "--device", "--cap-add", "--cap-drop",
                                   "--security-opt", "--tmpfs", "--shm-size", "--ulimit", "--dns", "--ipc", "--pid",
                                   "--log-driver", "--log-opt", "--gpus", "--runtime", "--group-add",
                                   "--index", "--volumes-from", "--link", "--expose", "--stop-signal", "--cidfile",
                                   "--health-cmd", "-f", "--file", "--project-name", "--profile", "--context",
                                   "-H", "--host", "--detach-keys"})


_KUBE_EXEC_VALUE_OPTS = frozenset({"-c", "--container", "-n", "--namespace", "--context", "--kubeconfig", "-f",
                                   "--filename", "--pod-running-timeout", "--cluster", "--user", "-l", "--selector"})


def _skip_opts(words: list[str], value_opts: frozenset[str]) -> tuple[list[str], list[str]]:
    """(options with their values, the rest from the first operand on); `--` ends the options."""
    i = 0
    while i < len(words):
        w = words[i]
        if w == "--":
            return words[:i], words[i + 1:]
        if not w.startswith("-") or w == "-":
            break
        i += 2 if w in value_opts else 1
    return words[:i], words[i:]


def _mount_mapper(opts: list[str]) -> Any:
    """Host paths behind a container's paths (`-v /:/host`): deleting /host deletes the host's /; other absolute
    paths are the container's own (kept apart as /.container/...)."""
    mounts, workdir = [], "/"
    for i, o in enumerate(opts):
        val = opts[i + 1] if i + 1 < len(opts) else ""
        if o in ("-v", "--volume") or o.startswith(("--volume=", "-v")) and o not in ("-v",):
            spec = val if o in ("-v", "--volume") else o.split("=", 1)[1] if "=" in o else o[2:]
            parts = spec.split(":")
            if len(parts) >= 2 and parts[1].startswith("/"):
                mounts.append((parts[1].rstrip("/") or "/", parts[0]))
        elif o == "--mount" or o.startswith("--mount="):
            spec = val if o == "--mount" else o.split("=", 1)[1]
            kv = dict(p.split("=", 1) for p in spec.split(",") if "=" in p)
            src, dst = kv.get("source") or kv.get("src"), kv.get("target") or kv.get("destination") or kv.get("dst")
            if src and dst:
                mounts.append((dst.rstrip("/") or "/", src))
        elif o in ("-w", "--workdir"):
            workdir = val or "/"
        elif o.startswith("--workdir="):
            workdir = o.split("=", 1)[1]
    mounts.sort(key=lambda m: -len(m[0]))

    def host(word: str) -> str:
        if word.startswith("~"):
            word = "/root" + word[1:]
        elif not word.startswith("/"):
            word = join(workdir, word)
        for dst, src in mounts:
            if word == dst or word.startswith(dst.rstrip("/") + "/"):
                return src.rstrip("/") + word[len(dst):] if dst != "/" else src.rstrip("/") + word
        return "/.container" + word

    def mapper(inner: SimpleCommand) -> SimpleCommand:
        from guardrail.base.record import replace

        argv = [inner.argv[0]] + [host(w) if _pathlike(w) else w for w in inner.argv[1:]]
        return replace(inner, argv=tuple(argv))

    return mapper


def _pathlike(w: str) -> bool:
    return w.startswith(("/", "~", "./", "../")) or w in (".", "..", "*") or (w.endswith("/*") and not w.startswith("-"))


def _with_stdin(cmd: SimpleCommand) -> Any:
    """Hand the outer command's stdin (a here-string, heredoc, pipe or `< file`) to the remote command."""
    def mapper(inner: SimpleCommand) -> SimpleCommand:
        from guardrail.base.record import replace

        if inner.stdin_text is None and inner.stdin_file is None:
            return replace(inner, stdin_text=cmd.stdin_text, stdin_file=cmd.stdin_file)
        return inner
    return mapper


_SHELL_ONLY = LazyRegex(r"^(?:exec\s+)?(?:/usr/bin/|/bin/)?(?:" + "|".join(sorted(BOURNE_SHELLS)) + r")(?:\s+-[a-z]*s?[a-z]*)*\s*$|^$")


def remote_lines(cmd: SimpleCommand) -> list[tuple[str, str, Any]]:
    """(label, shell line, mapper) for ssh, gcloud compute ssh, kubectl exec without `--`, docker-compose and
    docker/podman run."""
    name, a = cmd.name, list(cmd.args)
    out: list[tuple[str, str, Any]] = []
    if name in REMOTE_SHELLS:
        _, rest = _skip_opts(a, SSH_VALUE_OPTIONS)
        if not rest:
            return out
        host, rest = rest[0], rest[1:]
        _, rest = _skip_opts(rest, SSH_VALUE_OPTIONS)  # OpenSSH reads options after the host too
        line = " ".join(rest)
        if rest:
            out.append((f"ssh {host}", line, _with_stdin(cmd)))
        if _SHELL_ONLY.match(line) and cmd.stdin_text:
            out.append((f"ssh {host} <stdin", cmd.stdin_text, None))
        return out
    if name == "gcloud" and a[:2] == ["compute", "ssh"]:
        for i, x in enumerate(a):
            if x == "--command" and i + 1 < len(a):
                out.append(("gcloud compute ssh", a[i + 1], None))
            elif x.startswith("--command="):
                out.append(("gcloud compute ssh", x.split("=", 1)[1], None))
            elif x == "--":
                out.append(("gcloud compute ssh", " ".join(a[i + 1:]), None))
                break
        if not out and cmd.stdin_text:
            out.append(("gcloud compute ssh <stdin", cmd.stdin_text, None))
        return out
    if name in ("kubectl", "oc", "kubecolor") and "exec" in a and "--" not in a:
        _, rest = _skip_opts(a[a.index("exec") + 1:], _KUBE_EXEC_VALUE_OPTS)
        if len(rest) >= 2:
            out.append((f"{name} exec {rest[0]}", " ".join(shell_quote(w) for w in rest[1:]), _with_stdin(cmd)))
        return out
    if name in CONTAINER_ENGINES:
        opts, rest = _skip_opts(a, _CONTAINER_VALUE_OPTS)
        compose = name.endswith("-compose") or rest[:1] == ["compose"]
        if rest[:1] == ["compose"]:
            opts2, rest = _skip_opts(rest[1:], _CONTAINER_VALUE_OPTS)
            opts += opts2
        if rest[:2] == ["container", "run"]:
            rest = rest[1:]
        if not rest or rest[0] not in (("exec", "run") if compose else ("run",)):
            return out
        if not compose and name == "docker" and rest[0] == "exec":
            return out
        verb = rest[0]
        opts3, rest = _skip_opts(rest[1:], _CONTAINER_VALUE_OPTS)
        if len(rest) < 2:
            return out
        where, argv = rest[0], rest[1:]
        feed = _with_stdin(cmd)
        if verb == "run":
            mounts = _mount_mapper(opts + opts3)
            mapper = lambda inner: feed(mounts(inner))  # noqa: E731
        else:
            mapper = feed
        out.append((f"{name} {verb} {where}", " ".join(shell_quote(w) for w in argv), mapper))
    return out
