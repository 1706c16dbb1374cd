"""A password typed into the name field by mistake is never kept: failed sign-ins are counted
per name through a hash of the name, so the throttle still works and the store holds no text a
person typed."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from webapp import make_webapp, sign_in

from toolkit.store.web import login_attempts

TYPED = "maria-lead-pass-1-typed-as-name"


def test_failed_sign_in_names_are_not_stored_as_typed(project: Path) -> None:
    site = make_webapp(project)
    for _ in range(5):
        assert sign_in(site.client(), TYPED, "x").status_code == 401
    with site.toolkit.store.engine.connect() as conn:
        names = [r.name for r in conn.execute(select(login_attempts.c.name))]
    assert len(names) == 5 and all(TYPED not in n for n in names)
    assert sign_in(site.client(), TYPED, "x").status_code == 429  # still throttled per name
    site.toolkit.close()
