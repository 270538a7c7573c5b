"""The environment helpers (leveller/env.py): a bad value raises ConfigError naming the variable, bounds are
enforced, booleans accept the usual spellings, and database, Redis and email URLs are checked before use."""

from __future__ import annotations

import pytest

from leveller import env
from leveller.env import ConfigError

NAME = "LEVELLER_TEST_VALUE"


@pytest.fixture(autouse=True)
def _reads_forgotten(monkeypatch):
    """The made-up variable read here must not join the process's list of variables read (docs check it)."""
    monkeypatch.setattr(env, "READ", set(env.READ))


@pytest.fixture
def set_env(monkeypatch):
    def set_(value, name=NAME):
        monkeypatch.setenv(name, value)

    monkeypatch.delenv(NAME, raising=False)
    return set_


def test_an_unset_or_blank_value_gives_the_default_and_is_recorded_as_read(set_env):
    assert env.env_str(NAME, "fallback") == "fallback"
    set_env("   ")
    assert env.env_str(NAME, "fallback") == "fallback"
    assert NAME in env.READ
    set_env("  padded  ")
    assert env.env_str(NAME) == "padded"


@pytest.mark.parametrize("text", ["1", "TRUE", "yes", "On"])
def test_true_is_spelt_any_usual_way(set_env, text):
    set_env(text)
    assert env.env_bool(NAME) is True


@pytest.mark.parametrize("text", ["0", "False", "NO", "off"])
def test_false_is_spelt_any_usual_way(set_env, text):
    set_env(text)
    assert env.env_bool(NAME, default=True) is False


def test_a_boolean_defaults_when_unset_and_refuses_nonsense_naming_the_variable(set_env):
    assert env.env_bool(NAME, default=True) is True
    set_env("maybe")
    with pytest.raises(ConfigError, match=f"{NAME}='maybe' is not a boolean"):
        env.env_bool(NAME)


def test_a_whole_number_is_read_within_its_bounds(set_env):
    assert env.env_int(NAME, 7) == 7
    set_env("12")
    assert env.env_int(NAME, 7, minimum=1, maximum=12) == 12


def test_a_whole_number_outside_its_bounds_or_not_a_number_is_refused(set_env):
    set_env("0")
    with pytest.raises(ConfigError, match=f"{NAME}=0 is below the minimum 1"):
        env.env_int(NAME, 5, minimum=1)
    set_env("99")
    with pytest.raises(ConfigError, match=f"{NAME}=99 is above the maximum 10"):
        env.env_int(NAME, 5, maximum=10)
    set_env("1.5")
    with pytest.raises(ConfigError, match=f"{NAME}='1.5' is not a whole number"):
        env.env_int(NAME, 5)


def test_a_number_is_read_and_checked_against_its_minimum(set_env):
    assert env.env_float(NAME, 0.5) == 0.5
    set_env("2.25")
    assert env.env_float(NAME, 0.5, minimum=0) == 2.25
    set_env("-1")
    with pytest.raises(ConfigError, match=f"{NAME}=-1.0 is below the minimum 0"):
        env.env_float(NAME, 0.5, minimum=0)
    set_env("lots")
    with pytest.raises(ConfigError, match=f"{NAME}='lots' is not a number"):
        env.env_float(NAME, 0.5)


def test_a_list_is_split_on_commas_dropping_empty_items(set_env):
    assert env.env_list(NAME, ["a"]) == ["a"]
    assert env.env_list(NAME) == []
    set_env(" one, ,two ,")
    assert env.env_list(NAME) == ["one", "two"]


def test_a_path_is_made_absolute(set_env, tmp_path):
    assert env.env_path(NAME, str(tmp_path / "x")) == (tmp_path / "x").resolve()
    set_env("~/data")
    assert env.env_path(NAME, "/ignored").is_absolute()


def test_no_database_url_means_the_embedded_sqlite(set_env):
    assert env.env_database(NAME) is None


def test_a_postgresql_url_becomes_a_django_database(set_env):
    set_env("postgresql://lev:secret@db.example:5433/leveller")
    config = env.env_database(NAME)
    assert config["ENGINE"].endswith("postgresql")
    assert (config["NAME"], config["HOST"], config["PORT"], config["USER"]) == ("leveller", "db.example", 5433, "lev")


