"""Paths by whether they can be got back: the names the effect model (guardrail.checks.recover) reads.

Apart from guardrail.base.vocab (programs) because only calls that destroy something need it: most hook calls
never load it.
"""

from __future__ import annotations

# Directory names that hold only what a build, an install or a tool regenerates: deleting them is routine.
REGENERABLE_DIRS = frozenset({
    "node_modules", "bower_components", "jspm_packages", ".pnpm-store", ".yarn-cache", "__pycache__", ".pytest_cache",
    ".mypy_cache", ".ruff_cache", ".hypothesis", ".tox", ".nox", ".eggs", ".venv", "venv", ".virtualenv", "dist",
    "build", "_build", "target", "out", ".next", ".nuxt", ".svelte-kit", ".astro", ".turbo", ".parcel-cache",
    ".angular", ".expo", ".vercel", ".netlify", ".cache", "cache", "caches", "Caches", ".gradle", ".dart_tool",
    "DerivedData", "coverage", "htmlcov", ".nyc_output", ".sass-cache", ".docusaurus", ".serverless", ".webpack",
    "storybook-static", "tmp", ".tmp", "temp", "_site", ".jekyll-cache", ".terraform", "cdk.out",
    ".aws-sam", "site-packages", "elm-stuff", ".stack-work", "zig-cache", "zig-out", ".bsp", ".metals", ".bloop",
    "cmake-build-debug", "cmake-build-release", "CMakeFiles", ".pio", ".cxx", ".externalNativeBuild", "Pods",
    ".npm", "_cacache", ".m2", ".ivy2", ".pub-cache", ".nuget", ".gem", ".yarn", ".bun", ".deno", ".pnpm",
})
# System directories a package manager fills again (`rm -rf /var/lib/apt/lists/*` in every Dockerfile).
REGENERABLE_ROOTS = ("/var/cache", "/var/lib/apt/lists", "/var/tmp")
# File suffixes of regenerable output (compiled objects, logs, coverage data).
REGENERABLE_SUFFIXES = (".pyc", ".pyo", ".o", ".obj", ".a", ".so", ".dylib", ".class", ".log", ".tmp", ".swp",
                        ".tsbuildinfo", ".egg-info", ".coverage", ".orig", ".rej", ".d", ".gcda", ".gcno", ".lcov")
# Names whose loss nothing regenerates, even when git ignores them: keys, secrets, local databases.
KEEPSAKE_NAMES = frozenset({".env", "master.key", "credentials", "credentials.json", "id_rsa", "id_ed25519",
                            "id_ecdsa", "id_dsa", "known_hosts", "authorized_keys", ".netrc", ".pgpass", ".npmrc",
                            ".pypirc", "secrets.yml", "secrets.yaml", "terraform.tfstate", "terraform.tfstate.backup",
                            ".git", ".claude", ".guardrail"})
KEEPSAKE_SUFFIXES = (".key", ".pem", ".p12", ".pfx", ".jks", ".keystore", ".kdbx", ".sqlite", ".sqlite3", ".db",
                     ".tfstate", ".gpg", ".age", ".mdb", ".accdb", ".dump", ".bak")


def keepsake_name(base: str) -> bool:
    """A file name nothing regenerates: keys, secrets, local databases, .git (`.env.local`, `prod.sqlite3`)."""
    if base in KEEPSAKE_NAMES or base.startswith(".env") and not base.endswith((".example", ".sample", ".template",
                                                                             ".dist", ".defaults")):
        return True
    return base.lower().endswith(KEEPSAKE_SUFFIXES)


# Where scratch files live: deleting below these is routine.
TEMP_ROOTS = ("/tmp", "/var/tmp", "/dev/shm", "/private/tmp", "/private/var/folders", "/run/user")
