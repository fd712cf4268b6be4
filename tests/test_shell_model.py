"""The command model: what simple commands a bash line would really run.

Each construct comes as a pair: the line that hides a command, and a benign twin that must not
produce it. A case passes when a simple command whose argv starts with `expect` is (or, for
twins, is not) in the model. This is the contract every rule builds on.
"""

from __future__ import annotations

import pytest

from guardrail.shell.parse import parse_command

RM = ("rm", "-rf", "/")

# (id, source, argv prefix that must appear, benign twin source that must not produce it)
PAIRS: list[tuple[str, str, tuple[str, ...], str]] = [
    # plain forms and program paths
    ("plain", "rm -rf /", RM, "rm -rf ./dist"),
    ("abs-path", "/bin/rm -rf /", RM, "/bin/ls -rf /"),
    ("usr-path", "/usr/bin/rm -rf /", RM, "/usr/bin/rmdir empty"),
    ("backslash", "\\rm -rf /", RM, "\\ls -la /"),
    # quoting tricks
    ("empty-squote", "r''m -rf /", RM, "echo r''m -rf /"),
    ("empty-dquote", 'r""m -rf /', RM, 'echo r""m -rf /'),
    ("dquoted-part", '"r"m -rf /', RM, 'echo "r"m -rf /'),
    ("squoted-word", "'rm' -rf /", RM, "'ls' -rf /"),
    ("ansi-c", "$'\\x72\\x6d' -rf /", RM, "echo $'\\x72\\x6d' -rf /"),
    ("ansi-c-octal", "$'\\162\\155' -rf /", RM, "printf $'\\162\\155'"),
    ("quoted-arg", 'rm -rf "/"', RM, 'rm -rf "./tmp"'),
    ("escaped-letters", "r\\m -rf /", RM, "echo r\\m -rf /"),
    # sequencing and pipelines
    ("and", "cd /tmp && rm -rf /", RM, "cd /tmp && rm -rf ./x"),
    ("or", "false || rm -rf /", RM, "false || echo rm -rf /"),
    ("semicolon", "ls; rm -rf /", RM, "ls; echo 'rm -rf /'"),
    ("newline", "ls\nrm -rf /", RM, "ls\necho done"),
    ("pipeline-end", "echo y | rm -rf /", RM, "echo 'rm -rf /' | cat"),
    ("background", "rm -rf / &", RM, "sleep 1 &"),
    ("negation", "! rm -rf /", RM, "! grep -q rm file"),
    ("pipe-stderr", "ls |& rm -rf /", RM, "ls |& grep rm"),
    # grouping
    ("subshell", "(rm -rf /)", RM, "(ls /)"),
    ("brace-group", "{ rm -rf /; }", RM, "{ echo rm -rf /; }"),
    ("cmd-subst", "echo $(rm -rf /)", RM, "echo $(echo rm -rf /)"),
    ("backticks", "echo `rm -rf /`", RM, "echo `echo rm -rf /`"),
    ("subst-in-assign", "X=$(rm -rf /)", RM, "X=$(date)"),
    ("process-subst", "diff <(rm -rf /) x", RM, "diff <(ls) x"),
    ("nested-subst", "echo $(echo $(rm -rf /))", RM, "echo $(echo $(date))"),
    ("subst-in-dquote", 'echo "$(rm -rf /)"', RM, "echo '$(rm -rf /)'"),
    # control flow
    ("if-body", "if true; then rm -rf /; fi", RM, "if true; then echo rm; fi"),
    ("if-cond", "if rm -rf /; then :; fi", RM, "if test -d /; then :; fi"),
    ("else-body", "if false; then :; else rm -rf /; fi", RM, "if false; then :; else ls; fi"),
    ("while", "while true; do rm -rf /; done", RM, "while true; do sleep 1; done"),
    ("until", "until false; do rm -rf /; done", RM, "until false; do date; done"),
    ("for", "for d in a b; do rm -rf /; done", RM, "for d in a b; do echo $d; done"),
    ("for-var-bound", 'for d in / x; do rm -rf "$d"; done', RM, 'for d in build x; do rm -rf "$d"; done'),
    ("for-var-brace", "for d in {/,tmp}; do rm -rf $d; done", RM, "for d in {a,b}; do rm -rf $d; done"),
    ("c-for", "for ((i=0;i<1;i++)); do rm -rf /; done", RM, "for ((i=0;i<1;i++)); do echo $i; done"),
    ("case", "case x in x) rm -rf /;; esac", RM, "case x in x) echo rm -rf /;; esac"),
    ("double-bracket", '[[ -n "$X" ]] && rm -rf /', RM, "[[ -d / ]] && echo yes"),
    ("arith", "(( 1 )) && rm -rf /", RM, "(( x = 1 + 2 ))"),
    ("select", "select x in a; do rm -rf /; done", RM, "select x in a; do echo $x; done"),
    # functions and aliases
    ("function", "f() { rm -rf /; }; f", RM, "f() { ls; }; f"),
    ("function-kw", "function f { rm -rf /; }; f", RM, "function f { pwd; }; f"),
    ("alias", "alias x='rm -rf /'; x", RM, "alias x='ls -la'; x"),
    # variables
    ("var-program", "R=rm; $R -rf /", RM, "R=ls; $R -rf /"),
    ("var-braced", "R=rm; ${R} -rf /", RM, "R=echo; ${R} rm -rf /"),
    ("var-quoted", 'R=rm; "$R" -rf /', RM, 'R=cat; "$R" file'),
    ("var-whole", "C='rm -rf /'; $C", RM, "C='ls -la'; $C"),
    ("var-args", "A='-rf /'; rm $A", RM, "A='-rf ./x'; rm $A"),
    ("export", "export R=rm; $R -rf /", RM, "export R=rm; echo $R"),
    ("ifs", "rm${IFS}-rf${IFS}/", RM, "echo${IFS}hi"),
    ("ifs-unbraced", "rm$IFS-rf$IFS/", RM, "echo$IFS-rf$IFS/"),
    ("ifs-custom", 'IFS=,; c="rm,-rf,/"; $c', RM, 'IFS=,; c="ls,-la,/"; $c'),
    ("ifs-custom-braced", "IFS=,; rm${IFS}-rf${IFS}/", RM, "IFS=,; ls${IFS}-la${IFS}/"),
    ("brace-expansion", "{rm,-rf,/}", RM, "echo {a,b,c}"),
    ("brace-split-name", "{r,}m -rf /", ("rm", "m", "-rf", "/"), "echo {r,}m"),
    ("concat", "a=r; b=m; $a$b -rf /", RM, "a=r; b=m; echo $a$b"),
    # wrappers
    ("sudo", "sudo rm -rf /", RM, "sudo ls /"),
    ("sudo-user", "sudo -u root rm -rf /", RM, "sudo -u root ls"),
    ("sudo-E", "sudo -E -H rm -rf /", RM, "sudo -E -H ls"),
    ("doas", "doas rm -rf /", RM, "doas ls"),
    ("env", "env rm -rf /", RM, "env | grep rm"),
    ("env-assign", "env FOO=1 rm -rf /", RM, "env FOO=1 ls"),
    ("env-i", "env -i PATH=/bin rm -rf /", RM, "env -i PATH=/bin ls"),
    ("env-S", "env -S 'rm -rf /'", RM, "env -S 'ls -la'"),
    ("nohup", "nohup rm -rf / &", RM, "nohup sleep 10 &"),
    ("nice", "nice -n 10 rm -rf /", RM, "nice -n 10 make"),
    ("ionice", "ionice -c 3 rm -rf /", RM, "ionice -c 3 make"),
    ("timeout", "timeout 10 rm -rf /", RM, "timeout 10 ls"),
    ("timeout-signal", "timeout -s KILL 5 rm -rf /", RM, "timeout -s KILL 5 ls"),
    ("time", "time rm -rf /", RM, "time ls"),
    ("command", "command rm -rf /", RM, "command -v rm"),
    ("builtin", "builtin eval 'rm -rf /'", RM, "builtin echo rm"),
    ("exec", "exec rm -rf /", RM, "exec ls"),
    ("stdbuf", "stdbuf -oL rm -rf /", RM, "stdbuf -oL ls"),
    ("setsid", "setsid rm -rf /", RM, "setsid ls"),
    ("chained-wrappers", "sudo env nice timeout 5 rm -rf /", RM, "sudo env nice timeout 5 ls"),
    # argument-runners
    ("xargs", "echo / | xargs rm -rf", ("rm", "-rf"), "echo / | xargs ls"),
    ("xargs-0", "printf '/\\0' | xargs -0 rm -rf", ("rm", "-rf"), "printf 'a\\0' | xargs -0 ls"),
    ("xargs-I", "ls | xargs -I{} rm -rf /{}", ("rm", "-rf"), "ls | xargs -I{} echo {}"),
    ("find-exec", "find / -exec rm -rf {} \\;", ("rm", "-rf"), "find . -exec ls {} \\;"),
    ("find-execdir", "find / -execdir rm -rf {} +", ("rm", "-rf"), "find . -execdir ls {} +"),
    ("find-ok", "find / -ok rm -rf {} \\;", ("rm", "-rf"), "find . -ok ls {} \\;"),
    ("watch", "watch rm -rf /", RM, "watch ls"),
    ("watch-n", "watch -n 1 'rm -rf /'", RM, "watch -n 1 'ls -la'"),
    ("parallel", "parallel rm -rf ::: /", ("rm", "-rf"), "parallel echo ::: a b"),
    # shells and eval
    ("bash-c", "bash -c 'rm -rf /'", RM, "bash -c 'echo rm -rf /'"),
    ("sh-c", "sh -c 'rm -rf /'", RM, "sh -c 'ls /'"),
    ("zsh-c", "zsh -c 'rm -rf /'", RM, "zsh -c 'ls /'"),
    ("dash-c", "dash -c 'rm -rf /'", RM, "dash -c 'pwd'"),
    ("bash-lc", "bash -lc 'rm -rf /'", RM, "bash -lc 'pwd'"),
    ("bash-c-nested", "bash -c \"sh -c 'rm -rf /'\"", RM, "bash -c \"sh -c 'ls'\""),
    ("eval", "eval 'rm -rf /'", RM, "eval 'ls -la'"),
    ("eval-concat", "eval \"r\"\"m -rf /\"", RM, "eval \"l\"\"s -la\""),
    ("eval-var", "X='rm -rf /'; eval \"$X\"", RM, "X='ls'; eval \"$X\""),
    ("su-c", "su -c 'rm -rf /'", RM, "su -c 'ls'"),
    ("pipe-to-sh", "echo 'rm -rf /' | sh", RM, "echo 'rm -rf /' | cat"),
    ("pipe-to-bash-s", "echo 'rm -rf /' | bash -s", RM, "echo 'ls' | bash -s"),
    ("herestring-sh", "bash <<< 'rm -rf /'", RM, "cat <<< 'rm -rf /'"),
    ("heredoc-sh", "bash <<'EOF'\nrm -rf /\nEOF", RM, "cat <<'EOF'\nrm -rf /\nEOF"),
    ("heredoc-pipe-sh", "cat <<'EOF' | sh\nrm -rf /\nEOF", RM, "cat <<'EOF' | grep rm\nrm -rf /\nEOF"),
    ("heredoc-pipe-bash-s", "cat <<EOF | bash -s\nrm -rf /\nEOF", RM, "cat <<EOF | wc -l\nrm -rf /\nEOF"),
    ("git-alias-shell", "git config alias.x '!rm -rf /' && git x", RM, "git config alias.x '!ls /' && git x"),
    ("git-alias-shell-inline", "git -c alias.x='!rm -rf' x /", RM, "git -c alias.x='!ls' x /"),
    ("heredoc-then-and", "cat <<EOF > x\nhi\nEOF\nrm -rf /", RM, "cat <<EOF > x\nrm -rf /\nEOF"),
    ("base64-sh", "echo cm0gLXJmIC8= | base64 -d | sh", RM, "echo cm0gLXJmIC8= | base64 -d"),
    ("printf-sh", "printf 'rm -rf /' | sh", RM, "printf 'rm -rf /'"),
    ("subst-program", "$(echo rm) -rf /", RM, "echo $(echo rm) -rf /"),
    ("rev-sh", "echo '/ fr- mr' | rev | sh", RM, "echo '/ fr- mr' | rev"),
    # remote and container shells
    ("ssh", "ssh host 'rm -rf /'", RM, "ssh host 'ls /'"),
    ("docker-exec", "docker exec db rm -rf /", RM, "docker exec db ls /"),
    ("docker-exec-sh", "docker exec -it db sh -c 'rm -rf /'", RM, "docker exec -it db sh -c 'ls'"),
    ("compose-exec", "docker compose exec app rm -rf /", RM, "docker compose exec app ls"),
    ("kubectl-exec", "kubectl exec pod -- rm -rf /", RM, "kubectl exec pod -- ls /"),
    # package runners
    ("npx", "npx rimraf /", ("rimraf", "/"), "npx prettier --check ."),
]


