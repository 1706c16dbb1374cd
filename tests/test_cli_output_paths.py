"""An output path that cannot be written is one `Error:` line and exit 1, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.parametrize("args", [
    ("site", "build", "--out", "{blocked}/site"),
    ("graphics", "build", "--out", "{blocked}/graphics"),
    ("schedule", "--ics", "{blocked}/schedule.ics"),
    ("schedule", "--html", "{blocked}/schedule.html"),
])
def test_unwritable_output_is_one_error_line(run_cli, tmp_path: Path, args: tuple) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder\n", encoding="utf-8")
    if args[0] == "schedule":  # it only reads the store: it must exist (it is never created)
        assert run_cli("store", "migrate").exit_code == 0
    result = run_cli(*[a.format(blocked=blocked) for a in args])
    assert result.exit_code == 1, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(f"Error: {blocked}"), result.output
    assert "Traceback" not in result.output
    assert blocked.read_text(encoding="utf-8") == "not a folder\n"
