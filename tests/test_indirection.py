"""Indirection: npm/pnpm/yarn/bun scripts, make, just and script files are followed to what they run."""

from __future__ import annotations

import json
import posixpath
from pathlib import Path

import pytest

from guardrail.model import EvalContext
from guardrail.engine import evaluate
from guardrail.expand.line import expand
from guardrail.expand.make import parse_justfile, parse_makefile
from guardrail.expand.scripts import is_trigger
from guardrail.model import SimpleCommand, ToolCall
from guardrail.packs import load_ruleset
from guardrail.shell.parse import parse_command

CWD = "/proj"


class Reader:
    """A read_file over a dict of files relative to CWD, counting reads."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = {posixpath.normpath(posixpath.join(CWD, k)): v for k, v in files.items()}
        self.reads: list[str] = []

    def __call__(self, path: str) -> str | None:
        self.reads.append(path)
        return self.files.get(posixpath.normpath(posixpath.join(CWD, path)))


def ctx_for(files: dict[str, str]) -> EvalContext:
    return EvalContext(cwd=CWD, project_dir=CWD, home="/home/u", read_file=Reader(files))


def cmd(source: str) -> SimpleCommand:
    (c,) = parse_command(source).commands
    return c


def run(source: str, files: dict[str, str]) -> list[tuple[str, ...]]:
    exp = expand(cmd(source), ctx_for(files))
    return [c.argv for c in exp.commands]


def pkg(**scripts: str) -> dict[str, str]:
    return {"package.json": json.dumps({"scripts": scripts})}


def test_npm_run_with_pre_and_post_scripts() -> None:
    files = pkg(prereset="echo start", reset="prisma migrate reset --force", postreset="echo done")
    assert run("npm run reset", files) == [("echo", "start"), ("prisma", "migrate", "reset", "--force"), ("echo", "done")]


def test_arguments_after_double_dash_are_appended() -> None:
    assert run("npm run db -- --force", pkg(db="prisma db push")) == [("prisma", "db", "push", "--force")]


def test_lifecycle_commands() -> None:
    files = pkg(test="jest", pretest="dropdb shop", postinstall="node setup.js")
    assert ("dropdb", "shop") in run("npm test", files)
    assert run("npm install", files) == [("node", "setup.js")]
    assert run("npm install lodash", files) == []  # adding a dependency does not run our own lifecycle


def test_yarn_pnpm_bun_bare_script_names() -> None:
    files = pkg(**{"db:reset": "rails db:reset"})
    for pm in ("yarn", "pnpm", "bun run"):
        assert run(f"{pm} db:reset", files) == [("rails", "db:reset")], pm


def test_bare_yarn_binary_without_script() -> None:
    assert run("yarn prisma migrate reset", pkg()) == [("prisma", "migrate", "reset")]


def test_recursive_scripts_name_the_chain() -> None:
    files = pkg(fresh="npm run drop && npm run seed", drop="psql -c 'DROP DATABASE shop'", seed="node seed.js")
    exp = expand(cmd("npm run fresh"), ctx_for(files))
    drop = next(c for c in exp.commands if c.name == "psql")
    assert drop.via == ("npm run fresh", "npm run drop")


def test_cycles_are_detected_not_followed_forever() -> None:
    exp = expand(cmd("npm run a"), ctx_for(pkg(a="npm run b", b="npm run a")))
    assert any(p.startswith("cycle:") for p in exp.problems)
    assert len(exp.commands) < 10


def test_depth_is_bounded() -> None:
    scripts = {f"s{i}": f"npm run s{i + 1}" for i in range(20)}
    exp = expand(cmd("npm run s0"), ctx_for(pkg(**scripts)))
    assert any("deeper" in p for p in exp.problems)
    assert len(exp.commands) <= 6


def test_missing_files_are_problems_not_errors() -> None:
    exp = expand(cmd("npm run db:reset"), ctx_for({}))
    assert exp.commands == [] and exp.unresolved == ["npm run db:reset"]
    exp = expand(cmd("make reset"), ctx_for({}))
    assert exp.commands == [] and exp.unresolved == ["make reset"]
    assert expand(cmd("npm run x"), ctx_for({"package.json": "{not json"})).commands == []
    assert expand(cmd("./nope.sh"), ctx_for({})).unresolved == ["./nope.sh"]


def test_prefix_runs_in_the_package_directory() -> None:
    files = {"api/package.json": json.dumps({"scripts": {"wipe": "./bin/wipe.sh"}}), "api/bin/wipe.sh": "dropdb shop\n"}
    assert ("dropdb", "shop") in run("npm --prefix api run wipe", files)


MAKEFILE = """\
DB ?= shop
PSQL = psql -d $(DB)

