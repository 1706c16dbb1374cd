"""Images behind the sign-in are never cacheable by shared caches (a reverse proxy or CDN would
otherwise hand them to anyone): `Cache-Control: private`, never `public`."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from webapp import make_webapp, sign_in

from toolkit.store import NewPost


def test_images_are_private_to_the_browser(project: Path, tmp_path: Path) -> None:
    from PIL import Image

    site = make_webapp(project)
    image = tmp_path / "frozen.png"
    Image.new("RGB", (320, 180), "#13294b").save(image)
    at = site.clock.now + timedelta(days=2)
    [pid] = site.toolkit.store.add([NewPost("courts-suspended", "en", "x", "x-campaign",
                                            "t #SaveAsylum", at,
                                            ({"path": str(image), "alt": "a card"},))],
                                   "sam", site.clock.now)
    site.toolkit.store.transition(pid, ("draft",), "approved", "maria", site.clock.now)
    client = site.client()
    sign_in(client, "maria")
    week = at.astimezone(site.toolkit.config.timezone).date().isoformat()
    page = client.get(f"/?week={week}").data.decode()
    [thumb] = set(re.findall(r'src="(/thumbs/\w+\.webp)"', page))
    for url in (f"/media/{pid}/0", thumb):
        response = client.get(url)
        assert response.status_code == 200, url
        cache = response.headers["Cache-Control"]
        assert "private" in cache and "public" not in cache, (url, cache)
    site.toolkit.close()
