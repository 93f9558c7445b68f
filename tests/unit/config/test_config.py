"""Settings: defaults < pyproject [tool.verifier] / verifier.toml < command line; clear errors."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from verifier._exceptions import ConfigError
from verifier.config import DAY, HostSettings, Settings, find_config_file, load_settings, validate_settings
from verifier.model import Outcome


def test_defaults_without_any_file(tmp_path: Path) -> None:
    settings = load_settings(cwd=tmp_path)
    assert settings == Settings()
    assert settings.cache_path == Path(".verifier/cache.sqlite")
    assert settings.fail_on == (Outcome.DEAD,)
    assert settings.dead_after == 2


def test_verifier_toml_overrides_defaults_and_cli_overrides_it(tmp_path: Path) -> None:
    (tmp_path / "verifier.toml").write_text('max-concurrency = 8\ntimeout = 5\nexclude = ["^https://skip"]\n')
    from_file = load_settings(cwd=tmp_path)
    assert (from_file.max_concurrency, from_file.timeout, from_file.exclude) == (8, 5.0, ("^https://skip",))
    both = load_settings({"max_concurrency": "3", "timeout": None}, cwd=tmp_path)
    assert both.max_concurrency == 3
    assert both.timeout == 5.0  # None on the command line means "not given"


def test_pyproject_table_is_read_and_found_from_a_subfolder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.verifier]\nfail-on = "dead,unknown"\n'
    )
    inner = tmp_path / "docs" / "deep"
    inner.mkdir(parents=True)
    assert find_config_file(inner) == tmp_path / "pyproject.toml"
    assert load_settings(cwd=inner).fail_on == (Outcome.DEAD, Outcome.UNKNOWN)


def test_pyproject_without_a_verifier_table_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_config_file(tmp_path) is None
    assert load_settings(cwd=tmp_path) == Settings()


def test_verifier_toml_wins_over_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.verifier]\nretries = 7\n")
    (tmp_path / "verifier.toml").write_text("retries = 1\n")
    assert load_settings(cwd=tmp_path).retries == 1


def test_explicit_config_path_is_used(tmp_path: Path) -> None:
    chosen = tmp_path / "elsewhere.toml"
    chosen.write_text('[tool.verifier]\nformats = ["json", "html"]\n')
    (tmp_path / "verifier.toml").write_text('formats = ["md"]\n')
    assert load_settings(config_path=chosen, cwd=tmp_path).formats == ("json", "html")


def test_typed_values_from_strings_and_tables(tmp_path: Path) -> None:
    (tmp_path / "verifier.toml").write_text(
        'accept = "200..204,429"\nprogress = "false"\ninsecure = "yes"\n'
        "[ttl]\ndead = 60\n"
        '[hosts."Example.ORG"]\nconcurrency = 1\ninterval = 0.5\nheaders = { Cookie = "a=b" }\n'
    )
    settings = load_settings(cwd=tmp_path)
    assert settings.accept == (200, 201, 202, 203, 204, 429)
    assert settings.progress is False
    assert settings.insecure is True
    assert settings.ttl[Outcome.DEAD] == 60.0
    assert settings.ttl[Outcome.LIVE] == 1 * DAY  # the other outcomes keep their defaults
    assert settings.host("example.org") == HostSettings(
        concurrency=1, interval=0.5, headers={"Cookie": "a=b"}
    )
    assert settings.host_concurrency_for("example.org") == 1
    assert settings.host_concurrency_for("other.org") == settings.host_concurrency


def test_fail_on_never_means_nothing_fails() -> None:
    assert load_settings({"fail_on": "never"}).fail_on == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("max-concurency = 3\n", "unknown setting 'max-concurency'"),
        ('timeout = "soon"\n', "bad value 'soon' for timeout"),
        ('fail-on = "broken"\n', "unknown outcome 'broken'"),
        ('accept = "2xx"\n', "'2xx' is not a status code"),
        ("timeout = = 3\n", "verifier.toml"),
        ("[ttl]\nforever = 3\n", "bad value"),
    ],
)
def test_bad_config_files_say_where_and_what(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "verifier.toml").write_text(text)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")) as caught:
        load_settings(cwd=tmp_path)
    assert "verifier.toml" in str(caught.value)


def test_bad_command_line_value_names_the_flag() -> None:
    with pytest.raises(ConfigError, match="--max-concurrency"):
        load_settings({"max_concurrency": "many"})


def test_unreadable_config_path_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(config_path=tmp_path / "missing.toml")


def test_the_egress_id_comes_from_the_file_the_environment_or_the_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VERIFIER_EGRESS_ID", raising=False)
    assert load_settings(cwd=tmp_path).egress_id == "default"
    (tmp_path / "verifier.toml").write_text('egress-id = "eu-1"\n')
    assert load_settings(cwd=tmp_path).egress_id == "eu-1"
    monkeypatch.setenv("VERIFIER_EGRESS_ID", "eu-2")
    assert load_settings(cwd=tmp_path).egress_id == "eu-2"
    assert load_settings({"egress_id": "us.3"}, cwd=tmp_path).egress_id == "us.3"


def test_every_command_that_checks_takes_the_egress_id_flag(tmp_path: Path) -> None:
    from verifier.commands import check, serve, worker

    config = str(tmp_path / "none.toml")
    (tmp_path / "none.toml").write_text("")
    parser = argparse.ArgumentParser()
    check.add_arguments(parser)
    args = parser.parse_args(["doc.md", "--config", config, "--egress-id", "eu-1"])
    assert load_settings(check.overrides_from(args), config_path=args.config).egress_id == "eu-1"
    parser = argparse.ArgumentParser()
    worker.add_arguments(parser)
    args = parser.parse_args(["--config", config, "--egress-id", "eu-1"])
    assert serve.settings_from(args).egress_id == "eu-1"


@pytest.mark.parametrize("egress", ["", "EU-1", "eu 1", "-eu", "eu/1", "x" * 41])
def test_an_egress_id_that_cannot_name_a_table_and_a_key_is_refused(egress: str) -> None:
    validate_settings(Settings(egress_id="x" * 40))
    with pytest.raises(ConfigError, match="egress-id"):
        validate_settings(Settings(egress_id=egress))


def test_the_shared_limits_are_the_programs_to_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "verifier.toml").write_text("shared-limits = 1\n")
    with pytest.raises(ConfigError, match="unknown setting") as caught:
        load_settings(cwd=tmp_path)
    assert "shared-limits" not in str(caught.value).split("known:")[1]
    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings({"shared_limits": "x"})
    (tmp_path / "verifier.toml").unlink()
    monkeypatch.setenv("VERIFIER_SHARED_LIMITS", "x")
    assert load_settings(cwd=tmp_path).shared_limits is None
    # They say how to be polite, not what to check: settings that differ only there are equal.
    assert Settings(shared_limits=object()) == Settings()  # type: ignore[arg-type]
