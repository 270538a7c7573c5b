import re
import subprocess
import sys
from pathlib import Path

import pytest

from leveller.env import ConfigError, env_bool, env_database, env_email, env_int, env_redis

ROOT = Path(__file__).resolve().parents[2]
READS = re.compile(r"""(?:env_[a-z]+|_raw)\(\s*["']([A-Z][A-Z0-9_]+)["']|os\.environ(?:\.get)?[\[(]\s*["']([A-Z][A-Z0-9_]+)["']""")


def variables_read_by_the_code() -> set[str]:
    names = set()
    for path in list((ROOT / "leveller").rglob("*.py")) + list((ROOT / "tests" / "support").rglob("*.py")):
        for match in READS.finditer(path.read_text()):
            names.add(match.group(1) or match.group(2))
    return names - {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def test_every_environment_variable_the_code_reads_is_documented():
    documented = set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]+)`", (ROOT / "docs/configuration.md").read_text(), re.M))
    missing = sorted(variables_read_by_the_code() - documented)
    assert not missing, f"document these in docs/configuration.md: {missing}"


@pytest.mark.parametrize(
    ("name", "value", "reader"),
    [
        ("LEVELLER_X_BOOL", "perhaps", lambda: env_bool("LEVELLER_X_BOOL")),
        ("LEVELLER_X_INT", "two", lambda: env_int("LEVELLER_X_INT", 1)),
        ("DATABASE_URL", "mysql://nope/db", env_database),
        ("REDIS_URL", "http://localhost:6379", env_redis),
        ("EMAIL_URL", "pigeon://loft", env_email),
    ],
)
def test_a_bad_value_raises_an_error_naming_the_variable(monkeypatch, name, value, reader):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as error:
        reader()
    assert name in str(error.value)


def test_email_url_selects_smtp_with_starttls(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "submission://user%40x:p%40ss@mail.example.org")
    config = env_email()
    assert config["EMAIL_HOST"] == "mail.example.org"
    assert config["EMAIL_PORT"] == 587
    assert config["EMAIL_USE_TLS"] is True
    assert config["EMAIL_HOST_USER"] == "user@x"
    assert config["EMAIL_HOST_PASSWORD"] == "p@ss"


def run_leveller(*args, env_extra, timeout=60):
    import os

    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "leveller", *args], capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT
    )


def test_an_unparsable_database_url_stops_startup_with_one_line(tmp_path):
    result = run_leveller("check", env_extra={"DATABASE_URL": "postgresql://", "LEVELLER_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DATABASE_URL" in lines[0]


def test_an_unreachable_database_stops_serve_with_one_line(tmp_path):
    result = run_leveller(
        "serve", "--port", "0",
        env_extra={"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nowhere", "LEVELLER_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("CommandError: DATABASE_URL: cannot connect to PostgreSQL at 127.0.0.1:1/nowhere")


def test_an_unreachable_redis_stops_serve_with_one_line(tmp_path):
    result = run_leveller(
        "serve", "--port", "0", env_extra={"REDIS_URL": "redis://127.0.0.1:1/0", "LEVELLER_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("CommandError: REDIS_URL: cannot connect to Redis at 127.0.0.1:1")


def test_more_than_one_worker_without_redis_is_refused_with_a_reason(tmp_path):
    result = run_leveller("serve", "--workers", "2", env_extra={"LEVELLER_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "--workers > 1 needs REDIS_URL" in result.stderr
    assert "Traceback" not in result.stderr
