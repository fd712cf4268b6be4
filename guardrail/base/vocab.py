"""Program vocabularies: which programs play which role, each role defined once and named by meaning.

Every list of program names that the shell model, script following, the checks, the prefilter and the rule
packs use is here, or derived here from these. A role's members drifted apart when they were kept in several
places (`bash wipe.sh` was followed while `mksh wipe.sh` was not); a program added to a role here reaches
every reader of that role. Packs name these lists as `@name` (see PACK_LISTS).

Sets hold program names as the command model reports them (`SimpleCommand.name`: the basename of argv[0]).
"""

from __future__ import annotations

# ---- shells and scripts

# Shells that read POSIX sh scripts: `-c SCRIPT`, a script file operand or the script on stdin.
BOURNE_SHELLS = frozenset({"sh", "bash", "rbash", "zsh", "dash", "ksh", "ksh93", "ash", "hush", "mksh", "lksh", "oksh",
                           "pdksh", "yash", "posh", "osh"})
# Shells of another language. Their scripts are not bash, but a script of plain commands reads the same, which is
# better than not reading it at all.
OTHER_SHELLS = frozenset({"fish", "csh", "tcsh", "nu", "elvish", "xonsh"})
SHELLS = BOURNE_SHELLS | OTHER_SHELLS
# Builtins that run a script file in the current shell.
SOURCE_BUILTINS = frozenset({"source", "."})
# Programs that run a shell script they are given as a file or on stdin.
SCRIPT_READERS = SHELLS | SOURCE_BUILTINS
# Job queues: they run a shell script later, read from stdin or from `-f FILE`.
JOB_QUEUES = frozenset({"at", "batch"})
# Builtins that change the directory later commands run in.
CD_BUILTINS = frozenset({"cd", "pushd", "popd", "chdir"})
# Wrappers that run their command in the current shell, not a new one: a `cd` under them moves what follows.
SAME_SHELL_WRAPPERS = frozenset({"builtin", "command", "eval", "time"})

# ---- interpreters

# Interpreters and the language of the code they run (from a file, inline or on stdin). `python3.12` and other
# versioned names are matched by prefix where names are tested (see is_python).
INTERPRETERS: dict[str, str] = {
    "python": "python", "python3": "python", "pypy": "python", "pypy3": "python",
    "node": "node", "deno": "node", "bun": "node",
    "ruby": "ruby", "perl": "perl", "php": "php", "lua": "lua", "luajit": "lua",
    "Rscript": "r", "R": "r", "osascript": "applescript",
}
# Options that give an interpreter its code inline, per language.
INLINE_CODE_OPTIONS: dict[str, tuple[str, ...]] = {
    "python": ("-c",), "node": ("-e", "--eval", "-p", "--print"), "ruby": ("-e",), "perl": ("-e", "-E"),
    "php": ("-r",), "lua": ("-e",), "r": ("-e", "--expr"), "applescript": ("-e",),
}
# The program that runs a language's code inline (a script file in that language is judged as this program's
# inline code).
LANGUAGE_PROGRAMS: dict[str, str] = {"python": "python", "node": "node", "ruby": "ruby", "perl": "perl", "php": "php",
                                     "lua": "lua", "r": "Rscript", "applescript": "osascript"}
# Per program (`deno eval CODE`: a subcommand, not an option; `uv run python -c CODE`: see inline_code).
INLINE_FLAGS: dict[str, tuple[str, ...]] = {
    **{name: INLINE_CODE_OPTIONS[lang] for name, lang in INTERPRETERS.items()},
    "deno": ("eval",), "uv": ("-c",),
}


def is_python(name: str) -> bool:
    """`python`, `python3`, `python3.12`, `pypy3`: a Python interpreter by its program name."""
    return name.startswith(("python", "pypy"))


# Programs that run code piped or downloaded into them: every shell and interpreter, and PowerShell.
CODE_RUNNERS = SCRIPT_READERS | frozenset(INTERPRETERS) | frozenset({"pwsh"})

# ---- package managers and task runners

PACKAGE_MANAGERS = frozenset({"npm", "pnpm", "yarn", "bun"})
# Task runners that run package.json scripts by name (`run-s db:*`) or shell commands (`concurrently "a" "b"`).
TASK_RUNNERS = frozenset({"run-s", "run-p", "npm-run-all", "concurrently", "turbo", "lerna", "nx"})
# Python package installers (`pip uninstall`, `pipx uninstall`, `uv tool uninstall`, `uv pip uninstall`).
PYTHON_INSTALLERS = frozenset({"pip", "pip3", "pipx", "uv", "conda", "mamba", "micromamba"})
MAKES = frozenset({"make", "gmake"})
JUSTS = frozenset({"just"})

