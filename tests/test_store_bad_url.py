"""A store URL that cannot be used (bad port, a database without its driver) is one `Error:`
line without the password, from every command and from the scheduler's store."""

from __future__ import annotations

import pytest

from toolkit.core.errors import StoreError
from toolkit.store import Store

SECRET = "s3cretpw"


@pytest.mark.parametrize("url, why", [
    (f"postgresql://u:{SECRET}@db.invalid:notaport/campaign", "not valid"),
    (f"mysql://u:{SECRET}@127.0.0.1/campaign", "driver"),
])
def test_unusable_store_url_is_one_clear_error(run_cli, monkeypatch, url: str, why: str) -> None:
    with pytest.raises(StoreError) as caught:
        Store(url)
    assert why in caught.value.message and SECRET not in caught.value.message
    monkeypatch.setenv("TOOLKIT_STORE_URL", url)
    for args in (("status",), ("queue", "list")):
        result = run_cli(*args)
        assert result.exit_code == 1, result.output
        assert result.output.strip().splitlines()[-1].startswith("Error: ")
        assert SECRET not in result.output
    result = run_cli("store", "copy", "--to", url)
    assert result.exit_code == 1 and SECRET not in result.output
