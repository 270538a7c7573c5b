"""Typed environment helpers that fail loudly on bad values.

Every variable read here must be listed in docs/configuration.md (a test enforces it). A bad value raises
ConfigError naming the variable; `leveller` prints that one line and exits instead of a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

READ: set[str] = set()


class ConfigError(Exception):
    """A configuration value is missing or malformed. The message names the variable."""


def _raw(name: str) -> str | None:
    READ.add(name)
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={value!r} is not a boolean: use 1/0, true/false, yes/no or on/off")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a whole number") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name}={number} is below the minimum {minimum}")
    if maximum is not None and number > maximum:
        raise ConfigError(f"{name}={number} is above the maximum {maximum}")
    return number


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a number") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name}={number} is below the minimum {minimum}")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_path(name: str, default: str) -> Path:
    value = _raw(name) or default
    return Path(value).expanduser().resolve()


def env_database(name: str = "DATABASE_URL") -> dict | None:
    """Parse DATABASE_URL into a Django DATABASES entry, or None when unset (embedded SQLite)."""
    value = _raw(name)
    if value is None:
        return None
    import dj_database_url

    scheme = urlparse(value).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ConfigError(f"{name}: unsupported scheme {scheme!r}; use postgresql://user:pass@host:5432/dbname")
    try:
        config = dj_database_url.parse(value, conn_max_age=0)
    except Exception as exc:  # dj_database_url raises several types
        raise ConfigError(f"{name} could not be parsed: {exc}") from None
    if config.get("ENGINE", "").endswith("postgresql") and not config.get("NAME"):
        raise ConfigError(f"{name} names no database: add /dbname to the URL")
    return config


def env_redis(name: str = "REDIS_URL") -> str | None:
    value = _raw(name)
    if value is None:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in {"redis", "rediss", "unix"}:
        raise ConfigError(f"{name}={value!r} must start with redis://, rediss:// or unix://")
    if parsed.scheme != "unix" and not parsed.hostname:
        raise ConfigError(f"{name}={value!r} names no host")
    try:
        parsed.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ConfigError(f"{name}={value!r} has an invalid port") from None
    return value


def env_email(name: str = "EMAIL_URL") -> dict:
    """Parse EMAIL_URL (smtp://user:pass@host:587?tls=1, smtps://…, console:, memory:) into email settings."""
    value = _raw(name)
    if value is None:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parsed = urlparse(value)
    scheme = parsed.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "memory":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme not in {"smtp", "smtps", "submission"}:
        raise ConfigError(f"{name}: unsupported scheme {scheme!r}; use smtp://, smtps://, console: or memory:")
    if not parsed.hostname:
        raise ConfigError(f"{name}={value!r} names no host")
    try:
        port = parsed.port
    except ValueError:
        raise ConfigError(f"{name} has an invalid port") from None
    query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    use_ssl = scheme == "smtps" or query.get("ssl") in {"1", "true"}
    use_tls = scheme == "submission" or query.get("tls") in {"1", "true"}
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname,
        "EMAIL_PORT": port or (465 if use_ssl else 587 if use_tls else 25),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_TIMEOUT": int(query.get("timeout", "30")),
    }


def secret_key(data_dir: Path) -> str:
    """LEVELLER_SECRET_KEY, else a key generated once and kept in the data directory."""
    value = _raw("LEVELLER_SECRET_KEY")
    if value is not None:
        if len(value) < 32:
            raise ConfigError("LEVELLER_SECRET_KEY is too short: use at least 32 random characters")
        return value
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    import secrets

    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key
