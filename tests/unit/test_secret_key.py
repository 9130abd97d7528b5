"""SECRET_KEY: from the environment, else a random key made once in the instance folder and kept."""

import stat

from tracker.config import secret_key


def test_without_secret_key_a_random_key_is_made_once_with_mode_0600_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    instance = tmp_path / "instance"

    first = secret_key(str(instance))

    assert len(first) >= 40
    kept = instance / "secret_key"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert secret_key(str(instance)) == first  # a restart signs and reads links with the same key
    assert [p.name for p in instance.iterdir()] == ["secret_key"]  # no temporary file left
    assert secret_key(str(tmp_path / "elsewhere")) != first


def test_the_environments_secret_key_wins_and_no_file_is_made(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "set-by-the-operator")
    assert secret_key(str(tmp_path)) == "set-by-the-operator"
    assert not (tmp_path / "secret_key").exists()