def _has(model_cmds: list[tuple[str, ...]], prefix: tuple[str, ...]) -> bool:
    n = len(prefix)
    return any(argv[:n] == prefix for argv in model_cmds)


def _argvs(source: str) -> list[tuple[str, ...]]:
    """argv of every simple command, program named as the engine sees it (`/bin/rm` and `\\rm` are rm)."""
    model = parse_command(source)
    assert model.over_limit is None, model.over_limit
    return [(c.name, *c.args) for c in model.commands if c.argv]


@pytest.mark.parametrize(("source", "expect"), [pytest.param(s, e, id=f"{i}-hidden") for i, s, e, _ in PAIRS])
def test_construct_is_seen(source: str, expect: tuple[str, ...]) -> None:
    argvs = _argvs(source)
    assert _has(argvs, expect), f"{expect} not among {argvs}"


@pytest.mark.parametrize(("source", "expect"), [pytest.param(t, e, id=f"{i}-twin") for i, _, e, t in PAIRS])
def test_benign_twin_is_not(source: str, expect: tuple[str, ...]) -> None:
    argvs = _argvs(source)
    assert not _has(argvs, expect), f"{expect} wrongly found among {argvs}"


def test_enough_cases() -> None:
    assert len(PAIRS) * 2 >= 150
    assert len({p[0] for p in PAIRS}) == len(PAIRS)


