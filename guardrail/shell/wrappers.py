"""Wrappers: programs that run another command (sudo, env, xargs, find -exec, bash -c, ssh, docker exec, uv run,
...), and how each is unwrapped."""

from __future__ import annotations

import re

from guardrail.base import vocab
from guardrail.base.text import shell_quote
from guardrail.model import SimpleCommand
from guardrail.rules import option_values
from guardrail.shell.words import ansi_c
TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Any, Callable


# Shells, and busybox (`busybox sh -c ...`, `busybox rm ...`: _unwrap_shell reads both)
SHELLS = vocab.SHELLS | frozenset({"busybox"})


SCRIPT_READERS = SHELLS | vocab.SOURCE_BUILTINS  # read a script file or stdin (see _Walker.script_source)


# wrapper -> options that take a value (so the value is not mistaken for the command)
WRAPPER_VALUE_OPTIONS: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-R", "-t", "-U", "-T", "--user", "--group", "--chroot",
                       "--chdir", "--host", "--prompt", "--role", "--type", "--other-user", "--close-from"}),
    "doas": frozenset({"-u", "-C"}),
    "env": frozenset({"-u", "--unset", "-C", "--chdir", "-S", "--split-string"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "ionice": frozenset({"-c", "-n", "-p", "--class", "--classdata"}),
    "timeout": frozenset({"-s", "--signal", "-k", "--kill-after"}),
    "stdbuf": frozenset({"-i", "-o", "-e", "--input", "--output", "--error"}),
    "exec": frozenset({"-a"}),
    "nohup": frozenset(),
    "time": frozenset({"-f", "--format", "-o", "--output"}),
    "command": frozenset(),
    "builtin": frozenset(),
    "setsid": frozenset(),
    "unbuffer": frozenset(),
    "caffeinate": frozenset({"-t", "-w"}),
    "chronic": frozenset(),
    "taskset": frozenset(),
    "flock": frozenset({"-w", "--timeout", "-E", "--conflict-exit-code"}),
    "xargs": frozenset({"-a", "--arg-file", "-d", "--delimiter", "-E", "-I", "-L", "-n",
                        "--max-args", "-P", "--max-procs", "-s", "--max-chars", "--process-slot-var"}),
    "watch": frozenset({"-n", "--interval", "-d", "--differences", "-q", "--equexit"}),
    "parallel": frozenset({"-j", "--jobs", "-S", "--sshlogin", "--joblog", "-a", "--arg-file", "--delay",
                           "--timeout", "-I", "--tagstring", "--results", "--env"}),
    "chroot": frozenset({"--userspec", "--groups"}),
    "runuser": frozenset({"-u", "-g", "-G", "--user", "--group"}),
    "su": frozenset({"-s", "--shell", "-g", "--group"}),
    "npx": frozenset({"-p", "--package"}),
    "bunx": frozenset(),
    "pnpx": frozenset(),
    "uvx": frozenset({"--from", "--with", "-p", "--python"}),
    "pipx": frozenset(),
    "dotenv": frozenset({"-e", "-v", "-c"}),
}


# Launchers that run their operands as a command: name -> (short options taking a value, long options taking a
# value, positionals before the command). Option bundles are read as getopt does (`screen -dmS name cmd`).
ARGV_WRAPPERS: dict[str, tuple[str, frozenset[str], int]] = {
    "pkexec": ("", frozenset({"--user"}), 0),
    "run0": ("ugD", frozenset({"--user", "--group", "--nice", "--chdir", "--setenv", "--property", "--description",
                               "--slice", "--unit", "--background", "--machine", "--shell-prompt-prefix"}), 0),
    "chrt": ("TPD", frozenset({"--sched-runtime", "--sched-period", "--sched-deadline"}), 1),
    "strace": ("abeEIoOpPsSuUX", frozenset({"--output", "--trace", "--signal", "--attach", "--string-limit", "--user",
                                           "--env", "--columns", "--trace-path", "--summary-sort-by", "--detach-on"}), 0),
    "ltrace": ("aAdDeFlnopsuwx", frozenset({"--output", "--library", "--align", "--config", "--indent"}), 0),
    "unshare": ("SGRw", frozenset({"--map-user", "--map-group", "--map-users", "--map-groups", "--setuid", "--setgid",
                                   "--root", "--wd", "--propagation", "--setgroups", "--load-interp"}), 0),
    "nsenter": ("tSG", frozenset({"--target", "--setuid", "--setgid"}), 0),
    "systemd-run": ("upEMH", frozenset({"--unit", "--property", "--description", "--slice", "--setenv", "--uid", "--gid",
                                        "--nice", "--machine", "--host", "--working-directory", "--on-active",
                                        "--on-boot", "--on-startup", "--on-unit-active", "--on-unit-inactive",
                                        "--on-calendar", "--timer-property", "--path-property", "--socket-property",
                                        "--service-type", "--capsule"}), 0),
    "fakeroot": ("lsib", frozenset({"--lib", "--faked"}), 0),
    "firejail": ("", frozenset(), 0),
    "toybox": ("", frozenset(), 0),
    "coproc": ("", frozenset(), 0),  # `coproc rm -rf ~` (a NAME only comes before a compound command)
    "screen": ("cehpSsTt", frozenset(), 0),
    "env-cmd": ("fer", frozenset({"--file", "--environments", "--rc-file"}), 0),
    "direnv": ("", frozenset(), 1),  # direnv exec DIR cmd (the subcommand is checked in unwrap)
    "entr": ("", frozenset(), 0),
    "corepack": ("", frozenset(), 0),  # corepack pnpm|yarn|npm ... (checked in _unwrap_launcher)
    "nvm": ("", frozenset(), 0),  # nvm exec [VERSION] cmd (checked in _unwrap_launcher)
}


# `<tool> <subcommand> [options] cmd...`: project runners. The runner itself is recorded too (rules name some).
SUBCOMMAND_WRAPPERS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    ("uv", "run"): ("pw", frozenset({"--with", "--with-editable", "--with-requirements", "--python", "--package",
                                     "--extra", "--group", "--only-group", "--no-group", "--env-file", "--directory",
                                     "--project", "--index", "--default-index", "--index-url", "--extra-index-url",
                                     "--find-links", "--config-file", "--cache-dir", "--python-preference"})),
    ("poetry", "run"): ("CP", frozenset({"--directory", "--project"})),
    ("pipenv", "run"): ("", frozenset()),
    ("pdm", "run"): ("pe", frozenset({"--project", "--venv"})),
    ("rye", "run"): ("", frozenset({"--pyproject"})),
    ("hatch", "run"): ("", frozenset()),
    ("conda", "run"): ("np", frozenset({"--name", "--prefix", "--cwd"})),
    ("mamba", "run"): ("np", frozenset({"--name", "--prefix", "--cwd"})),
    ("micromamba", "run"): ("np", frozenset({"--name", "--prefix", "--cwd"})),
    ("bundle", "exec"): ("", frozenset()),
    ("asdf", "exec"): ("", frozenset()),
    ("devbox", "run"): ("ce", frozenset({"--config", "--env", "--env-file"})),
    ("dotenvx", "run"): ("f", frozenset({"--env-file", "--env"})),
    ("pixi", "run"): ("e", frozenset({"--manifest-path", "--environment"})),
    ("volta", "run"): ("", frozenset({"--node", "--npm", "--yarn", "--pnpm", "--env"})),
    ("fnm", "exec"): ("", frozenset({"--using"})),
}


