"""Every setting is declared with a help text and documented in the README."""

from pathlib import Path

from dondoc.settings import Settings, get_settings, settings_table

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_setting_has_help_and_is_in_readme():
    text = README.read_text(encoding="utf-8")
    for env, _kind, _default, help_ in settings_table():
        assert help_, f"{env} has no help text"
        assert f"`{env}`" in text, f"{env} is not documented in README.md"
    assert len(settings_table()) == len(Settings.model_fields)


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DONDOC_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("DONDOC_DUE_SOON_WORKING_DAYS", "3")
    get_settings.cache_clear()
    settings = get_settings()
    assert settings.home_path == (tmp_path / "data").resolve()
    assert settings.resolved_database_url == f"sqlite:///{(tmp_path / 'data' / 'dondoc.db').resolve()}"
    assert settings.due_soon_working_days == 3