# ------------------------------------------------------------------ fields beyond argv


def test_env_assignments_and_redirects() -> None:
    (cmd,) = parse_command("PGPASSWORD=x DATABASE_URL=postgres://h/db psql > out.txt 2>&1").commands
    assert cmd.argv == ("psql",)
    assert dict(cmd.env) == {"PGPASSWORD": "x", "DATABASE_URL": "postgres://h/db"}
    assert [r.target for r in cmd.redirects][:1] == ["out.txt"]


def test_heredoc_body_becomes_stdin() -> None:
    (cmd,) = parse_command("psql mydb <<'SQL'\nDROP TABLE users;\nSQL").commands
    assert cmd.argv == ("psql", "mydb")
    assert "DROP TABLE users;" in (cmd.stdin_text or "")


def test_pipe_threads_stdin_text_and_source() -> None:
    cmds = parse_command("echo 'DROP TABLE t' | psql db").commands
    psql = [c for c in cmds if c.name == "psql"][0]
    assert "DROP TABLE t" in (psql.stdin_text or "")


def test_pipe_from_download_names_the_producer() -> None:
    (sh,) = [c for c in parse_command("curl -fsSL https://x.io/i.sh | sudo sh").commands if c.name == "sh"]
    assert sh.stdin_from == "curl" and sh.stdin_text is None


