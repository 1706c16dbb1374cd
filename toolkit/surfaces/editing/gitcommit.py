"""A library change as a git commit, when `posts/` is inside a git work tree: authored by the
person who made it, touching only the one `posts/` file, never pushed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

#: how long one git command may take before the commit is given up (the file stays written)
GIT_TIMEOUT = 30
#: the address a commit is authored under when the user's account has none
NO_EMAIL = "{name}@review-app.invalid"


def _git(folder: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(folder), "-c", "commit.gpgsign=false", *args],
                          capture_output=True, text=True, timeout=GIT_TIMEOUT, env=env,
                          check=False)


def in_work_tree(folder: Path) -> bool:
    """Whether `folder` lies inside a git work tree (and git is installed)."""
    try:
        found = _git(folder, "rev-parse", "--is-inside-work-tree")
    except (OSError, subprocess.TimeoutExpired):
        return False
    return found.returncode == 0 and found.stdout.strip() == "true"


def commit_file(path: Path, message: str, name: str, email: str | None) -> str | None:
    """Commit the one file `path` (only it, whatever else is staged) authored by `name
    <email>`; its commit id, or None when `path` is not in a git work tree. A failure is
    returned as a `RuntimeError` with git's own line (the file stays written)."""
    folder = path.parent
    if not in_work_tree(folder):
        return None
    email = email or NO_EMAIL.format(name=name)
    env = {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email}
    if not _git(folder, "config", "user.email").stdout.strip():
        env.update(GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email)
    added = _git(folder, "add", "--", path.name, env=env)
    done = added if added.returncode else _git(folder, "commit", "--quiet", "-m", message,
                                               "--only", "--", path.name, env=env)
    if done.returncode:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise RuntimeError(lines[-1] if lines else f"git exited with {done.returncode}")
    return _git(folder, "rev-parse", "HEAD").stdout.strip()