# Runners whose command comes after `--` (before it: tool names, services, profiles). Secret injectors and
# platform runners are here: they carry production credentials into the command.
DASHDASH_WRAPPERS = frozenset({("mise", "exec"), ("mise", "x"), ("rtx", "exec"), ("rtx", "x"), ("doppler", "run"),
                                ("op", "run"), ("infisical", "run"), ("teller", "run"), ("chamber", "exec"),
                                ("aws-vault", "exec"), ("heroku", "run"), ("railway", "run"), ("nix", "run")})


# Of those, the ones whose command may also follow without `--`: (short options taking a value, long ones taking
# a value, positionals before the command).
DASHDASH_OPTIONAL: dict[tuple[str, str], tuple[str, frozenset[str], int]] = {
    ("aws-vault", "exec"): ("d", frozenset({"--duration", "--region", "--mfa-token", "--prompt", "--backend"}), 1),
    ("heroku", "run"): ("aesr", frozenset({"--app", "--env", "--size", "--remote", "--type"}), 0),
    ("railway", "run"): ("se", frozenset({"--service", "--environment"}), 0),
}


TERMINALS = frozenset({"xterm", "uxterm", "urxvt", "rxvt", "alacritty", "konsole", "st"})


def _getopt(args: list[str], short_values: str, long_values: frozenset[str], skip: int = 0) -> tuple[list[str], list[str]] | None:
    """(options, command argv) read as getopt does: `-abc` bundles, a value-taking letter takes the rest of
    its word or the next word, `--opt=v`, `--`; then `skip` positionals are dropped. None when none is left."""
    opts: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            i += 1
            break
        if a.startswith("--"):
            opts.append(a)
            i += 2 if a in long_values else 1
            continue
        if a.startswith("-") and len(a) > 1:
            opts.append(a)
            i += 1
            for k, ch in enumerate(a[1:], 1):
                if ch in short_values:
                    if k == len(a) - 1:
                        i += 1  # the value is the next word
                    break
            continue
        break
    rest = args[i + skip:]
    return (opts, rest) if rest else None


def _npx_call(args: list[str]) -> str | None:
    """The `-c CMD` / `--call CMD` of npx / npm exec, among its own options (before the package's words)."""
    for i, a in enumerate(args):
        if a.startswith("--call="):
            return a.split("=", 1)[1]
        if (a == "--call" or re.fullmatch(r"-[yq]*c", a)) and i + 1 < len(args):  # (`-yc`: with --yes)
            return args[i + 1]
        if a in ("-p", "--package", "-w", "--workspace"):
            continue
        if not a.startswith("-") and (i == 0 or args[i - 1] not in ("-p", "--package", "-w", "--workspace")):
            return None  # the package's own words start here
    return None


