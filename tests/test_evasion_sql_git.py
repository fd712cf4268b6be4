"""Evasions through database clients, git, rm and block devices (red team 2: C02, C15, C16, C19, C20).

Each BLOCKED command is what bash really runs as a destructive action (the client's own option parsing,
SQL engines' escapes and dynamic SQL, git's abbreviations and command-valued settings, globbed or
abbreviated rm arguments, devices written without `dd of=`): it must end in deny or ask. Each PASSES
command is its benign twin and must not. Pure engine over the built-in packs, fake layout of
guardrail.testing, no intent. Known gaps are strict xfails.
"""

from __future__ import annotations

import pytest

from guardrail.checks.options import expanded_options
from guardrail.sql.clients import client_options
from guardrail.shell.parse import parse_command
from evasion_cases import blocked_params, check_blocked, check_passes, check_suite, passes_params

DOWN = {"down.sql": "DROP TABLE users;\n"}
SEED = {"seed.sql": "INSERT INTO users VALUES (1);\n"}



BLOCKED = [
    # C02: getopt clusters ending in the SQL option, and attached values
    ("psql-tAc", "psql -tAc 'DROP TABLE users'", None),
    ("psql-url-tAc", "psql \"$DATABASE_URL\" -tAc 'TRUNCATE users'", None),
    ("psql-Xqc", "psql -Xqc 'DROP TABLE users'", None),
    ("psql-qAtc", "psql -qAtc 'DROP TABLE users'", None),
    ("psql-tc", "psql -tc 'DROP TABLE users'", None),
    ("psql-v-qc", "psql -v ON_ERROR_STOP=1 -qc 'DROP DATABASE shop'", None),
    ("psql-attached-c", "psql -cDROP\\ TABLE\\ users", None),
    ("psql-long-prefix", "psql --comm='DROP TABLE users'", None),
    ("psql-qf", "psql -qf down.sql", DOWN),
    ("psql-1f", "psql -1f down.sql", DOWN),
    ("psql-attached-f", "psql -fdown.sql", DOWN),
    ("mysql-se", "mysql -se 'DROP TABLE users'", None),
    ("mysql-Be", "mysql -Be 'DROP TABLE users'", None),
    ("mysql-NBe", "mysql -NBe 'DROP DATABASE shop'", None),
    ("mysql-attached-all", "mysql -uroot -pX -Dshop -Ne 'DROP TABLE users'", None),
    ("mysql-attached-e", "mysql -eDROP\\ TABLE\\ users", None),
    ("mysql-init-command", "mysql --init-command='DROP TABLE users' shop", None),
    ("mariadb-prefix", "mariadb --exec='TRUNCATE orders'", None),
    # C16: client escapes, includes and dynamic SQL
    ("psql-gexec", "psql -c \"SELECT 'DROP TABLE users' \\gexec\"", None),
    ("psql-do-concat", "psql -c \"DO \\$\\$ BEGIN EXECUTE 'DR'||'OP TABLE users'; END \\$\\$\"", None),
    ("psql-procsubst-file", "psql -f <(echo 'DROP TABLE users;')", None),
    ("mysql-exec-comment-version", "mysql -e '/*!50000 DROP DATABASE shop */'", None),
    ("mysql-exec-comment", "mysql -e '/*! DROP TABLE users */'", None),
    ("mysql-prepare-concat", "mysql -e 'PREPARE s FROM CONCAT(\"DR\",\"OP TABLE users\"); EXECUTE s'", None),
    ("mysql-procsubst-stdin", "mysql shop < <(echo 'DROP TABLE users;')", None),
    ("sqlite-procsubst-stdin", "sqlite3 app.db < <(echo 'DROP TABLE users;')", None),
    ("sqlite-cmd", "sqlite3 -cmd 'DROP TABLE users' app.db .quit", None),
    ("sqlite-init", "sqlite3 -init down.sql app.db .quit", DOWN),
    ("mysql-source", "mysql -e 'source down.sql'", DOWN),
    ("mysql-dot-include", "mysql -e '\\. down.sql'", DOWN),
    ("psql-include", "psql -c '\\i down.sql'", DOWN),
    ("psql-include-relative", "psql -c '\\ir down.sql'", DOWN),
    ("psql-include-in-file", "psql -f main.sql", {"main.sql": "\\i down.sql\n", **DOWN}),
    ("psql-shell-escape", "psql -c '\\! rm -rf ~'", None),
    ("mysql-system", "mysql -e 'system rm -rf ~'", None),
    ("mysql-shell-escape", "mysql -e '\\! rm -rf ~'", None),
    ("sqlite-shell", "sqlite3 app.db \".shell rm -rf ~\"", None),
    ("sqlite-system", "sqlite3 app.db \".system rm -rf ~\"", None),
    ("psql-do-drop-all-tables", "psql -c \"DO \\$\\$ DECLARE r record; BEGIN FOR r IN (SELECT tablename FROM pg_tables "
     "WHERE schemaname = 'public') LOOP EXECUTE 'DROP TABLE IF EXISTS ' || quote_ident(r.tablename) || ' CASCADE'; "
     "END LOOP; END \\$\\$\"", None),
    ("psql-do-format", "psql -c \"DO \\$\\$ BEGIN EXECUTE format('TRUNCATE %I CASCADE', 'users'); END \\$\\$\"", None),
    ("psql-gexec-format", "psql -c \"SELECT format('DROP TABLE %I;', tablename) FROM pg_tables \\gexec\"", None),
    ("mysql-prepare-var", "mysql -e \"SET @s = CONCAT('DROP TABLE ', @t); PREPARE s FROM @s; EXECUTE s\"", None),
    ("psql-copy-program", "psql -c \"COPY (SELECT 1) TO PROGRAM 'rm -rf ~'\"", None),
    ("psql-output-pipe", "psql -c '\\o |rm -rf ~'", None),
    ("psql-variable-table", "echo 'DROP TABLE :t;' | psql -v t=users", None),
    ("psql-quoted-variable", "psql -v t=users -f drop.sql", {"drop.sql": "DROP TABLE :\"t\";"}),
    # C15: git abbreviations, command-valued settings, plumbing
    ("git-reset-har", "git reset --har", None),
    ("git-clean-forc", "git clean --forc -dx", None),
    ("git-clean-requireforce", "git -c clean.requireForce=false clean -dx", None),
    ("git-config-requireforce", "git config clean.requireForce false && git clean -dx", None),
    ("git-pager", "git -c core.pager='rm -rf ~' log", None),
    ("git-pager-env", "GIT_PAGER='rm -rf ~' git log", None),
    ("git-ssh-command", "git -c core.sshCommand='rm -rf ~' fetch", None),
    ("git-ssh-command-env", "GIT_SSH_COMMAND='rm -rf ~' git fetch", None),
    ("git-fsmonitor", "git -c core.fsmonitor='rm -rf ~' status", None),
    ("git-editor", "git -c core.editor='rm -rf ~;:' commit", None),
    ("git-editor-env", "GIT_EDITOR='rm -rf ~;:' git commit", None),
    ("git-credential-helper", "git -c credential.helper='!rm -rf ~' fetch", None),
    ("git-diff-external", "git -c diff.external='rm -rf ~;:' diff", None),
    ("git-submodule-foreach", "git submodule foreach 'rm -rf ~'", None),
    ("git-submodule-foreach-words", "git submodule foreach --recursive git reset --hard", None),
    ("git-rebase-exec", "git rebase --exec 'rm -rf ~' HEAD~1", None),
    ("git-rebase-x", "git rebase -x 'git push --force origin main' HEAD~1", None),
    ("git-bisect-run", "git bisect run sh -c 'rm -rf ~'", None),
    ("git-read-tree", "git read-tree -u --reset HEAD", None),
    ("git-checkout-index", "git checkout-index -a -f", None),
    ("git-send-pack", "git send-pack --force origin main", None),
    ("git-branch-abbrev", "git branch --dele --forc feature/x", None),
    ("git-upload-pack", "git fetch --upload-pack='rm -rf ~;' .", None),
    ("git-difftool-extcmd", "git difftool -y --extcmd='rm -rf ~;:'", None),
    # C19: block devices without dd of= or >
    ("tee-device", "dd if=/dev/zero | tee /dev/sda", None),
    ("tee-device-stdin", "tee /dev/sda < /dev/zero", None),
    ("sudo-tee-device", "cat /dev/zero | sudo tee /dev/sda >/dev/null", None),
    ("cp-device", "cp /dev/zero /dev/sda", None),
    ("dd-block-major-minor", "dd if=/dev/zero of=/dev/block/8:0", None),
    ("dd-device-glob", "dd if=/dev/zero of=/dev/sd?", None),
    ("hdparm-erase", "hdparm --security-erase p /dev/sda", None),
    ("nvme-format", "nvme format /dev/nvme0n1", None),
    ("exec-fd-device", "exec 3>/dev/sda; cat /dev/zero >&3", None),
    ("python-open-device", "python3 -c \"open('/dev/sda','wb').write(bytes(1<<20))\"", None),
    ("docker-privileged-dd", "docker run --rm --privileged alpine dd if=/dev/zero of=/dev/sda", None),
    # C20: rm targets and options
    ("rm-tilde-plus", "rm -rf ~+", None),
    ("rm-long-prefixes", "rm --recu --for ~", None),
    ("rm-glob-root-range", "rm -rf /[a-z]*", None),
    ("rm-glob-root-any", "rm -rf /?*", None),
    ("rm-glob-home", "rm -rf ~/[!.]*", None),
    ("rm-glob-system-dir", "rm -rf /h?me", None),
    ("tar-remove-files", "tar -cf /dev/null --remove-files ~", None),
    ("zip-move", "zip -rm /tmp/h.zip ~", None),
    ("cd-then-relative", "cd / && rm -rf home", None),
]

