"""The `review:` and `web:` config keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import edit, line_of

from toolkit.core.config import load_config
from toolkit.core.errors import ConfigError
from toolkit.surfaces.web.server import proxy_options


def test_review_and_web_keys(project: Path) -> None:
    config = load_config(project)
    assert config.second_person is False and config.web.tls is False
    assert config.web.session_hours == 12 and proxy_options(config.web.trusted_proxy) == {}
    edit(project, "  session_hours: 12", "  session_hours: 2\n  trusted_proxy: 127.0.0.1")
    config = load_config(project)
    assert config.web.session_hours == 2
    assert proxy_options(config.web.trusted_proxy)["trusted_proxy"] == "127.0.0.1"


def test_bad_web_key_is_one_path_line_error(project: Path) -> None:
    edit(project, "  tls: false", "  tls: maybe")
    with pytest.raises(ConfigError) as err:
        load_config(project)
    assert f"campaign.yaml:{line_of(project, 'tls: maybe')}:" in err.value.message


def test_session_hours_beyond_a_year_is_one_path_line_error(project: Path) -> None:
    edit(project, "  session_hours: 12", "  session_hours: 99999999999")
    with pytest.raises(ConfigError) as err:
        load_config(project)
    assert f"campaign.yaml:{line_of(project, 'session_hours: 9')}:" in err.value.message
    assert "at most 8784" in err.value.message