# ---- tools that run commands given in their own options or scripts

AWKS = frozenset({"awk", "gawk", "mawk", "nawk", "busybox-awk"})
SEDS = frozenset({"sed", "gsed"})
VIMS = frozenset({"vim", "vi", "nvim", "ex", "view", "gvim", "vimdiff", "rvim"})
TARS = frozenset({"tar", "gtar", "bsdtar"})
# Archivers that can delete what they archive (`tar --remove-files`, `zip -m`).
ARCHIVERS = TARS | frozenset({"zip"})

# ---- the network

# Programs whose output can come from the network: a download piped into a shell runs code nobody saw.
DOWNLOADERS = frozenset({"curl", "wget", "wget2", "aria2c", "curlie", "fetch", "http", "https", "httpie", "xh", "xhs",
                         "lwp-request", "GET", "lynx", "w3m", "nc", "ncat", "netcat", "socat", "gh", "glab",
                         "Invoke-WebRequest", "Invoke-RestMethod"})  # PowerShell's, as its model spells them
# Windows shells: the shell model hands their command text to the PowerShell and cmd model (guardrail.shell.powershell)
WINDOWS_SHELLS = frozenset({"pwsh", "pwsh.exe", "powershell", "powershell.exe", "cmd", "cmd.exe"})
POWERSHELLS = frozenset({"pwsh", "pwsh.exe", "powershell", "powershell.exe"})  # run .ps1 files (`-File x.ps1`)
REMOTE_SHELLS = frozenset({"ssh", "autossh", "mosh"})

# Programs that send their stdin to a peer (`cat .env | nc host 9000`, `ssh host 'cat > x' < key`).
STREAM_SENDERS = frozenset({"nc", "ncat", "netcat", "socat", "telnet", "ssh", "autossh", "openssl", "mail", "mailx",
                            "sendmail", "mutt"})
# HTTP clients that can send a body or an upload (`curl -d @file`, `wget --post-file`, `http POST url @file`).
HTTP_SENDERS = frozenset({"curl", "wget", "wget2", "http", "https", "httpie", "xh", "xhs", "curlie"})
# Programs that copy files to another host (`scp f host:`, `rsync f host:/x`).
REMOTE_COPIERS = frozenset({"scp", "sftp", "rsync"})
# Programs that resolve a host name: a name built from data leaks the data to the name's DNS server.
NAME_RESOLVERS = frozenset({"nslookup", "dig", "host", "ping", "ping6", "drill", "traceroute", "tracepath", "kdig",
                            "delv", "getent", "whois", "resolvectl", "mtr"})
# Cloud CLIs that copy a local file to a bucket (`aws s3 cp f s3://b/`, `gsutil cp`, `rclone copy f remote:`).
CLOUD_COPIERS = frozenset({"aws", "awslocal", "gsutil", "gcloud", "az", "rclone", "s3cmd", "mc"})
# ---- secrets
# Every program that can carry data off the machine (the cheap guard before the secret flow is traced).
SECRET_SENDERS = (HTTP_SENDERS | STREAM_SENDERS | REMOTE_COPIERS | NAME_RESOLVERS | CLOUD_COPIERS
                  | frozenset({"gh", "glab", "git", "pastebinit"}))
# Programs that print the text of the files they are given (or of stdin): a secret file read by one of these
# enters whatever reads its output (the model's context, a pipe, a file).
CONTENT_READERS = frozenset({"cat", "tac", "head", "tail", "less", "more", "most", "bat", "batcat", "nl", "grep",
                             "egrep", "fgrep", "rg", "ag", "ack", "sed", "gsed", "cut", "sort", "uniq", "base64",
                             "base32", "basenc", "xxd", "od", "hexdump", "hd", "strings", "jq", "yq", "tr", "paste",
                             "column", "fold", "fmt", "pr", "diff", "comm", "join", "iconv", "read", "dd", "tee",
                             "view", "awk", "gawk", "mawk", "nawk", "envsubst"})