PASSES = [
    ("psql-tAc-select", "psql -tAc 'SELECT count(*) FROM users'"),
    ("psql-Xqc-select", "psql -Xqc 'SELECT 1'"),
    ("psql-attached-select", "psql -cSELECT\\ 1"),
    ("psql-value-looks-like-sql", "psql -v DROP=1 -c 'SELECT 1'"),
    ("psql-dbname-drop", "psql -d drop_table_test -c 'SELECT 1'"),
    ("psql-qf-seed", "psql -qf seed.sql"),
    ("mysql-NBe-select", "mysql -NBe 'SELECT 1'"),
    ("mysql-password-cluster", "mysql -uroot -peDROP shop -e 'SELECT 1'"),
    ("mysql-comment-plain", "mysql -e '/* DROP TABLE users */ SELECT 1'"),
    ("psql-gexec-select", "psql -c \"SELECT 'SELECT 1' \\gexec\""),
    ("psql-concat-select", "psql -c \"SELECT 'DR' || 'OP TABLE users'\""),
    ("mysql-prepare-select", "mysql -e 'PREPARE s FROM CONCAT(\"SEL\",\"ECT 1\"); EXECUTE s'"),
    ("psql-gexec-format-select", "psql -c \"SELECT format('SELECT count(*) FROM %I', tablename) FROM pg_tables \\gexec\""),
    ("psql-concat-column", "psql -c \"SELECT 'user-' || name FROM users WHERE id = 1\""),
    ("mysql-prepare-var-select", "mysql -e \"SET @s = 'SELECT 1'; PREPARE s FROM @s; EXECUTE s\""),
    ("sqlite-cmd-pragma", "sqlite3 -cmd '.mode csv' app.db 'SELECT 1'"),
    ("sqlite-shell-ls", "sqlite3 app.db '.shell ls'"),
    ("psql-shell-escape-ls", "psql -c '\\! ls'"),
    ("psql-include-seed", "psql -c '\\i seed.sql'"),
    ("git-reset-soft-prefix", "git reset --sof HEAD~1"),
    ("git-push-ambiguous-prefix", "git push --forc origin main"),  # git: ambiguous option, refused
    ("git-clean-dry-prefix", "git clean --dry -dx"),
    ("git-pager-less", "git -c core.pager='less -R' log"),
    ("git-ssh-key", "GIT_SSH_COMMAND='ssh -i ~/.ssh/deploy' git fetch"),
    ("git-foreach-pull", "git submodule foreach git pull"),
    ("git-rebase-test", "git rebase --exec 'npm test' HEAD~3"),
    ("git-bisect-test", "git bisect run npm test"),
    ("git-read-tree-merge", "git read-tree -m HEAD origin/main"),
    ("git-checkout-index-export", "git checkout-index -a --prefix=/tmp/export/"),
    ("git-send-pack-plain", "git send-pack origin feature/x"),
    ("git-branch-abbrev-list", "git branch --lis"),
    ("git-upload-pack-path", "git fetch --upload-pack=/usr/bin/git-upload-pack origin"),
    ("psql-variable-select", "echo 'SELECT * FROM :t;' | psql -v t=users"),
    ("psql-copy-program-gzip", "psql -c \"COPY users TO PROGRAM 'gzip > /tmp/u.gz'\""),
    ("tee-file", "dd if=/dev/zero bs=1k count=1 | tee zero.bin"),
    ("cp-from-device", "cp /dev/sda1 backup.img"),
    ("hdparm-info", "hdparm -I /dev/sda"),
    ("nvme-list", "nvme list"),
    ("exec-fd-null", "exec 3>/dev/null; echo hi >&3"),
    ("rm-tilde-plus-sub", "rm -rf ~+/build"),
    ("rm-long-prefix-build", "rm --recu --for ./build"),
    # `rm -rf ~/Downloads/*.zip` was a twin here; since the effect model (issue 13) files in the home directory are
    # at risk (asked), so the twin deletes selected files where they can be got back
    ("rm-glob-logs", "rm -rf ~/.cache/pip/*.whl"),
    ("rm-glob-build", "rm -rf build/[a-z]*"),
    ("tar-remove-build", "tar -czf build.tgz --remove-files ./build"),
    ("zip-move-logs", "zip -rm logs.zip ./logs"),
]