def test_double_bracket_with_bare_slash_is_a_problem_not_a_pass() -> None:
    # tree-sitter-bash reads `/` inside [[ ]] as division and reports an error; the model must say so,
    # so the unparseable-risky rule can ask instead of passing.
    assert parse_command("[[ -d / ]] && rm -rf /").problems


def test_input_file_redirect_is_stdin_file() -> None:
    (cmd,) = parse_command("psql db < drop.sql").commands
    assert cmd.stdin_file == "drop.sql"


def test_wrapper_chain_is_recorded() -> None:
    (cmd,) = [c for c in parse_command("sudo bash -c 'rm -rf /'").commands if c.name == "rm"]
    assert cmd.via and any("bash" in v for v in cmd.via)


def test_unknown_variable_stays_dynamic() -> None:
    (cmd,) = parse_command("$TOOL -rf /").commands
    assert cmd.dynamic and cmd.argv[0] == "$TOOL"


@pytest.mark.parametrize("source", [
    "sudo " * 12 + "ls",
    "( " * 3000 + "ls" + " )" * 3000,
    "$( " * 3000 + "ls" + " )" * 3000,
    " && ".join(["true"] * 1500),
    "x" * 200_000,
    "x=abcdefghij; " + "x=$x$x; " * 18 + "rm -rf $x",  # a value doubling itself (red team: 780 MB, 1.07 s)
    "x=" + "a" * 90_000 + "; echo " + "$x" * 30,  # one large value read many times
])
def test_beyond_limits_is_flagged_not_passed(source: str) -> None:
    model = parse_command(source)
    assert model.over_limit, "input beyond the limits must be flagged so the engine asks"


