"""Evasions the command model (guardrail/shell/) resolves, from red team 2 (categories C05 launchers, C14 xargs /
parallel / find, C11 `${...}` operators, C13 program names spelled so the head is not the program, C12 values the
walk binds: positional parameters, arrays, `read`, `printf -v`).

Same format as tests/test_evasion.py: the pure engine over the built-in packs on guardrail.testing's fake layout
(cwd /home/user/project, HOME /home/user), nobody asked. BLOCKED must end deny or ask; each has a benign twin in
PASSES that must not. Known gaps are xfail(strict=True) via KNOWN_GAPS (tests/test_fastpath.py reads BLOCKED and
KNOWN_GAPS to check the hook's prefilter does not skip a blocked case).
"""

from __future__ import annotations

import pytest

from guardrail.shell.parse import parse_command
from evasion_cases import blocked_params, check_blocked, check_passes, check_suite, passes_params


# (id, command, files for the fake cwd) -- every one must end in deny or ask.
BLOCKED = [
    # C05 launchers: a table of wrappers with their option arities (getopt bundles included)
    ("uv-run", "uv run rm -rf ~", None),
    ("uv-run-dashdash", "uv run -- git reset --hard", None),
    ("uv-run-alembic", "uv run alembic downgrade base", None),
    ("poetry-run", "poetry run git reset --hard", None),
    ("pipenv-run", "pipenv run git clean -fdx", None),
    ("conda-run", "conda run -n base rm -rf ~", None),
    ("bundle-exec", "bundle exec rm -rf ~", None),
    ("mise-exec", "mise exec -- rm -rf ~", None),
    ("devbox-run", "devbox run -- rm -rf ~", None),
    ("direnv-exec", "direnv exec . rm -rf ~", None),
    ("nix-shell-run", "nix-shell -p hello --run 'rm -rf ~'", None),
    ("npx-dotenv-cli", "npx dotenv-cli -- git reset --hard", None),
    ("npx-env-cmd", "npx env-cmd -f .env prisma migrate reset --force", None),
    ("npx-cross-env", "npx cross-env NODE_ENV=test prisma migrate reset --force", None),
    ("su-lc", "su -lc 'rm -rf /'", None),
    ("runuser-l-c", "runuser -l root -c 'rm -rf /'", None),
    ("sg-c", "sg root -c 'rm -rf /'", None),
    ("pkexec", "pkexec rm -rf /", None),
    ("env-iS", "env -iS 'rm -rf ~'", None),
    ("env-vS", "env -vS 'git reset --hard'", None),
    ("script-qc", "script -qc 'rm -rf ~' /dev/null", None),
    ("script-q-c", "script -q -c 'git reset --hard' /dev/null", None),
    ("tmux-new-session", "tmux new-session -d 'rm -rf ~'", None),
    ("screen-dmS", "screen -dmS x rm -rf ~", None),
    ("screen-bash-c", "screen -dm bash -c 'rm -rf ~'", None),
    ("at-pipe", "echo 'rm -rf ~' | at now", None),
    ("at-herestring", "at now <<< 'rm -rf ~'", None),
    ("batch-pipe", "echo 'rm -rf ~' | batch", None),
    ("chrt", "chrt -i 0 rm -rf ~", None),
    ("strace", "strace -f -o /dev/null rm -rf ~", None),
    ("ltrace", "ltrace rm -rf ~", None),
    ("unshare", "unshare -r rm -rf ~", None),
    ("nsenter", "nsenter -t 1 -m rm -rf /", None),
    ("systemd-run", "systemd-run --user rm -rf ~", None),
    ("expect-spawn", "expect -c 'spawn rm -rf ~; expect eof'", None),
    ("fakeroot", "fakeroot rm -rf ~", None),
    ("firejail", "firejail --noprofile rm -rf ~", None),
    ("toybox", "toybox rm -rf ~", None),
    ("xterm-e", "xterm -e rm -rf ~", None),
    ("entr-s", "entr -s 'rm -rf ~' <<< x", None),
    ("fish-c", "fish -c 'rm -rf ~'", None),
    ("tcsh-c", "tcsh -c 'rm -rf ~'", None),
    ("mksh-c", "mksh -c 'rm -rf ~'", None),
    ("pixi-run", "pixi run rm -rf ~", None),
    ("volta-run", "volta run rm -rf ~", None),
    ("fnm-exec", "fnm exec --using=20 npx prisma migrate reset --force", None),
    ("nvm-exec", "nvm exec 20 npx prisma migrate reset --force", None),
    ("corepack-pnpm-dlx", "corepack pnpm dlx prisma migrate reset --force", None),
    # C14 xargs / parallel / find
    ("xargs-i-optional", "echo ~ | xargs -i rm -rf {}", None),
    ("xargs-0", "printf '%s\\0' ~ | xargs -0 rm -rf", None),
    ("xargs-0-sh-c", "echo 'rm -rf ~' | xargs -0 sh -c", None),
    ("xargs-I-sh-c", "echo 'rm -rf ~' | xargs -I{} sh -c '{}'", None),
    ("xargs-sh-c-dollar0", "echo ~ | xargs sh -c 'rm -rf \"$0\"'", None),
    ("find-print0-xargs-0", "find ~ -maxdepth 0 -print0 | xargs -0 rm -rf", None),
    ("find-print0-xargs-0-I", "find ~ -maxdepth 0 -print0 | xargs -0 -I{} rm -rf {}", None),
    ("find-children-xargs", "find ~ -mindepth 1 -maxdepth 1 | xargs rm -rf", None),
    ("find-dot-xargs", "find . -maxdepth 1 | xargs rm -rf", None),
    ("ls-d-xargs", "ls -d ~ | xargs rm -rf", None),
    ("ls-A-xargs", "ls -A | xargs rm -rf", None),
    ("parallel-values", "parallel ::: 'rm -rf ~'", None),
    ("parallel-stdin-commands", "echo 'rm -rf ~' | parallel", None),
    ("parallel-stdin-args", "echo ~ | parallel rm -rf", None),
    ("find-type-f-shred", "find ~ -type f -print0 | xargs -0 shred -u", None),
    ("git-ls-files-others-xargs", "git ls-files -o -z | xargs -0 rm -rf", None),
    # C11 ${...} operators: defaults of unset variables, substitutions anywhere inside
    ("default-home", 'rm -rf "${DIR:-$HOME}"', None),
    ("default-root", 'rm -rf "${DIR:-/}"', None),
    ("default-unset-only", "rm -rf ${DIR-~}", None),
    ("assign-default", 'rm -rf "${DIR:=$HOME}"', None),
    ("subst-in-default", "echo ${x:-$(rm -rf ~)}", None),
    ("subst-in-assign-default", ": ${x:=$(rm -rf ~)}", None),
    ("subst-in-quoted-default", 'echo "${x:-$(git reset --hard)}"', None),
    ("subst-in-pattern", "echo ${x/$(rm -rf ~)/}", None),
    ("subst-in-length-index", "echo ${#x[$(rm -rf ~)]}", None),
    ("subst-in-assigned-index", "a[$(rm -rf ~)]=1", None),
    ("backquote-in-default", "echo ${x:-`rm -rf ~`}", None),
    ("backquote-in-heredoc", "cat <<EOF\n`rm -rf ~`\nEOF", None),
    ("subst-in-array", "a=($(rm -rf ~))", None),
    ("subst-in-declared-array", "declare -a a=($(rm -rf ~))", None),
    ("default-in-heredoc", "cat <<EOF\n${x:-$(rm -rf ~)}\nEOF", None),
    ("redirect-on-function-definition", "f() { echo; } 2>$(rm -rf ~); f", None),
    # C13 program names spelled so that the head word is not the program
    ("unset-var-in-name", "r${u}m -rf ~", None),
    ("empty-default-in-name", "r${u:-}m -rf ~", None),
    ("subst-in-name", "r$(true)m -rf ~", None),
    ("var-after-name", "rm$u -rf ~", None),
    ("var-in-path-name", "/bin/r${z}m -rf /", None),
    ("glob-class-name", "/bin/r[m] -rf ~", None),
    ("glob-any-name", "/bin/r? -rf ~", None),
    ("ansi-c-nul-prefix", "$'\\x00'rm -rf ~", None),
    ("hash-p", "hash -p /bin/rm ls; ls -rf ~", None),
    ("time-subshell", "time (rm -rf ~)", None),
    ("coproc", "coproc rm -rf ~", None),
    ("trap-exit", "trap 'rm -rf ~' EXIT", None),
    ("trap-then-command", "trap 'git reset --hard' EXIT; npm test", None),
    ("eval-dashdash", "eval -- 'rm -rf ~'", None),
    ("bash-c-dashdash", "bash -c -- 'rm -rf ~'", None),
    ("command-not-found-handle", "command_not_found_handle() { rm -rf ~; }; nosuchcmd", None),
    # C12 values the walk binds
    ("bash-c-positional", "bash -c 'rm -rf \"$1\"' _ ~", None),
    ("bash-c-dollar-at", "bash -c '$@' _ rm -rf ~", None),
    ("sh-c-dollar-star", 'sh -c "$*" _ rm -rf ~', None),
    ("function-positional", 'f() { rm -rf "$1"; }; f ~', None),
    ("function-keyword-all-args", 'function f { rm -rf "$@"; }; f ~', None),
    ("function-runs-its-args", 'f() { "$@"; }; f rm -rf ~', None),
    ("function-git-args", 'f() { git "$@"; }; f reset --hard', None),
    ("set-dashdash-arg", 'set -- ~; rm -rf "$1"', None),
    ("set-dashdash-command", 'set -- rm -rf ~; "$@"', None),
    ("set-dashdash-args", 'set -- -rf ~; rm "$@"', None),
    ("array-command", 'a=(rm -rf ~); "${a[@]}"', None),
    ("array-command-star", "a=(rm -rf ~); ${a[*]}", None),
    ("read-herestring", "read -r c <<< 'rm -rf /'; $c", None),
    ("read-array-ifs", "IFS=, read -ra a <<< 'rm,-rf,/'; \"${a[@]}\"", None),
    ("printf-v", "printf -v c 'rm -rf %s' /; $c", None),
    ("indirect-ref", "ref=c; c='rm -rf /'; ${!ref}", None),
    ("loop-over-unset-var", 'for d in "$HOME" /tmp; do rm -rf "$d"; done', None),
    ("nameref", "declare -n r=c; c='rm -rf /'; $r", None),
    ("while-read-herestring", 'while read d; do rm -rf "$d"; done <<< ~', None),
    # C09 shell stdin sources
    ("bash-dev-stdin", "bash /dev/stdin <<< 'rm -rf ~'", None),
    ("source-dev-stdin", "source /dev/stdin <<< 'rm -rf ~'", None),
    ("dot-dev-stdin", ". /dev/stdin <<< 'git reset --hard'", None),
    ("pipe-source-dev-stdin", "echo 'rm -rf ~' | source /dev/stdin", None),
    ("pipe-bash-dev-stdin", "echo 'rm -rf ~' | bash /dev/stdin", None),
    ("source-procsub", "source <(echo 'rm -rf ~')", None),
    ("bash-procsub", "bash <(echo 'rm -rf ~')", None),
    ("dot-procsub-printf", ". <(printf 'git reset --hard')", None),
    ("bash-stdin-procsub", "bash < <(echo 'rm -rf ~')", None),
    ("redirect-to-procsub-shell", "echo 'rm -rf ~' > >(sh)", None),
    ("tee-to-procsub-shell", "tee >(sh) <<< 'rm -rf ~'", None),
    ("pipe-tee-procsub-shell", "echo 'git clean -fdx' | tee >(bash) >/dev/null", None),
    ("exec-herestring-then-shell", "exec <<< 'rm -rf ~'; sh", None),
    ("exec-stdin-procsub-then-shell", "exec 0< <(echo 'rm -rf ~'); bash", None),
    ("pipe-while-read", "echo ~ | while read d; do rm -rf \"$d\"; done", None),
    # C10 text filters between a literal and a shell
    ("tr-d-cr", "echo 'rm -rf ~' | tr -d '\\r' | sh", None),
    ("head-1", "echo 'rm -rf ~' | head -1 | sh", None),
    ("grep-v", "echo 'rm -rf ~' | grep -v '^#' | bash", None),
    ("tee-dev-null", "echo 'rm -rf ~' | tee /dev/null | sh", None),
    ("cat-dash", "echo 'rm -rf ~' | cat - | sh", None),
    ("base64-di", "echo cm0gLXJmIH4= | base64 -di | sh", None),
    ("openssl-base64", "echo cm0gLXJmIH4= | openssl base64 -d | sh", None),
    ("openssl-enc-base64", "echo cm0gLXJmIH4= | openssl enc -base64 -d | sh", None),
    ("tr-rot", "echo 'ql -qe ~' | tr a-y b-z | sh", None),
    ("eval-tr-rot", "eval \"$(echo 'ql -qe ~' | tr 'a-y' 'b-z')\"", None),
    ("printf-b", "printf '%b' '\\x72m -rf ~' | sh", None),
    ("printf-octal", "printf '\\0162\\0155 -rf ~' | bash", None),
    ("printf-dashdash", "printf -- 'rm -rf ~' | sh", None),
    ("echo-unset-var-to-shell", 'echo "rm -rf $HOME" | sh', None),
    # C22 getopt bundles in wrapper options: a value letter after flag letters takes the next word
    ("sudo-iu", "sudo -iu postgres psql -c 'DROP DATABASE shop'", None),
    ("sudo-Hu", "sudo -Hu postgres psql -c 'DROP DATABASE shop'", None),
    ("sudo-nu-git", "sudo -nu deploy git -C /srv/app reset --hard", None),
    ("sudo-Eu", "sudo -Eu root rm -rf /", None),
    ("sudo-su", "sudo -su root rm -rf /", None),
    ("sudo-R", "sudo -R / rm -rf /", None),
    ("doas-nu", "doas -nu root rm -rf /", None),
    ("npx-yp", "npx -yp prisma prisma migrate reset --force", None),
    ("xargs-tI", "echo ~ | xargs -tI % rm -rf %", None),
    ("xargs-rn", "echo ~ | xargs -rn 1 rm -rf", None),
    ("ssh-ti", "ssh -ti ~/.ssh/id_ed25519 prod-db rm -rf /", None),
    ("ssh-Ap", "ssh -Ap 2222 prod-db rm -rf /", None),
    ("ssh-tl", "ssh -tl root prod-db rm -rf /", None),
    ("docker-exec-itu", "docker exec -itu postgres db psql -c 'DROP DATABASE shop'", None),
    ("docker-compose-exec-Tu", "docker compose exec -Tu postgres db psql -c 'DROP DATABASE shop'", None),
    ("timeout-vk", "timeout -vk 5 10 rm -rf ~", None),
    ("env-iC", "env -iC / rm -rf /", None),
    ("exec-cla", "exec -cla x rm -rf ~", None),
    # npx -c / npm exec --call: a command line
    ("npx-c", "npx -c 'prisma migrate reset --force'", None),
    ("npm-exec-call", "npm exec --call='prisma migrate reset --force'", None),
]