KNOWN_GAPS: dict[str, str] = {
    "python-open-device": "inline-code scanning (guardrail/expand/code) does not treat open('/dev/sda','wb') as a device write",
}

FILES = {cid: files for cid, _, files in BLOCKED}


@pytest.mark.parametrize(("command", "files"), blocked_params(BLOCKED, KNOWN_GAPS))
def test_evasion_blocked_or_asked(command: str, files: dict[str, str] | None) -> None:
    check_blocked(command, files)


@pytest.mark.parametrize(("command", "files"), passes_params(PASSES, SEED))
def test_benign_twin_passes(command: str, files: dict[str, str] | None) -> None:
    check_passes(command, files)


def test_suite_ids_and_gaps() -> None:
    check_suite(BLOCKED, PASSES, KNOWN_GAPS)


@pytest.mark.parametrize(("client", "argv", "expected"), [
    ("psql", ["-tAc", "X"], [("sql", "-c", "X")]),
    ("psql", ["-cX"], [("sql", "-c", "X")]),
    ("psql", ["-v", "c=1", "-d", "db"], []),  # values of -v/-d are not SQL
    ("psql", ["-1f", "a.sql"], [("file", "-f", "a.sql")]),
    ("psql", ["--fi", "a.sql"], []),  # ambiguous prefix (--file, --field-separator...): psql refuses it
    ("psql", ["--command=X"], [("sql", "--command", "X")]),
    ("mysql", ["-pe", "-e", "X"], [("sql", "-e", "X")]),  # -p takes the rest of its cluster as the password
    ("mysql", ["-Ne", "X"], [("sql", "-e", "X")]),
    ("mysql", ["-D", "-e"], []),  # `-e` here is the database name
])
def test_client_option_parsing(client: str, argv: list[str], expected: list[tuple[str, str, str]]) -> None:
    assert client_options(client, argv)[0] == expected


def test_abbreviation_expansion_is_exact() -> None:
    def argv(line: str) -> tuple[str, ...] | None:
        full = expanded_options(parse_command(line).commands[0])
        return full.argv if full else None

    assert argv("git reset --har") == ("git", "reset", "--hard")
    assert argv("rm --recu --for x") == ("rm", "--recursive", "--force", "x")
    assert argv("git push --forc origin main") is None  # ambiguous in git (verified with git 2.39)
    assert argv("git reset --hard") is None  # nothing to expand
    assert argv("git reset -- --har") is None  # a path after `--`
