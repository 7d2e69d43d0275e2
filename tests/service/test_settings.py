"""Settings: refusals with readable messages, defaults that do not depend on the working directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.settings import ServiceSettings

KEY = "settings-key-0123456789"


def test_settings_refuse_auth_without_keys():
    with pytest.raises(ValueError, match="no API key"):
        ServiceSettings(api_keys=[])
    with pytest.raises(ValueError, match="16 characters"):
        ServiceSettings(api_keys=["short"])
    assert ServiceSettings(auth_enabled=False).auth_enabled is False


def test_keys_from_the_environment_as_json_or_comma_separated(monkeypatch):
    monkeypatch.setenv("MEDCASH_SERVICE_API_KEYS", f'["{KEY}"]')
    assert ServiceSettings().api_keys == [KEY]
    monkeypatch.setenv("MEDCASH_SERVICE_API_KEYS", f"{KEY}, {KEY}2")
    assert ServiceSettings().api_keys == [KEY, KEY + "2"]


@pytest.mark.parametrize("value", ["[not json", "{}"])
def test_bad_key_list_is_a_readable_error_not_a_traceback(value):
    env = {"PATH": os.environ["PATH"], "MEDCASH_SERVICE_API_KEYS": value, "HOME": "/tmp"}
    proc = subprocess.run([sys.executable, "-m", "service", "--port", "1"], capture_output=True, timeout=60, env=env,
                          cwd=Path(__file__).resolve().parents[2])  # fmt: skip
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr
    assert b"api_keys" in proc.stderr


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rate_limit", "lots", "not a rate limit"),
        ("key_rate_limits", {"unknown-key-0123456789": "1/minute"}, "not in api_keys"),
    ],
)
def test_limits_are_checked(field, value, message):
    with pytest.raises(ValueError, match=message):
        ServiceSettings(api_keys=[KEY], **{field: value})


def test_sqlite_path_is_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert (
        ServiceSettings(auth_enabled=False, database_url="sqlite:///fb.db").database_url
        == f"sqlite:///{tmp_path}/fb.db"
    )
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert ServiceSettings(auth_enabled=False).database_url == f"sqlite:///{tmp_path}/data/medcash-audit/feedback.db"


def test_default_body_limit_fits_the_largest_documented_batch():
    settings = ServiceSettings(auth_enabled=False)
    assert settings.body_limit >= 32 * 20_000 * 6