def _short_value(args: list[str], letter: str, long_name: str) -> str | None:
    """The value of `-X v`, `-abX v`, `-Xv`, `--long v` or `--long=v` (first occurrence), else None."""
    for i, a in enumerate(args):
        if a == long_name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(long_name + "="):
            return a.split("=", 1)[1]
        if a.startswith("-") and not a.startswith("--") and letter in a[1:] and a[1:a.index(letter, 1)].isalpha() |\
                (a.index(letter, 1) == 1):
            k = a.index(letter, 1)
            if k < len(a) - 1:
                return a[k + 1:]
            if i + 1 < len(args):
                return args[i + 1]
    return None


# ssh's options that take a value (so `ssh -p 22 host cmd` finds the host and the command)
SSH_VALUE_OPTIONS = frozenset("-b -c -D -E -e -F -I -i -J -L -l -m -O -o -p -Q -R -S -W -w -B".split())


def _split_opts(args: list[str], value_opts: frozenset[str], *, stop_at_positional: bool = True) -> tuple[list[str], list[str]]:
    """Split wrapper options from the wrapped command line."""
    i = 0
    opts: list[str] = []
    while i < len(args):
        a = args[i]
        if a == "--":
            return opts, args[i + 1:]
        if a.startswith("-") and len(a) > 1:
            if a in value_opts and "=" not in a:
                opts.append(a)
                if i + 1 < len(args):
                    opts.append(args[i + 1])
                i += 2
                continue
            if len(a) > 2 and a[1] != "-":
                # a getopt bundle: `-iu postgres`, `-tI %`, `-vk 5`: a value letter after flag letters takes the
                # rest of the word or the next word (recorded as `-FLAGS`, `-X`, value); `-n5` stays as it is
                k = next((k for k in range(2, len(a)) if "-" + a[k] in value_opts), 0)
                if k:
                    opts += [a[:k], "-" + a[k]]
                    if k < len(a) - 1:
                        opts.append(a[k + 1:])
                        i += 1
                    else:
                        if i + 1 < len(args):
                            opts.append(args[i + 1])
                        i += 2
                    continue
            # `-n5` / `--user=x` carry their value inline
            opts.append(a)
            i += 1
            continue
        if stop_at_positional:
            return opts, args[i:]
        i += 1
    return opts, []


def unwrap(cmd: SimpleCommand) -> tuple[str, Any] | None:
    """How `cmd` runs another command, or None (most commands: one dict lookup). The answer is a tagged tuple the
    walker follows (Walker.follow): ("argv", (label, argv, env)): run argv; ("shell", (label, script)): parse and
    run the script; ("shell_args", (label, script, positionals)): the same with $0, $1...; ("record_and_argv", ...)
    and ("record_and_shell", ...): keep the wrapper as a command too (rules name some); ("find", [(label, argv)]):
    each -exec command."""
    handler = UNWRAPPERS.get(cmd.name)
    return handler(cmd, list(cmd.args)) if handler is not None else None