.PHONY: reset drop migrate
all: build

build:
\tgo build ./...

reset: drop migrate ## drop and rebuild

drop:
\t@$(PSQL) -c 'DROP SCHEMA public CASCADE'

migrate:
\t-alembic upgrade head
\t$(MAKE) seed

seed:
\tpython seed.py
"""


def test_make_follows_prerequisites_variables_and_submake() -> None:
    argvs = run("make reset", {"Makefile": MAKEFILE})
    assert argvs[0] == ("psql", "-d", "shop", "-c", "DROP SCHEMA public CASCADE")
    assert ("alembic", "upgrade", "head") in argvs
    assert ("python", "seed.py") in argvs  # through $(MAKE) seed


def test_make_default_target_and_overrides() -> None:
    assert run("make", {"Makefile": MAKEFILE}) == [("go", "build", "./...")]
    assert run("make drop DB=prod", {"Makefile": MAKEFILE})[0][:3] == ("psql", "-d", "prod")


def test_make_dry_run_runs_nothing() -> None:
    assert run("make -n reset", {"Makefile": MAKEFILE}) == []


def test_make_directory_and_file_options() -> None:
    assert run("make -C db drop", {"db/Makefile": MAKEFILE})[0][0] == "psql"
    assert run("make -f ops.mk drop", {"ops.mk": MAKEFILE})[0][0] == "psql"


def test_parse_makefile_shapes() -> None:
    mf = parse_makefile(MAKEFILE)
    assert mf.default == "all"
    assert mf.rules["reset"][0] == ["drop", "migrate"]
    assert mf.variables["DB"] == "shop"


JUSTFILE = """\
db := "shop"

default: test

test:
    pytest -q

# wipe everything
nuke target=db: stop
    @dropdb {{target}}

stop:
    docker compose stop