def test_a_database_url_with_another_scheme_or_no_database_is_refused(set_env):
    set_env("mysql://u:p@h/db")
    with pytest.raises(ConfigError, match=f"{NAME}: unsupported scheme 'mysql'"):
        env.env_database(NAME)
    set_env("postgresql://u:p@h:5432")
    with pytest.raises(ConfigError, match=f"{NAME} names no database"):
        env.env_database(NAME)


def test_an_unparseable_database_url_is_refused_naming_the_variable(set_env):
    set_env("postgresql://u:p@h:notaport/db")
    with pytest.raises(ConfigError, match=f"{NAME} could not be parsed"):
        env.env_database(NAME)


def test_redis_urls_are_checked(set_env):
    assert env.env_redis(NAME) is None
    set_env("redis://cache.example:6379/0")
    assert env.env_redis(NAME) == "redis://cache.example:6379/0"
    set_env("unix:///run/redis.sock")
    assert env.env_redis(NAME) == "unix:///run/redis.sock"


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        ("http://cache.example", "must start with redis://"),
        ("redis://", "names no host"),
        ("redis://cache.example:port/0", "has an invalid port"),
    ],
)
def test_a_bad_redis_url_is_refused_naming_the_variable(set_env, value, complaint):
    set_env(value)
    with pytest.raises(ConfigError, match=f"{NAME}.*{complaint}"):
        env.env_redis(NAME)


def test_email_defaults_to_the_console_and_accepts_memory(set_env):
    assert env.env_email(NAME)["EMAIL_BACKEND"].endswith("console.EmailBackend")
    set_env("console:")
    assert env.env_email(NAME)["EMAIL_BACKEND"].endswith("console.EmailBackend")
    set_env("memory:")
    assert env.env_email(NAME)["EMAIL_BACKEND"].endswith("locmem.EmailBackend")


def test_an_smtp_url_gives_host_port_user_and_encryption(set_env):
    set_env("smtp://mailer%40org:p%2Fss@smtp.example?tls=1&timeout=10")
    config = env.env_email(NAME)
    assert config["EMAIL_HOST"] == "smtp.example"
    assert config["EMAIL_PORT"] == 587
    assert (config["EMAIL_HOST_USER"], config["EMAIL_HOST_PASSWORD"]) == ("mailer@org", "p/ss")
    assert config["EMAIL_USE_TLS"] is True and config["EMAIL_USE_SSL"] is False
    assert config["EMAIL_TIMEOUT"] == 10


def test_smtps_uses_ssl_on_465_and_plain_smtp_port_25(set_env):
    set_env("smtps://smtp.example")
    assert (env.env_email(NAME)["EMAIL_PORT"], env.env_email(NAME)["EMAIL_USE_SSL"]) == (465, True)
    set_env("smtp://smtp.example:2525")
    assert env.env_email(NAME)["EMAIL_PORT"] == 2525
    set_env("smtp://smtp.example")
    assert env.env_email(NAME)["EMAIL_PORT"] == 25


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        ("pop3://mail.example", "unsupported scheme 'pop3'"),
        ("smtp://", "names no host"),
        ("smtp://mail.example:nope", "has an invalid port"),
    ],
)
def test_a_bad_email_url_is_refused_naming_the_variable(set_env, value, complaint):
    set_env(value)
    with pytest.raises(ConfigError, match=f"{NAME}.*{complaint}"):
        env.env_email(NAME)


def test_a_given_secret_key_must_be_long_enough(monkeypatch, tmp_path):
    monkeypatch.setenv("LEVELLER_SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="LEVELLER_SECRET_KEY is too short"):
        env.secret_key(tmp_path)
    monkeypatch.setenv("LEVELLER_SECRET_KEY", "k" * 40)
    assert env.secret_key(tmp_path) == "k" * 40


def test_without_a_secret_key_one_is_generated_once_and_kept_private(monkeypatch, tmp_path):
    monkeypatch.delenv("LEVELLER_SECRET_KEY", raising=False)
    data = tmp_path / "data"
    first = env.secret_key(data)
    assert len(first) >= 50
    assert (data / "secret_key").stat().st_mode & 0o777 == 0o600
    assert env.secret_key(data) == first
