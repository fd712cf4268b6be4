"""Layered config: user, project (tighten-only unless trusted), environment; errors name file and key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from guardrail.config import BUILTIN, ConfigError, default_values, find_project_dir, load_config


@pytest.fixture()
def layout(tmp_path: Path) -> dict[str, Path]:
    home = tmp_path / "home"
    repo = home / "work" / "app"
    sub = repo / "src" / "pkg"
    sub.mkdir(parents=True)
    (repo / ".git").mkdir()
    (home / ".config" / "guardrail").mkdir(parents=True)
    return {"home": home, "repo": repo, "sub": sub, "user": home / ".config" / "guardrail" / "config.toml"}


def env_for(layout: dict[str, Path], **extra: str) -> dict[str, str]:
    return {"HOME": str(layout["home"]), **extra}


def project_config(layout: dict[str, Path], text: str) -> Path:
    d = layout["repo"] / ".guardrail"
    d.mkdir(exist_ok=True)
    (d / "config.toml").write_text(text)
    return d / "config.toml"


def test_defaults_without_files(layout: dict[str, Path]) -> None:
    cfg = load_config(str(layout["sub"]), env_for(layout))
    assert cfg.public_values() == {k: v for k, v in default_values().items() if not k.startswith("protected_")}
    assert set(cfg.sources.values()) == {BUILTIN}
    assert cfg.project_root is None and cfg.pack_sources == [] and cfg.files == []


def test_user_then_project_then_env(layout: dict[str, Path]) -> None:
    layout["user"].write_text('on_error = "ask"\n[protected]\nbranches = ["main"]\n')
    pc = project_config(layout, '[protected]\nbranches = ["release/*"]\ndatabases = ["acme-prod"]\n')
    cfg = load_config(str(layout["sub"]), env_for(layout, GUARDRAIL_PROTECTED_BRANCHES="hotfix/*, ops"))
    assert cfg.values["protected"]["branches"] == ["main", "release/*", "hotfix/*", "ops"]
    assert cfg.values["protected_branches"] is cfg.values["protected"]["branches"]  # alias the checks read
    assert cfg.sources["protected.branches"] == f"{layout['user']} + {pc} + $GUARDRAIL_PROTECTED_BRANCHES"
    assert cfg.values["protected"]["databases"] == ["acme-prod"] and cfg.sources["protected.databases"] == str(pc)
    assert cfg.values["on_error"] == "ask" and cfg.sources["on_error"] == str(layout["user"])
    assert cfg.project_root == layout["repo"] and cfg.files == [str(layout["user"]), str(pc)]


def test_untrusted_project_may_only_tighten(layout: dict[str, Path]) -> None:
    layout["user"].write_text('on_error = "ask"\n')
    pc = project_config(layout, 'on_error = "deny"\ndisabled_rules = ["git/*"]\naudit_path = "/tmp/x.jsonl"\n'
                                'trust_project = ["/"]\n')
    cfg = load_config(str(layout["repo"]), env_for(layout))
    assert cfg.values["on_error"] == "deny"  # tightening is honoured
    assert cfg.values["disabled_rules"] == [] and cfg.values["audit_path"] is None
    assert cfg.values["trust_project"] == [] and not cfg.project_trusted
    notes = "\n".join(cfg.notes)
    for key in ("disabled_rules", "audit_path", "trust_project"):
        assert f"{pc}:{key}: ignored" in notes


def test_untrusted_project_cannot_loosen_on_error(layout: dict[str, Path]) -> None:
    project_config(layout, 'on_error = "ask"\n')
    cfg = load_config(str(layout["repo"]), env_for(layout))
    assert cfg.values["on_error"] == "deny" and "on_error: ignored" in cfg.notes[0]


def test_untrusted_project_may_tighten_secrets_read_only(layout: dict[str, Path]) -> None:
    project_config(layout, 'secrets_read = "off"\n')
    cfg = load_config(str(layout["repo"]), env_for(layout))
    assert cfg.values["secrets_read"] == "ask" and "secrets_read: ignored" in cfg.notes[0]
    pc = project_config(layout, 'secrets_read = "deny"\n')
    cfg = load_config(str(layout["repo"]), env_for(layout))
    assert cfg.values["secrets_read"] == "deny" and cfg.sources["secrets_read"] == str(pc)
    layout["user"].write_text('secrets_read = "off"\n')
    assert load_config(str(layout["sub"].parent), env_for(layout)).values["secrets_read"] == "deny"


def test_trusted_project_may_loosen(layout: dict[str, Path]) -> None:
    layout["user"].write_text('trust_project = ["~/work/*"]\n')
    project_config(layout, 'on_error = "ask"\ndisabled_rules = ["git/stash-destroy"]\n')
    (layout["repo"] / ".guardrail" / "rules").mkdir()
    pack = layout["repo"] / ".guardrail" / "rules" / "team.toml"
    pack.write_text("schema = 1\n")
    cfg = load_config(str(layout["sub"]), env_for(layout))
    assert cfg.project_trusted
    assert cfg.values["on_error"] == "ask" and cfg.values["disabled_rules"] == ["git/stash-destroy"]
    assert cfg.pack_sources == [(pack, "user")]


def test_untrusted_project_packs_have_project_layer(layout: dict[str, Path]) -> None:
    d = layout["repo"] / ".guardrail" / "rules"
    d.mkdir(parents=True)
    (d / "b.toml").write_text("")
    (d / "a.toml").write_text("")
    (layout["user"].parent / "rules").mkdir()
    (layout["user"].parent / "rules" / "mine.toml").write_text("")
    cfg = load_config(str(layout["sub"]), env_for(layout))
    assert cfg.pack_sources == [(layout["user"].parent / "rules" / "mine.toml", "user"),
                                (d / "a.toml", "project"), (d / "b.toml", "project")]


def test_project_search_stops_at_repo_root(layout: dict[str, Path]) -> None:
    (layout["home"] / "work" / ".guardrail").mkdir()  # above the repository: not this project's
    assert find_project_dir(str(layout["sub"]), env_for(layout)) == (None, layout["repo"])
    (layout["repo"] / "src" / ".guardrail").mkdir()
    assert find_project_dir(str(layout["sub"]), env_for(layout)) == (layout["repo"] / "src", layout["repo"])


def test_home_guardrail_dir_is_not_a_project(layout: dict[str, Path]) -> None:
    (layout["home"] / ".guardrail").mkdir()
    outside = layout["home"] / "notes"
    outside.mkdir()
    assert find_project_dir(str(outside), env_for(layout)) == (None, None)


def test_xdg_config_home_and_guardrail_config(layout: dict[str, Path], tmp_path: Path) -> None:
    xdg = tmp_path / "xdg" / "guardrail"
    xdg.mkdir(parents=True)
    (xdg / "config.toml").write_text('on_error = "ask"\n')
    assert load_config(str(layout["repo"]), env_for(layout, XDG_CONFIG_HOME=str(xdg.parent))).values["on_error"] == "ask"
    other = tmp_path / "other.toml"
    other.write_text('disabled_rules = ["shell/*"]\n')
    cfg = load_config(str(layout["repo"]), env_for(layout, GUARDRAIL_CONFIG=str(other)))
    assert cfg.values["disabled_rules"] == ["shell/*"] and cfg.sources["disabled_rules"] == str(other)


@pytest.mark.parametrize("text, where", [
    ('on_eror = "deny"\n', "on_eror: unknown key"),
    ('on_error = "allow"\n', "on_error: expected one of deny, ask"),
    ('disabled_rules = "git/*"\n', "disabled_rules: expected a list of strings"),
    ('[protected]\nplanets = ["x"]\n', "protected.planets: unknown kind"),
    ('[protected]\nbranches = [1]\n', "protected.branches: expected a list of strings"),
    ('on_error = \n', "invalid TOML"),
    ('secrets_read = "never"\n', "secrets_read: expected one of off, ask, deny"),
])
def test_errors_name_file_and_key(layout: dict[str, Path], text: str, where: str) -> None:
    layout["user"].write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(str(layout["repo"]), env_for(layout))
    assert str(err.value).startswith(str(layout["user"]))
    assert where in str(err.value)


def test_bad_env_value_names_variable(layout: dict[str, Path]) -> None:
    with pytest.raises(ConfigError, match=r"\$GUARDRAIL_ON_ERROR"):
        load_config(str(layout["repo"]), env_for(layout, GUARDRAIL_ON_ERROR="maybe"))


def test_load_config_stays_off_pydantic() -> None:
    code = "import sys, guardrail.config as c; c.load_config('.'); print('pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