def _unwrap_eval(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    return ("shell", ("eval", " ".join(args[1:] if args[:1] == ["--"] else args)))


def _unwrap_subcommand(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    """`uv run CMD`, `poetry run CMD`, `mise exec -- CMD`, `doppler run -- CMD`, `nix run PKG -- ARGS`."""
    name = cmd.name
    if args and (name, args[0]) in SUBCOMMAND_WRAPPERS:
        short, long = SUBCOMMAND_WRAPPERS[(name, args[0])]
        split = _getopt(args[1:], short, long)
        return ("record_and_argv", (f"{name} {args[0]}", split[1], [])) if split else None
    if args and (name, args[0]) in DASHDASH_WRAPPERS:
        if name == "nix":  # nix run nixpkgs#terraform -- destroy: the package's program with the arguments
            package = next((a for a in args[1:] if not a.startswith("-")), "")
            program = package.rsplit("#", 1)[-1].rsplit(".", 1)[-1] if "#" in package else ""
            rest = args[args.index("--") + 1:] if "--" in args else []
            return ("argv", ("nix run", [program, *rest], [])) if program else None
        if "--" in args:
            rest = args[args.index("--") + 1:]
            return ("argv", (f"{name} {args[0]}", rest, [])) if rest else None
        optional = DASHDASH_OPTIONAL.get((name, args[0]))
        if optional is not None:
            split = _getopt(args[1:], optional[0], optional[1], optional[2])
            return ("argv", (f"{name} {args[0]}", split[1], [])) if split else None
        script = _short_value(args[1:], "c", "--command")
        return ("shell", (f"{name} {args[0]} -c", script)) if script is not None else None
    if name == "nix":
        return _unwrap_runner(cmd, args)  # nix develop / nix shell -c CMD
    return None


def _unwrap_terminal(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    """`xterm -e CMD`: a terminal emulator running a command."""
    for flag in ("-e", "-x", "--command"):
        if flag in args and args.index(flag) + 1 < len(args):
            return ("argv", (f"{cmd.name} {flag}", args[args.index(flag) + 1:], []))
    return None


def _unwrap_sops(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    """sops exec-env secrets.enc.yaml 'cmd': the last word is a shell command, run with the secrets."""
    return ("shell", ("sops exec-env", args[-1])) if args[:1] == ["exec-env"] and len(args) >= 3 else None


def _unwrap_fly(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    """flyctl ssh console --command 'cmd' runs cmd on the app's machine."""
    script = _short_value(args[2:], "C", "--command") if args[:2] == ["ssh", "console"] else None
    return ("record_and_shell", (f"{cmd.name} ssh console", script)) if script is not None else None


def _unwrap_prefix(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    """sudo, doas, nohup, nice, ionice, stdbuf, exec, time, builtin, setsid, unbuffer, caffeinate, chronic, chroot,
    runuser: options, then the command."""
    name = cmd.name
    if name == "runuser" and not any(a in ("-u", "--user") or a.startswith("--user=") for a in args):
        script = _short_value(args, "c", "--command")
        return ("shell", ("runuser -c", script)) if script is not None else None
    opts, rest = _split_opts(args, WRAPPER_VALUE_OPTIONS.get(name, frozenset()))
    if name == "chroot" and rest:
        rest = rest[1:]
    if name == "sudo" and any(o in ("-e", "--edit", "-l", "--list", "-v", "-k", "-K") for o in opts):
        return None
    chdir = _chdir(opts, ("-D", "--chdir")) if name == "sudo" else None
    return ("argv", (name, rest, [], chdir) if chdir else (name, rest, []))


def _chdir(opts: list[str], names: tuple[str, ...]) -> str | None:
    """The directory a wrapper's own option runs the command in (`sudo -D DIR`, `env -C DIR`), last one wins."""
    found = None
    for i, o in enumerate(opts):
        if o in names and i + 1 < len(opts):
            found = opts[i + 1]
        elif any(o.startswith(n + "=") for n in names if n.startswith("--")):
            found = o.split("=", 1)[1]
    return found


def _unwrap_su(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    """`su -lc CMD`, `su - root -c CMD`: the command is a shell script."""
    script = _short_value(args, "c", "--command")
    return ("shell", ("su -c", script)) if script is not None else None


def _unwrap_command(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    if args and args[0] in ("-v", "-V"):
        return None
    opts, rest = _split_opts(args, frozenset())
    return ("argv", (cmd.name, rest, []))


def _unwrap_after_first(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    """`timeout 5 CMD`, `taskset 0x3 CMD`: the first positional is the wrapper's own (a duration, a CPU mask)."""
    _, rest = _split_opts(args, WRAPPER_VALUE_OPTIONS.get(cmd.name, frozenset()))
    return ("argv", (cmd.name, rest[1:], []))


def _unwrap_flock(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    _, rest = _split_opts(args, WRAPPER_VALUE_OPTIONS["flock"])
    rest = rest[1:]
    if len(rest) >= 2 and rest[0] in ("-c", "--command"):
        return ("shell", ("flock -c", rest[1]))
    return ("argv", (cmd.name, rest, []))


def _unwrap_watch(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    _, rest = _split_opts(args, WRAPPER_VALUE_OPTIONS["watch"])
    return ("shell", ("watch", " ".join(rest))) if rest else None


def _unwrap_parallel(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    _, rest = _split_opts(args, WRAPPER_VALUE_OPTIONS["parallel"])
    if ":::" in rest:
        i = rest.index(":::")
        template, values = rest[:i], [v for v in rest[i + 1:] if v not in (":::", "::::")]
        script = " ".join(template)
        if not template:  # `parallel ::: 'cmd1' 'cmd2'`: each value is a command line
            return ("shell", ("parallel", "; ".join(values[:16]))) if values else None
        if "{}" in script:
            return ("shell", ("parallel", "; ".join(script.replace("{}", shell_quote(v)) for v in values[:16])))
        return ("shell", ("parallel", "; ".join(f"{script} {shell_quote(v)}" for v in values[:16])))
    lines = [ln for ln in (cmd.stdin_text or "").split("\n") if ln.strip()][:16]
    if not rest:  # `... | parallel`: each input line is a command line
        return ("shell", ("parallel", "; ".join(lines))) if lines else None
    script = " ".join(rest)
    if lines:  # `echo ~ | parallel rm -rf`: the template once per input line
        return ("shell", ("parallel", "; ".join(script.replace("{}", shell_quote(v)) if "{}" in script
                                                else f"{script} {shell_quote(v)}" for v in lines)))
    return ("shell", ("parallel", script))


def _unwrap_ssh(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    opts, rest = _split_opts(args, SSH_VALUE_OPTIONS)
    if len(rest) >= 2:
        return ("record_and_shell", (f"ssh {rest[0]}", " ".join(rest[1:])))
    return None


def _unwrap_kubectl(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    if "exec" not in args:
        return None
    if "--" in args:
        rest = args[args.index("--") + 1:]
        return ("argv", ("kubectl exec", rest, [])) if rest else None
    # the deprecated `kubectl exec POD CMD ARGS` (no `--`): the words after the pod are the command
    split = _getopt(args[args.index("exec") + 1:], "cnf", frozenset({
        "--container", "--namespace", "--filename", "--pod-running-timeout", "--context", "--kubeconfig"}))
    if split is not None and len(split[1]) >= 2:
        return ("argv", ("kubectl exec", split[1][1:], []))
    return None


def _unwrap_package_runner(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    """npx, bunx, pnpx, uvx, pipx, dotenv, and npm/pnpm/yarn/bun exec: a package's binary, or a `-c` script."""
    name = cmd.name
    if name in ("npx", "npm") and (args[:1] == ["exec"] or name == "npx"):
        # `npx -c 'cmd'`, `npm exec --call='cmd'`: a shell command line run with the package bins on PATH
        script = _npx_call(args[1:] if name == "npm" else args)
        if script is not None:
            return ("shell", (f"{name} -c", script))
    if name in ("npx", "bunx", "pnpx", "uvx", "pipx", "dotenv"):
        opts, rest = _split_opts(args, WRAPPER_VALUE_OPTIONS[name])
        if name == "pipx":
            if rest[:1] != ["run"]:
                return None  # `pipx install/uninstall/list ...` manage environments; only `pipx run` runs a program
            rest = rest[1:]
        if name == "dotenv" and rest[:1] == ["--"]:
            rest = rest[1:]
        if rest:
            # `npx prisma@5 migrate reset` runs the prisma binary
            if "@" in rest[0]:
                rest = [re.sub(r"(?<=.)@[^/]*$", "", rest[0])] + rest[1:]
            return ("argv", (name, rest, []))
        return None
    if name in ("pnpm", "yarn", "bun") and args[:1] in (["exec"], ["dlx"], ["x"]):
        return ("argv", (f"{name} {args[0]}", args[1:], []))
    if name == "npm" and args[:1] in (["exec"], ["x"]):
        _, rest = _split_opts(args[1:], frozenset({"-p", "--package", "-w", "--workspace"}))
        return ("argv", ("npm exec", rest, [])) if rest else None
    return None


def _unwrap_launcher(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    """A launcher from ARGV_WRAPPERS: its operands after the options are the command."""
    name = cmd.name
    short, long, skip = ARGV_WRAPPERS[name]
    if name in ("direnv", "nvm"):
        if args[:1] != ["exec"]:
            return None
        args = args[1:]
        if name == "nvm":
            args = [a for a in args if a != "--silent"]
            if args and re.fullmatch(r"v?\d[\w.]*|node|stable|lts/\S+|--lts(=\S+)?", args[0]):
                args = args[1:]
    split = _getopt(args, short, long, skip)
    if split is None:
        return None
    opts, rest = split
    if name == "corepack" and rest[0] not in ("pnpm", "pnpx", "yarn", "yarnpkg", "npm", "npx"):
        return None  # `corepack enable`, `corepack prepare ...`
    if name == "chrt" and any(o in ("-p", "--pid") for o in opts):
        return None  # `chrt -p PRIO PID`: changes a running process
    if name == "screen" and any(o.startswith(("-r", "-R", "-x", "-X", "-Q", "-ls", "-list", "-wipe")) or
                                (not o.startswith("--") and any(ch in o[1:] for ch in "rRxXQ")) for o in opts):
        return None  # reattach / send a screen command: the words are session names
    if name == "entr" and any(not o.startswith("--") and "s" in o[1:] for o in opts):
        return ("shell", ("entr -s", rest[0]))
    return ("argv", (name, rest, []))


def _unwrap_runner(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    """Programs that take a command as a script string (or as stdin) in their own way."""
    name = cmd.name
    if name == "trap":  # trap [--] 'cmd' SIGNAL...: the handler runs (EXIT: when the shell ends)
        rest = args[1:] if args[:1] == ["--"] else args
        if len(rest) >= 2 and not rest[0].startswith("-") and rest[0]:
            return ("shell", ("trap", rest[0]))
        return None
    if name == "sg":  # sg [-] GROUP [-c] COMMAND: the command is passed to /bin/sh -c
        rest = args[1:] if args[:1] == ["-"] else args
        if len(rest) >= 2:
            rest = rest[1:]
            if rest[0] == "-c":
                rest = rest[1:]
            return ("shell", ("sg", " ".join(rest))) if rest else None
        return None
    if name == "script":  # script [-q] -c CMD [file]
        value = _short_value(args, "c", "--command")
        return ("shell", ("script -c", value)) if value is not None else None
    if name == "tmux":
        return _unwrap_tmux(args)
    if name in vocab.JOB_QUEUES:  # the job is read from stdin (or -f FILE: script following reads it)
        if cmd.stdin_text is not None and not any(a == "-f" or a.startswith("-f") for a in args) and\
                not any(a in ("-l", "-r", "-d", "-c") for a in args):
            return ("shell", (name, cmd.stdin_text))
        return None
    if name == "expect":  # expect -c 'spawn rm -rf ~; expect eof': the spawned and exec'd programs run
        script = _short_value(args, "c", "-c") or ""
        runs = [m.group(1) for m in re.finditer(r"(?:^|[;\n{\[])\s*(?:spawn|exec)\s+(?:-\w+\s+)*([^;\n\]}]+)", script)]
        return ("shell", ("expect spawn", "; ".join(runs))) if runs else None
    if name == "nix-shell":
        for flag in ("--run", "--command"):
            value = _short_value(args, "\0", flag)
            if value is not None:
                return ("shell", (f"nix-shell {flag}", value))
        return None
    if name == "nix":  # nix develop / nix shell ... -c|--command CMD ARGS
        if args[:1] in (["develop"], ["shell"]):
            for i, a in enumerate(args):
                if a in ("-c", "--command") and i + 1 < len(args):
                    return ("argv", (f"nix {args[0]} -c", args[i + 1:], []))
        return None
    if name == "dotenv-cli":
        _, rest = _split_opts(args, WRAPPER_VALUE_OPTIONS["dotenv"])
        return ("argv", (name, rest, [])) if rest else None
    # cross-env NAME=value ... cmd args (cross-env-shell: the rest is a shell script)
    i = 0
    env: list[tuple[str, str]] = []
    while i < len(args) and re.match(r"[A-Za-z_][A-Za-z0-9_]*=", args[i]):
        k, v = args[i].split("=", 1)
        env.append((k, v))
        i += 1
    if i >= len(args):
        return None
    if name == "cross-env-shell":
        return ("shell", (name, " ".join(args[i:])))
    return ("argv", (name, args[i:], env))


_TMUX_RUNS = frozenset({"new-session", "new", "new-window", "neww", "split-window", "splitw", "respawn-pane",
                        "respawnp", "respawn-window", "respawnw", "run-shell", "run", "display-popup", "popup"})


def _unwrap_tmux(args: list[str]) -> tuple[str, Any] | None:
    """tmux [-L s] new-session [-d] [-s name] 'cmd ...': the trailing words are a shell command."""
    split = _getopt(args, "LSfcT", frozenset())
    if split is None:
        return None
    opts, rest = split
    top = _short_value(opts, "c", "\0")
    if top is not None:
        return ("shell", ("tmux -c", top))
    if rest[0] not in _TMUX_RUNS:
        return None
    inner = _getopt(rest[1:], "cteFnsxyflTSwhbd" if rest[0] in ("display-popup", "popup") else "ceFnstxyflT",
                    frozenset())
    return ("shell", (f"tmux {rest[0]}", " ".join(inner[1]))) if inner else None


def _unwrap_shell(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    name = cmd.name
    if name == "busybox":
        return ("argv", ("busybox", args, [])) if args else None
    i = 0
    script_from_c: str | None = None
    positional: list[str] = []
    while i < len(args):
        a = args[i]
        if a == "-c" or (a.startswith("-") and not a.startswith("--") and "c" in a[1:] and len(a) <= 6):
            if i + 1 < len(args) and args[i + 1] == "--":
                i += 1  # `bash -c -- SCRIPT`
            if i + 1 < len(args):
                script_from_c = args[i + 1]
                positional = args[i + 2:]
            break
        if a in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"):
            i += 2
            continue
        if a.startswith(("-", "+")):
            if a in ("-n", "--noexec"):
                return None  # syntax check only: nothing runs
            i += 1
            continue
        # `bash script.sh args`: a script file; recorded as is (indirection follows it later)
        return None
    if script_from_c is not None:
        if script_from_c.startswith("$("):
            # `bash -c "$(curl ...)"`: the script is output nobody can see; keep the shell for the rules too
            return ("record_and_shell", (f"{name} -c", script_from_c))
        if positional:  # `bash -c 'rm -rf "$1"' _ ~`: $0, $1... are the words after the script
            return ("shell_args", (f"{name} -c", script_from_c, positional))
        return ("shell", (f"{name} -c", script_from_c))
    if cmd.stdin_text is not None:
        return ("shell", (f"{name} <stdin", cmd.stdin_text))
    return None


def _unwrap_env(args: list[str]) -> tuple[str, Any] | None:
    i = 0
    chdir: str | None = None
    env: list[tuple[str, str]] = []
    while i < len(args):
        a = args[i]
        if a in ("-S", "--split-string") and i + 1 < len(args):
            return ("shell", ("env -S", " ".join(args[i + 1:])))
        if a.startswith("--split-string="):
            return ("shell", ("env -S", a.split("=", 1)[1]))
        if a.startswith("-") and not a.startswith("--") and "S" in a:
            # `-S...`, `-iS 'cmd'`, `-vS'cmd'`: getopt bundles; S takes the rest of the word or the next words
            k = a.index("S")
            if not any(ch in "uC" for ch in a[1:k]):
                if k < len(a) - 1:
                    return ("shell", ("env -S", a[k + 1:] + "".join(" " + w for w in args[i + 1:])))
                if i + 1 < len(args):
                    return ("shell", ("env -S", " ".join(args[i + 1:])))
        if a in ("-u", "--unset", "-C", "--chdir") or (len(a) > 2 and a[0] == "-" and a[1] != "-" and a[-1] in "uC"
                                                         and "S" not in a):
            if a[-1] == "C" or a == "--chdir":
                chdir = args[i + 1] if i + 1 < len(args) else None
            i += 2  # (`-iC /`: a bundle ending in a value letter takes the next word)
            continue
        if a.startswith("--chdir="):
            chdir = a.split("=", 1)[1]
            i += 1
            continue
        if a == "--":
            i += 1
            break
        if a.startswith("-"):
            i += 1
            continue
        if "=" in a and re.match(r"[A-Za-z_][A-Za-z0-9_]*=", a):
            k, v = a.split("=", 1)
            env.append((k, v))
            i += 1
            continue
        break
    return ("argv", ("env", args[i:], env, chdir) if chdir else ("env", args[i:], env))


def _unwrap_xargs(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    opts, rest = _split_opts(args, WRAPPER_VALUE_OPTIONS["xargs"])
    if not rest:
        rest = ["echo"]
    replace_str = None
    delimiter = None
    for i, o in enumerate(opts):
        if o == "-I" and i + 1 < len(opts):
            replace_str = opts[i + 1]
        elif o.startswith("-I") and len(o) > 2:
            replace_str = o[2:]
        elif o.startswith(("-i", "--replace")):  # GNU: optional attached value, `{}` by default
            replace_str = o[2:] if o.startswith("-i") and len(o) > 2 else o.split("=", 1)[1] if "=" in o else "{}"
        elif o in ("-0", "--null"):
            delimiter = "\0"
        elif o in ("-d", "--delimiter") and i + 1 < len(opts):
            delimiter = ansi_c(opts[i + 1])[:1] or None
        elif o.startswith("--delimiter="):
            delimiter = ansi_c(o.split("=", 1)[1])[:1] or None
    items: list[str] = []
    if cmd.stdin_text:
        text = cmd.stdin_text
        if delimiter is not None:
            items = [it for it in text.split(delimiter) if it][:16]
        elif replace_str is not None:  # -I: one item per input line
            items = [line.strip() for line in text.split("\n") if line.strip()][:16]
        else:
            items = text.split()[:16]
    if replace_str and items:
        return ("shell", ("xargs", "; ".join(" ".join(shell_quote(w.replace(replace_str, it)) for w in rest) for it in items)))
    if items:
        return ("argv", ("xargs", rest + items, []))
    # Arguments come from input we cannot see: mark them as such, naming the file when there is one
    # (`xargs -a list.txt`, `xargs < list.txt`, `cat list.txt | xargs`) so checks can read it.
    arg_files = option_values(opts, "-a", "--arg-file")
    source = arg_files[-1] if arg_files else cmd.stdin_file
    placeholder = f"$(xargs-input <{source})" if source and source not in ("-", "/dev/stdin") else "$(xargs-input)"
    return ("argv", ("xargs", rest + [placeholder], []))


def _unwrap_find(args: list[str]) -> tuple[str, Any] | None:
    execs: list[tuple[str, list[str]]] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-exec", "-execdir", "-ok", "-okdir"):
            j = i + 1
            inner: list[str] = []
            while j < len(args) and args[j] not in (";", "+", "\\;"):
                inner.append(args[j])
                j += 1
            if inner:
                execs.append((f"find {a}", inner))
            i = j + 1
            continue
        i += 1
    return ("find", execs) if execs else None


def _unwrap_container(name: str, args: list[str]) -> tuple[str, Any] | None:
    value_opts = frozenset({"-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file", "--detach-keys",
                            "-f", "--file", "-p", "--project-name", "--profile", "--index", "--context", "-H", "--host"})
    _, rest = _split_opts(args, value_opts)
    if rest[:1] == ["compose"] or name == "docker-compose":
        _, rest = _split_opts(rest[1:], value_opts)
        if rest[:1] in (["exec"], ["run"]):
            _, rest2 = _split_opts(rest[1:], value_opts | frozenset({"--name", "--entrypoint", "-v", "--volume"}))
            if len(rest2) >= 2:
                return ("argv", (f"{name} compose {rest[0]} {rest2[0]}", rest2[1:], []))
        return None
    if rest[:1] == ["exec"] or rest[:2] == ["container", "exec"]:
        rest = rest[1:] if rest[0] == "exec" else rest[2:]
        _, rest2 = _split_opts(rest, value_opts)
        if len(rest2) >= 2:
            return ("argv", (f"{name} exec {rest2[0]}", rest2[1:], []))
    return None


# powershell.exe / pwsh options that take a value (any unique prefix is accepted; these are the spellings).
_PWSH_VALUE_OPTIONS = ("executionpolicy", "ep", "ex", "windowstyle", "w", "configurationname", "config",
                       "workingdirectory", "wd", "settingsfile", "outputformat", "o", "of", "inputformat", "if",
                       "version", "psconsolefile", "custompipename", "configurationfile")


def _pwsh_takes_value(opt: str) -> bool:
    """Whether a powershell.exe / pwsh option takes the next word: a short spelling, or a prefix of a long name
    (`-Exec Bypass`, `-WindowS Hidden`)."""
    return opt in _PWSH_VALUE_OPTIONS or len(opt) >= 3 and any(
        name.startswith(opt) for name in _PWSH_VALUE_OPTIONS if len(name) > 3)


def _unwrap_powershell(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    """`pwsh -c TEXT`, `powershell -Command TEXT`, `-EncodedCommand BASE64` (UTF-16LE), `powershell TEXT`: the
    text goes to the PowerShell model. `-File x.ps1` and `pwsh x.ps1` run a script file (recorded as is)."""
    label = cmd.name.lower().removesuffix(".exe")
    i = 0
    while i < len(args):
        a = args[i]
        opt = a.lower().lstrip("-/") if a[:1] in "-/" else None
        if opt is None:
            if a.lower().endswith(".ps1"):
                return None
            return ("powershell", (f"{label} -Command", " ".join(args[i:])))
        if a == "-":
            return ("powershell", (f"{label} <stdin", cmd.stdin_text)) if cmd.stdin_text is not None else None
        if opt and "command".startswith(opt):
            rest = args[i + 1:]
            if rest == ["-"]:
                return ("powershell", (f"{label} <stdin", cmd.stdin_text)) if cmd.stdin_text is not None else None
            return ("powershell", (f"{label} -Command", " ".join(rest))) if rest else None
        if opt in ("e", "ec") or (len(opt) >= 2 and "encodedcommand".startswith(opt)):
            if i + 1 >= len(args):
                return None
            import base64
            import binascii

            try:
                text = base64.b64decode(args[i + 1] + "=" * (-len(args[i + 1]) % 4), validate=True).decode("utf-16-le")
            except (binascii.Error, UnicodeDecodeError, ValueError):
                return ("powershell", (f"{label} -EncodedCommand", "$(undecodable -EncodedCommand)"))
            return ("powershell", (f"{label} -EncodedCommand", text))
        if opt and "file".startswith(opt):
            return None
        i += 2 if _pwsh_takes_value(opt) else 1
    if cmd.stdin_text is not None:
        return ("powershell", (f"{label} <stdin", cmd.stdin_text))
    return None


def powershell_script_file(args: list[str] | tuple[str, ...]) -> tuple[str, list[str]] | None:
    """(script, its arguments) when `pwsh ARGS` / `powershell ARGS` runs a .ps1 file (`-File x.ps1`,
    `pwsh x.ps1`), else None (`-Command` text, an interactive shell)."""
    i = 0
    while i < len(args):
        a = args[i]
        opt = a.lower().lstrip("-/") if a[:1] in "-/" else None
        if opt is None:
            return (a, list(args[i + 1:])) if a.lower().endswith(".ps1") else None
        if opt and "file".startswith(opt):
            return (args[i + 1], list(args[i + 2:])) if i + 1 < len(args) else None
        if opt and ("command".startswith(opt) or "encodedcommand".startswith(opt) or opt in ("e", "ec")):
            return None
        i += 2 if _pwsh_takes_value(opt) else 1
    return None


def _unwrap_cmd(cmd: SimpleCommand, args: list[str]) -> tuple[str, Any] | None:
    """`cmd /c LINE` (and /k): the line goes to the cmd model."""
    from guardrail.shell.windows import cmd_script

    line = cmd_script(args)
    return ("cmd", ("cmd /c", line)) if line else None


# Program -> how it runs another command. Every program the shell model unwraps is a key here (UNWRAPPED).
UNWRAPPERS: dict[str, Callable[[SimpleCommand, list[str]], tuple[str, Any] | None]] = {
    **{name: _unwrap_shell for name in SHELLS},
    "eval": _unwrap_eval,
    **{name: _unwrap_launcher for name in ARGV_WRAPPERS},
    **{name: _unwrap_subcommand for name, _ in (*SUBCOMMAND_WRAPPERS, *DASHDASH_WRAPPERS)},
    **{name: _unwrap_terminal for name in TERMINALS},
    "sops": _unwrap_sops, "flyctl": _unwrap_fly, "fly": _unwrap_fly,
    **{name: _unwrap_runner for name in ("trap", "sg", "script", "tmux", "expect", "nix-shell", "cross-env",
                                              "cross-env-shell", "dotenv-cli", *vocab.JOB_QUEUES)},
    **{name: _unwrap_prefix for name in ("sudo", "doas", "nohup", "nice", "ionice", "stdbuf", "exec", "time", "builtin",
                                         "setsid", "unbuffer", "caffeinate", "chronic", "chroot", "runuser")},
    "su": _unwrap_su, "command": _unwrap_command, "env": lambda cmd, args: _unwrap_env(args),
    "timeout": _unwrap_after_first, "taskset": _unwrap_after_first, "flock": _unwrap_flock,
    "xargs": lambda cmd, args: _unwrap_xargs(cmd, args), "find": lambda cmd, args: _unwrap_find(args),
    "watch": _unwrap_watch, "parallel": _unwrap_parallel, "ssh": _unwrap_ssh,
    **{name: lambda cmd, args: _unwrap_container(cmd.name, args) if args else None
       for name in ("docker", "podman", "nerdctl")},
    "kubectl": _unwrap_kubectl,
    **{name: _unwrap_powershell for name in vocab.WINDOWS_SHELLS if not name.startswith("cmd")},
    "cmd": _unwrap_cmd, "cmd.exe": _unwrap_cmd,
    **{name: _unwrap_package_runner for name in ("npx", "npm", "bunx", "pnpx", "uvx", "pipx", "dotenv", "pnpm", "yarn",
                                                 "bun")},
}
UNWRAPPED = frozenset(UNWRAPPERS)