KNOWN_GAPS = {
}

PASSES = [
    # C05
    ("uv-run-twin", "uv run pytest -q"),
    ("uv-run-dashdash-twin", "uv run -- git status"),
    ("uv-run-alembic-twin", "uv run alembic upgrade head"),
    ("poetry-run-twin", "poetry run pytest"),
    ("pipenv-run-twin", "pipenv run python -m pytest"),
    ("conda-run-twin", "conda run -n base python -V"),
    ("bundle-exec-twin", "bundle exec rspec"),
    ("mise-exec-twin", "mise exec node@20 -- node -v"),
    ("devbox-run-twin", "devbox run -- make test"),
    ("direnv-exec-twin", "direnv exec . make build"),
    ("nix-shell-run-twin", "nix-shell -p hello --run hello"),
    ("npx-dotenv-cli-twin", "npx dotenv-cli -- npm test"),
    ("npx-env-cmd-twin", "npx env-cmd -f .env prisma migrate status"),
    ("npx-cross-env-twin", "npx cross-env NODE_ENV=test jest"),
    ("su-lc-twin", "su -lc 'whoami'"),
    ("runuser-twin", "runuser -u app -- ls /srv"),
    ("sg-c-twin", "sg docker -c 'docker ps'"),
    ("pkexec-twin", "pkexec ls /root"),
    ("env-iS-twin", "env -iS 'ls -la'"),
    ("script-qc-twin", "script -qc 'make test' /dev/null"),
    ("tmux-twin", "tmux new-session -d -s dev 'npm run dev'"),
    ("tmux-attach-twin", "tmux attach -t dev"),
    ("screen-twin", "screen -dmS x npm run dev"),
    ("screen-reattach-twin", "screen -r rm"),
    ("at-twin", "echo 'make backup' | at now"),
    ("chrt-twin", "chrt -i 0 make"),
    ("chrt-pid-twin", "chrt -p 0 1234"),
    ("strace-twin", "strace -f -o /dev/null ls"),
    ("unshare-twin", "unshare -r id"),
    ("systemd-run-twin", "systemd-run --user make"),
    ("expect-twin", "expect -c 'spawn ssh -V; expect eof'"),
    ("fakeroot-twin", "fakeroot dpkg-deb --build pkg"),
    ("xterm-twin", "xterm -e htop"),
    ("entr-twin", "entr -s 'make test' <<< x"),
    ("fish-c-twin", "fish -c 'ls ~'"),
    ("pixi-run-twin", "pixi run test"),
    ("nvm-exec-twin", "nvm exec 20 npx prisma migrate status"),
    ("corepack-enable-twin", "corepack enable"),
    # C14
    ("xargs-pyc-twin", "find . -name '*.pyc' | xargs rm -f"),
    ("xargs-glob-ls-twin", "ls *.log | xargs rm -f"),
    ("find-build-xargs-twin", "find build -maxdepth 0 | xargs rm -rf"),
    ("xargs-i-twin", "echo build | xargs -i rm -rf {}"),
    ("xargs-0-twin", "printf '%s\\0' build dist | xargs -0 rm -rf"),
    ("ls-A-xargs-twin", "ls -A | xargs echo"),
    ("ls-d-xargs-twin", "ls -d build | xargs rm -rf"),
    ("parallel-values-twin", "parallel ::: 'npm test' 'npm run lint'"),
    ("parallel-stdin-twin", "echo 'echo hi' | parallel"),
    ("parallel-args-twin", "echo build | parallel rm -rf"),
    ("xargs-sh-c-twin", "echo build | xargs sh -c 'rm -rf \"$0\"'"),
    # C11
    ("default-twin", 'rm -rf "${BUILD_DIR:-./build}"'),
    ("default-set-twin", 'DIR=dist; rm -rf "${DIR:-/}"'),
    ("subst-in-default-twin", "echo ${x:-$(date)}"),
    ("assign-default-twin", ": ${PORT:=8080}"),
    ("backquote-heredoc-twin", "cat <<EOF\n`date`\nEOF"),
    ("array-twin", "a=($(ls)); echo ${a[0]}"),
    # C13
    ("glob-name-twin", "/usr/bin/python[3] -m pytest"),
    ("var-in-name-twin", "./build-$VERSION.sh --help"),
    ("time-subshell-twin", "time (make test)"),
    ("trap-twin", "trap 'rm -f /tmp/lock' EXIT"),
    ("coproc-twin", "coproc cat"),
    ("hash-p-twin", "hash -p /usr/bin/python3 python; python -V"),
    ("bash-c-dashdash-twin", "bash -c -- 'ls -la'"),
    ("test-bracket-twin", "[ -f x ] && rm -f x"),
    # C12
    ("bash-c-positional-twin", "bash -c 'rm -rf \"$1\"' _ build"),
    ("function-positional-twin", 'f() { rm -rf "$1"; }; f build'),
    ("function-git-twin", 'f() { git "$@"; }; f status'),
    ("set-dashdash-twin", 'set -- build; rm -rf "$1"'),
    ("set-e-twin", "set -euo pipefail; ls"),
    ("array-twin-command", 'a=(ls -la); "${a[@]}"'),
    ("read-twin", "read -r c <<< 'ls -la'; $c"),
    ("printf-v-twin", "printf -v c 'ls %s' /tmp; $c"),
    ("indirect-ref-twin", "ref=c; c='ls -la'; ${!ref}"),
    ("nameref-twin", "declare -n r=c; c='ls -la'; $r"),
    ("function-redirect-twin", "f() { echo; } 2>$(mktemp); f"),
    ("command-not-found-handle-twin", 'command_not_found_handle() { echo "missing: $1"; }; nosuchcmd'),
    ("loop-over-var-twin", 'for d in "$BUILD" dist; do echo "$d"; done'),
    # C09
    ("bash-dev-stdin-twin", "bash /dev/stdin <<< 'ls -la'"),
    ("source-procsub-twin", "source <(echo 'export A=1')"),
    ("diff-procsub-twin", "diff <(echo 'rm -rf ~') <(echo b)"),
    ("tee-procsub-twin", "tee >(wc -l) <<< 'rm -rf ~'"),
    ("exec-herestring-twin", "exec <<< 'ls -la'; sh"),
    ("while-read-twin", "while read d; do echo \"$d\"; done <<< ~"),
    ("echo-var-to-shell-twin", 'echo "ls $HOME" | sh'),
    # C10
    ("tr-d-cr-twin", "echo 'ls -la' | tr -d '\\r' | sh"),
    ("head-1-twin", "echo 'rm -rf ~' | head -1 | cat"),
    ("grep-v-twin", "printf '# rm -rf ~\\nls\\n' | grep -v '^#' | bash"),
    ("base64-di-twin", "echo bHMgLWxh | base64 -di | sh"),
    ("tr-rot-twin", "echo 'ql -qe ~' | tr a-y b-z"),
    ("printf-b-twin", "printf '%b' '\\x6cs -la' | sh"),
    # C22
    ("sudo-iu-twin", "sudo -iu postgres psql -c 'SELECT 1'"),
    ("sudo-Eu-twin", "sudo -Eu root ls /root"),
    ("xargs-tI-twin", "echo build | xargs -tI % rm -rf %"),
    ("ssh-ti-twin", "ssh -ti ~/.ssh/id_ed25519 prod-db uptime"),
    ("timeout-vk-twin", "timeout -vk 5 10 make test"),
    ("env-iC-twin", "env -iC /tmp ls"),
    ("npx-c-twin", "npx -c 'prisma migrate status'"),
    ("npx-package-c-twin", "npx eslint -c .eslintrc.json src"),
]