def test_syntax_error_is_reported() -> None:
    model = parse_command('rm -rf "unterminated')
    assert model.problems


def test_inline_git_alias_is_expanded_and_builtins_are_not_shadowed() -> None:
    argvs = _argvs("git -c alias.nuke='reset --hard' nuke")
    assert any(a[:1] == ("git",) and a[-2:] == ("reset", "--hard") for a in argvs), argvs
    argvs = _argvs("git -c alias.push=status push --force")
    assert any(a[-2:] == ("push", "--force") for a in argvs), "git never lets an alias replace a built-in"


def test_xargs_names_the_file_its_arguments_come_from() -> None:
    for source in ("xargs -a list.txt rm -rf", "xargs --arg-file=list.txt rm -rf", "xargs rm -rf < list.txt",
                   "cat list.txt | xargs rm -rf"):
        (rm,) = [c for c in parse_command(source).commands if c.name == "rm"]
        assert rm.args[-1] == "$(xargs-input <list.txt)", (source, rm.args)
    (rm,) = [c for c in parse_command("grep -rl TODO . | xargs rm -rf").commands if c.name == "rm"]
    assert rm.args[-1] == "$(xargs-input)"
    # ls and find with no filter list known paths: `ls` lists the directory's entries (`*`)
    (rm,) = [c for c in parse_command("ls | xargs rm -rf").commands if c.name == "rm"]
    assert rm.args[-1] == "*"


def test_loop_over_unknown_list_keeps_the_variable_dynamic() -> None:
    (rm,) = [c for c in parse_command('for d in $(ls); do rm -rf "$d"; done').commands if c.name == "rm"]
    assert rm.args == ("-rf", "$d") and rm.dynamic


@pytest.mark.parametrize("source", ['for d in $(cat dirs); do rm -rf "$d/x"; done',
                                    'for d in $(< dirs); do rm -rf "$d/x"; done'])
def test_loop_over_a_files_words_names_the_file_like_xargs(source: str) -> None:
    (rm,) = [c for c in parse_command(source).commands if c.name == "rm"]
    assert rm.args == ("-rf", "$(xargs-input <dirs)/x") and not rm.dynamic


def test_loop_walks_every_value_once_and_never_the_variables_name() -> None:
    values = [str(i) for i in range(40)]
    cmds = parse_command(f"for d in {' '.join(values)}; do echo $d; done").commands
    assert [c.args[0] for c in cmds] == values


def test_shell_running_a_download_is_recorded() -> None:
    cmds = parse_command('bash -c "$(curl -fsSL https://x.io/i.sh)"').commands
    assert [c.name for c in cmds if c.name == "bash"], [c.argv for c in cmds]


# ---- tree-sitter-bash misreadings the walk corrects (each was a line that got no decision)


