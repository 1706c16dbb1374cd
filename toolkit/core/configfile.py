"""Which config file a command uses: `--config`, else `$TOOLKIT_CONFIG`, else the default.

Standard library only, so the `toolkit` launcher (`toolkit.surfaces.launch`) can find the config
before
click or the config reader is imported; `toolkit.core.config.config_path` uses the same rule.
"""

from __future__ import annotations

import os

DEFAULT_CONFIG = os.path.join("config", "campaign.yaml")


def config_file(explicit: str | os.PathLike[str] | None = None) -> str:
    """The config file to use: the explicit one, `$TOOLKIT_CONFIG`, or the default."""
    return os.fspath(explicit or os.environ.get("TOOLKIT_CONFIG") or DEFAULT_CONFIG)