# Programs whose first operand is a pattern or a program, not a file.
PATTERN_FIRST = frozenset({"grep", "egrep", "fgrep", "rg", "ag", "ack", "sed", "gsed", "awk", "gawk", "mawk", "nawk"})
# Programs that copy or pack a file into another one (the copy holds the secret too).
FILE_COPIERS = frozenset({"cp", "mv", "install", "ln", "tar", "gtar", "bsdtar", "zip", "7z", "gzip", "base64", "rsync"})
# ---- containers, clusters, infrastructure

CONTAINER_ENGINES = frozenset({"docker", "podman", "nerdctl", "docker-compose", "podman-compose"})
KUBE_CLIS = frozenset({"kubectl", "oc", "kubecolor", "microk8s.kubectl"})
# Tools that act on the cluster their kubeconfig's current context names.
KUBECONFIG_READERS = KUBE_CLIS | frozenset({"helm", "helmfile", "k9s", "kustomize", "skaffold"})
# Tools that log in to a container registry (`docker login -p PASSWORD`).
REGISTRY_CLIENTS = CONTAINER_ENGINES | frozenset({"buildah", "skopeo", "helm", "oras", "crane"})
# Subcommands of container engines and cluster CLIs that run a command of their own.
CONTAINER_RUN_VERBS = frozenset({"run", "exec", "debug", "attach", "rsh", "start"})
TERRAFORMS = frozenset({"terraform", "tofu", "terragrunt", "terraform-local", "tflocal"})

# ---- files

# General tools that can write a block device named as an operand (dd and the disk tools are rules' own programs).
DEVICE_WRITERS = frozenset({"tee", "cp", "install", "ddrescue", "hdparm", "nvme"})
# Programs that delete the paths they are given.
DELETERS = frozenset({"rm", "unlink", "shred", "srm", "rmdir", "trash", "trash-put"})
# Programs that write a file a later command on the same line may run or read (with write redirects, the cue to
# follow the line's writes).
FILE_WRITERS = frozenset({"tee", "curl", "wget", "cp", "mv", "install", "npm", "pnpm"})

# Programs whose own arguments name files they delete, empty or overwrite (guardrail.checks.recover reads which
# argument each one destroys and judges whether it can be got back).
DESTROYERS = frozenset({"rm", "rimraf", "unlink", "shred", "srm", "truncate", "sed", "gsed", "tar", "gtar", "bsdtar", "cp", "mv", "install", "ln", "dd", "find", "rsync",
                        "tee", ":", "true"})

# ---- databases

# SQL clients (how each parses its options: guardrail.sql.clients). cqlsh speaks CQL, close enough for DROP.
SQL_CLIENTS = frozenset({"psql", "mysql", "mariadb", "sqlite3", "sqlite", "cockroach", "clickhouse-client",
                         "duckdb", "sqlcmd", "snowsql", "bq", "pgcli", "mycli", "litecli", "usql", "trino", "spark-sql",
                         "beeline"})
SQL_SHELLS = SQL_CLIENTS | frozenset({"cqlsh"})

# ---- every program whose use can run commands guardrail reads from somewhere else

# The cheap guard before script following and the code readers: an exact superset of the programs they act on
# (a test keeps it so). Downloaders, container tools, gcloud and terraform carry commands only in some uses.
COMMAND_CARRIERS = (PACKAGE_MANAGERS | TASK_RUNNERS | MAKES | JUSTS | SCRIPT_READERS | JOB_QUEUES | frozenset(INTERPRETERS)
                    | frozenset({"uv"}) | AWKS | SEDS | VIMS | TARS | frozenset({"rsync", "zip"}) | DOWNLOADERS
                    | REMOTE_SHELLS | frozenset({"gcloud"}) | CONTAINER_ENGINES | KUBE_CLIS | TERRAFORMS | POWERSHELLS)

# Lists rule packs can name as `@name` (a pack's own [lists] entry of the same name takes precedence).
PACK_LISTS: dict[str, frozenset[str]] = {
    "shells": SHELLS,
    "script-readers": SCRIPT_READERS,
    "code-runners": CODE_RUNNERS,
    "interpreters": frozenset(INTERPRETERS),
    "package-managers": PACKAGE_MANAGERS,
    "downloaders": DOWNLOADERS,
    "container-engines": CONTAINER_ENGINES,
    "kube-clis": KUBE_CLIS,
    "terraforms": TERRAFORMS,
    "deleters": DELETERS,
    "destroyers": DESTROYERS,
    "sql-clients": SQL_CLIENTS,
    "sql-shells": SQL_SHELLS,
}