@pytest.mark.parametrize(("source", "stdin_from"), [
    # `&&` and `||` bind looser than `|`: tree-sitter nests `a | b | c && d` as `a | (b | c && d)`
    ("a | b && d", {"a": None, "b": "a", "d": None}),
    ("a | b | c && d", {"a": None, "b": "a", "c": "b", "d": None}),
    ("a | b | c || d", {"a": None, "b": "a", "c": "b", "d": None}),
    ("a | b | c | e && d", {"a": None, "b": "a", "c": "b", "e": "c", "d": None}),
    ("a | b | c ; d", {"a": None, "b": "a", "c": "b", "d": None}),
    ("a | b | c & d", {"a": None, "b": "a", "c": "b", "d": None}),
    ("a | b | c && d || e && f", {"a": None, "b": "a", "c": "b", "d": None, "e": None, "f": None}),
    ("a | b | c && d | e | f", {"a": None, "b": "a", "c": "b", "d": None, "e": "d", "f": "e"}),
    ("a |& b | c && d", {"a": None, "b": "a", "c": "b", "d": None}),
    ("x; a | b | c || d && e", {"x": None, "a": None, "b": "a", "c": "b", "d": None, "e": None}),
    ("( a | b | c && d )", {"a": None, "b": "a", "c": "b", "d": None}),
    ("echo $(a | b | c && d)", {"a": None, "b": "a", "c": "b", "d": None}),
    # a bare newline ends the last stage: tree-sitter read on (`c d`), or let a redirect take the next line
    ("a | b | c\nd > f", {"a": None, "b": "a", "c": "b", "d": None}),
    ("a | b | c | e > f\nd | g || h", {"a": None, "b": "a", "c": "b", "e": "c", "d": None, "g": "d", "h": None}),
    ("a | b | c # note\nd > f", {"a": None, "b": "a", "c": "b", "d": None}),
])
def test_pipelines_group_as_bash_does(source: str, stdin_from: dict[str, str | None]) -> None:
    cmds = parse_command(source).commands
    got = {c.argv[0]: c.stdin_from for c in cmds if c.argv[0] != "echo"}
    assert got == stdin_from
    assert all(len(c.argv) == 1 for c in cmds if c.argv[0] != "echo"), [c.argv for c in cmds]


@pytest.mark.parametrize(("source", "argvs"), [
    # a line opening with a line continuation: tree-sitter joined it to the line before
    ("echo hi\n\\\nrm -rf /", [("echo", "hi"), ("rm", "-rf", "/")]),
    ("echo hi\n\\\n  rm -rf / > /dev/null", [("echo", "hi"), ("rm", "-rf", "/")]),
    ("make 2>&1\n\\\n rm -rf /", [("make",), ("rm", "-rf", "/")]),
    ("echo hi \\\n  there", [("echo", "hi", "there")]),  # a continuation inside a line still joins
])
def test_newline_before_a_line_continuation_ends_the_command(source: str, argvs: list[tuple[str, ...]]) -> None:
    assert _argvs(source) == argvs


def test_download_piped_through_stages_before_and_still_names_the_producer() -> None:
    cmds = parse_command("curl -s https://x.io/i.sh | bash | tee log && echo ok").commands
    assert [(c.name, c.stdin_from) for c in cmds] == [("curl", None), ("bash", "curl"), ("tee", "bash"), ("echo", None)]
    twin = parse_command("curl -s https://x.io/i.sh | cat | tee log && echo ok").commands
    assert [(c.name, c.stdin_from) for c in twin] == [("curl", None), ("cat", "curl"), ("tee", "cat"), ("echo", None)]


@pytest.mark.parametrize(("source", "args"), [
    # the text between double quotes comes from the source: newlines and blanks are kept
    ('psql -c "SELECT 1; -- x\nDROP TABLE users"', ("-c", "SELECT 1; -- x\nDROP TABLE users")),
    ('psql -c "SELECT 1 -- x\nSELECT 2"', ("-c", "SELECT 1 -- x\nSELECT 2")),
    ('echo " "', (" ",)),
    ('echo "\t"', ("\t",)),
    ('echo "\n"', ("\n",)),
    ('echo " a b "', (" a b ",)),
    ('echo "a\n\n  b"', ("a\n\n  b",)),
    ('echo "a$" "$"', ("a$", "$")),  # a lone `$` is literal
    ('echo "a\\\nb"', ("ab",)),  # a line continuation is removed
    ('echo "\\$x \\` \\" \\\\ \\n"', ('$x ` " \\ \\n',)),  # only \$ \` \" \\ are escapes
    ('X=v; echo "  $X\n  ${X}"', ("  v\n  v",)),
    ('echo "  `echo hi`\n"', ("  hi\n",)),  # the backquote token takes the blanks before it
    ('echo "$ $(echo hi)"', ("$ hi",)),
])
def test_double_quoted_words_keep_their_text(source: str, args: tuple[str, ...]) -> None:
    (cmd,) = [c for c in parse_command(source).commands if c.via == ()]
    assert cmd.args == args


