"""`b` opens only http(s) URLs: a `javascript:` or `file:` link stored before the URL rule is refused."""

from __future__ import annotations

import pytest

from tests.tui.conftest import SIZE, settle

pytestmark = pytest.mark.anyio


async def test_only_http_urls_reach_the_browser(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        opened: list[str] = []
        app._driver.open_url = lambda url, new_tab=True: opened.append(url)  # textual's driver: the browser
        for bad in ("javascript:alert(1)", "file:///etc/passwd", "data:text/html,<script>x</script>"):
            app.open_url(bad)
        app.open_url("https://example.test/article")
        await pilot.pause()
        assert opened == ["https://example.test/article"]
        refused = [str(n.message) for n in app._notifications if "Not opened" in str(n.message)]
        assert len(refused) == 3 and "javascript:alert(1) is not an http(s) URL" in refused[0]