@pytest.mark.parametrize(("command", "files"), blocked_params(BLOCKED, KNOWN_GAPS))
def test_evasion_blocked_or_asked(command: str, files: dict[str, str] | None) -> None:
    check_blocked(command, files)


@pytest.mark.parametrize(("command", "files"), passes_params(PASSES))
def test_benign_twin_passes(command: str, files: dict[str, str] | None) -> None:
    check_passes(command, files)


def test_suite_ids_and_gaps() -> None:
    check_suite(BLOCKED, PASSES, KNOWN_GAPS)


# The model itself (what the rules see), for the mechanisms above.
@pytest.mark.parametrize(("source", "argv"), [
    ("screen -dmS name rm -rf ~", ("rm", "-rf", "~")),  # `S` ends the bundle and takes the next word
    ("strace -fo log.txt rm x", ("rm", "x")),  # `o` takes the rest: the next word is the program
    ("uv run --with rich -- python x.py", ("python", "x.py")),
    ("bash -c 'echo \"$0:$1:$#\"' a b", ("echo", "a:b:1")),
    ('f() { echo "$2"; }; f a b; echo "$2"', ("echo", "$2")),  # positionals are restored after the call
    ("echo ~ | xargs -0 rm", ("rm", "~\n")),  # -0: the whole input is one item
    ('rm -rf "${DIR:-/tmp/x}"', ("rm", "-rf", "/tmp/x")),
    ("printf '%s-%b;' a 'b\\tc' d | sh", ("d-",)),  # the format is reused for `d` (the tab from %b splits a-b c)
    ("printf 'x\\ny\\nz\\n' | tail -n +2 | head -n 1 | sh", ("y",)),
])
def test_model_binds(source: str, argv: tuple[str, ...]) -> None:
    assert argv in [c.argv for c in parse_command(source).commands]


def test_unknown_program_names_are_marked_for_the_dynamic_program_rule() -> None:
    (cmd,) = parse_command("/bin/r[m] -rf ~").commands
    assert cmd.argv[0] == "$(glob /bin/r[m])" and cmd.dynamic
    (cmd,) = parse_command("r${u}m -rf ~").commands
    assert cmd.argv[0] == "$(unresolved r$um)" and cmd.dynamic
    (cmd,) = parse_command("'/bin/r[m]' -rf ~").commands  # quoted: no globbing, the name is literal
    assert cmd.argv[0] == "/bin/r[m]"
    (cmd,) = parse_command("$VENV/bin/python -m pytest").commands  # already starts with `$`: as before
    assert cmd.argv[0] == "$VENV/bin/python"