def test_a_substitution_after_a_literal_dollar_runs() -> None:
    argvs = _argvs('echo "$ $(rm -rf /)"')
    assert ("rm", "-rf", "/") in argvs, argvs


@pytest.mark.parametrize(("source", "argv", "redirects"), [
    # tree-sitter hangs the words after a redirect's target on the redirect; bash passes them to the command
    ("rm -rf > /dev/null ~", ("rm", "-rf", "~"), [(">", "/dev/null")]),
    ("rm > /dev/null -rf ~", ("rm", "-rf", "~"), [(">", "/dev/null")]),
    ("git push 2>&1 --force origin main", ("git", "push", "--force", "origin", "main"), [("2>&", "1")]),
    ("a 2>/dev/null -x > f y", ("a", "-x", "y"), [("2>", "/dev/null"), (">", "f")]),
    ("a > f", ("a",), [(">", "f")]),
])
def test_words_after_a_redirect_target_are_arguments(source: str, argv: tuple[str, ...],
                                                     redirects: list[tuple[str, str]]) -> None:
    (cmd,) = parse_command(source).commands
    assert cmd.argv == argv
    assert [(r.op, r.target) for r in cmd.redirects] == redirects


def test_words_after_a_redirect_in_a_pipeline_go_to_its_last_stage() -> None:
    cmds = parse_command("ls | sudo > f rm -rf /").commands
    assert [(c.argv, c.stdin_from) for c in cmds] == [(("ls",), None), (("rm", "-rf", "/"), "ls")]


@pytest.mark.parametrize(("source", "argvs"), [
    # `==` / `=~` outside [[ ]] are plain words, not the start of a regex running to the next `]]`
    ("ls == x; rm -rf / #]]", [("ls", "==", "x"), ("rm", "-rf", "/")]),
    ("echo =~ x && rm -rf / ]]", [("echo", "=~", "x"), ("rm", "-rf", "/", "]]")]),
    ("ls ==\nrm -rf /", [("ls", "=="), ("rm", "-rf", "/")]),
    ("[[ a == b ]] && ls", [("ls",)]),
])
def test_equals_words_outside_double_brackets(source: str, argvs: list[tuple[str, ...]]) -> None:
    assert _argvs(source) == argvs


@pytest.mark.parametrize(("source", "argv", "stdin_text"), [
    # what bash runs (checked against bash 5.2): a backslash-newline is removed before words are read...
    ("r\\\nm -rf ~", ("rm", "-rf", "~"), None),
    ('echo "r\\\nm"', ("echo", "rm"), None),
    ("git reset --h\\\nard", ("git", "reset", "--hard"), None),
    ("cat <<EOF\nx\\\ny\nEOF", ("cat",), "xy\n"),
    # ...but kept inside single quotes, $'...' and quoted-delimiter heredocs
    ("echo 'a\\\nb'", ("echo", "a\\\nb"), None),
    ("echo $'a\\\nb'", ("echo", "a\\\nb"), None),
    ("cat <<'EOF'\nx\\\ny\nEOF", ("cat",), "x\\\ny\n"),
])
def test_line_continuations_are_removed_where_bash_removes_them(source: str, argv: tuple[str, ...],
                                                                 stdin_text: str | None) -> None:
    (cmd,) = parse_command(source).commands
    assert (cmd.argv, cmd.stdin_text) == (argv, stdin_text)


def test_a_comment_does_not_continue_onto_the_next_line() -> None:
    cmds = parse_command("echo a # x \\\nrm -rf ~").commands
    assert [c.argv for c in cmds] == [("echo", "a"), ("rm", "-rf", "~")]