"""


def test_just_recipes_dependencies_and_parameters() -> None:
    assert run("just nuke", {"justfile": JUSTFILE}) == [("docker", "compose", "stop"), ("dropdb", "shop")]
    assert run("just nuke analytics", {"justfile": JUSTFILE})[-1] == ("dropdb", "analytics")
    assert run("just", {"justfile": JUSTFILE}) == [("pytest", "-q")]
    assert run("just --list", {"justfile": JUSTFILE}) == []
    recipes, default, variables = parse_justfile(JUSTFILE)
    assert default == "default" and variables["db"] == "shop" and recipes["nuke"][1] == ["stop"]


def test_script_files_shell_and_interpreters() -> None:
    files = {"scripts/wipe.sh": "#!/usr/bin/env bash\nset -e\nredis-cli FLUSHALL\n",
             "tools/reset.py": "#!/usr/bin/env python3\nimport os\nos.system('dropdb shop')\n",
             "db.sh": "dropdb \"$1\"\n"}
    assert run("./scripts/wipe.sh", files) == [("set", "-e"), ("redis-cli", "FLUSHALL")]
    assert run("bash scripts/wipe.sh", files)[-1] == ("redis-cli", "FLUSHALL")
    assert run("sh db.sh prod", files) == [("dropdb", "prod")]
    (py,) = run("./tools/reset.py", files)
    assert py[:2] == ("python", "-c")
    assert run("bash -n scripts/wipe.sh", files) == []


def test_binary_and_vendored_files_are_not_parsed() -> None:
    assert run("./a.out", {"a.out": "\x7fELF\x00\x00"}) == []
    assert not is_trigger(cmd("./node_modules/.bin/prisma migrate reset"))


def test_triggers_are_cheap_name_tests() -> None:
    assert is_trigger(cmd("npm run x")) and is_trigger(cmd("make")) and is_trigger(cmd("./x.sh"))
    assert not is_trigger(cmd("ls -la")) and not is_trigger(cmd("git status")) and not is_trigger(cmd("/usr/bin/env"))


# --------------------------------------------------------------------------- end to end through the engine

@pytest.fixture(scope="module")
def ruleset():  # type: ignore[no-untyped-def]
    return load_ruleset()


def decide(ruleset, command: str, files: dict[str, str]):  # type: ignore[no-untyped-def]
    return evaluate(ToolCall("Bash", {"command": command}, cwd=CWD), ruleset, ctx_for(files))


def test_reason_names_the_chain(ruleset) -> None:  # type: ignore[no-untyped-def]
    v = decide(ruleset, "npm run db:reset", pkg(**{"db:reset": "prisma migrate reset --force"}))
    assert v.decision == "deny"
    assert "npm run db:reset -> prisma migrate reset --force" in v.reason


def test_real_files_on_disk(ruleset, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "package.json").write_text(json.dumps({"scripts": {"clean": "make wipe"}}))
    (tmp_path / "Makefile").write_text("wipe:\n\tdocker compose down -v\n")

    def read(path: str) -> str | None:
        p = Path(path if path.startswith("/") else tmp_path / path)
        try:
            return p.read_text()[:256_000]
        except OSError:
            return None

    ctx = EvalContext(cwd=str(tmp_path), project_dir=str(tmp_path), read_file=read)
    v = evaluate(ToolCall("Bash", {"command": "npm run clean"}, cwd=str(tmp_path)), ruleset, ctx)
    assert v.decision == "deny"
    assert "npm run clean -> make wipe -> docker compose down -v" in v.reason


def test_benign_scripts_stay_silent(ruleset) -> None:  # type: ignore[no-untyped-def]
    files = pkg(build="tsc -p .", test="vitest run", lint="eslint .", dev="next dev")
    for c in ("npm run build", "npm test", "pnpm lint", "yarn dev"):
        assert decide(ruleset, c, files).decision is None, c


# --------------------------------------------------------------------------- robustness: checks never raise

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_WORDS = st.sampled_from(["npm", "run", "make", "just", "./x.sh", "bash", "x.sh", "-C", "--", "psql", "-c", "-f",
                          "DROP TABLE t", "a.sql", "python", "-e", "redis-cli", "FLUSHALL", "mongosh", "--eval",
                          "$(x)", "'", "\"", ";", "|", "<", "db:reset", "-w", "include", "prisma", "migrate", "reset"])


@settings(max_examples=150, deadline=None)
@given(words=st.lists(_WORDS, min_size=1, max_size=8), blob=st.text(max_size=300))
def test_checks_and_expansion_never_raise(words: list[str], blob: str) -> None:
    from guardrail.checks.registry import CHECKS

    files = {"package.json": blob, "Makefile": blob, "justfile": blob, "x.sh": blob, "a.sql": blob}
    ctx = ctx_for(files)
    for c in parse_command(" ".join(words)).commands:
        expand(c, ctx)
        for name in ("sql-destructive", "mongo-destructive", "redis-destructive", "inline-code-sql", "inline-code-orm",
                     "indirect", "indirect-unresolved", "target-env", "http-destructive-cloud"):
            CHECKS[name](c, ctx, {})


@settings(max_examples=100, deadline=None)
@given(path=st.sampled_from(["/p/package.json", "/p/.github/workflows/ci.yml", "/home/u/.bashrc", "/p/Makefile",
                             "/p/.claude/settings.json", "/p/.git/hooks/pre-commit", "/p/a.py"]),
       content=st.text(max_size=400), tool_input=st.dictionaries(st.sampled_from(["sql", "query", "x", "name"]),
                                                                 st.text(max_size=80), max_size=3))
def test_file_and_mcp_checks_never_raise(path: str, content: str, tool_input: dict[str, str]) -> None:
    from guardrail.checks.registry import CHECKS
    from guardrail.model import FileWrite

    ctx = ctx_for({})
    CHECKS["autorun-write"](FileWrite(path, content, "Write"), ctx, {})
    CHECKS["overwrite-existing"](FileWrite(path, content, "Write"), ctx, {"paths": [".env"]})
    call = ToolCall("mcp__db__drop_" + "x", tool_input)
    CHECKS["mcp-sql"](call, ctx, {})
    CHECKS["mcp-destructive-name"](call, ctx, {})


# --------------------------------------------------------------------------- the line: cd and written files

def test_expand_in_another_directory() -> None:
    files = {"api/package.json": json.dumps({"scripts": {"x": "dropdb shop"}})}
    assert [c.argv for c in expand(cmd("npm run x"), ctx_for(files), cwd="/proj/api").commands] == [("dropdb", "shop")]
    assert expand(cmd("npm run x"), ctx_for(files)).commands == []


def test_expand_all_follows_cd_and_scopes_it() -> None:
    from guardrail.expand.line import expand_all

    files = {"api/Makefile": "x:\n\tdropdb api\n", "Makefile": "x:\n\tdropdb root\n"}

    def argvs(line: str) -> list[tuple[str, ...]]:
        ctx = ctx_for(files)
        ctx.source = line
        return [c.argv for c in expand_all(parse_command(line).commands, ctx)]

    assert argvs("cd api && make x") == [("dropdb", "api")]
    # the cd ends with its `bash -c`; inside it the earlier directory stays an alternate (the model cannot tell
    # one `bash -c` from the next)
    nested = argvs("bash -c 'cd api && make x'; make x")
    assert nested[0] == ("dropdb", "api") and nested[-1] == ("dropdb", "root")
    assert ("dropdb", "root") in argvs("(cd api && make x) && make x")  # no subshell marks: both directories
    assert argvs("cd api && cd .. && make x") == [("dropdb", "root")]


def test_shell_operands() -> None:
    from guardrail.expand.scripts import _shell_operand

    assert _shell_operand(cmd("bash -eo pipefail x.sh a")) == ("file", "x.sh", ["a"])
    assert _shell_operand(cmd("bash -- x.sh")) == ("file", "x.sh", [])
    assert _shell_operand(cmd("sh -s -- a < x.sh")) == ("stdin", "x.sh", ["a"])
    assert _shell_operand(cmd("bash -n x.sh"))[0] == "none"


def test_written_files_are_read_by_later_commands() -> None:
    from guardrail.expand.line import expand_all

    line = "printf 'a:\\n\\tdropdb x\\n' > Makefile && make a"
    ctx = ctx_for({})
    assert [c.argv for c in expand_all(parse_command(line).commands, ctx)] == [("dropdb", "x")]
    assert ctx.read("Makefile") == "a:\n\tdropdb x\n"  # every check reads the text the line wrote


def test_writes_then_runs_is_the_engine_cue() -> None:
    from guardrail.expand.line import writes_then_runs

    assert writes_then_runs(parse_command("echo 'DROP TABLE t;' > x.sql && psql -f x.sql").commands)
    assert writes_then_runs(parse_command("npm pkg set scripts.x=ls && npm run x").commands)
    assert not writes_then_runs(parse_command("psql -f x.sql > /dev/null").commands)
    assert not writes_then_runs(parse_command("ls > out.txt").commands)  # nothing after the write

