"""Bytes a browser transfers to load the network overview: cold (empty cache), then warm.

Usage: python tools/transfer_size.py BASE_URL EMAIL PASSWORD [PATH]
Signs in, then loads PATH (default /dashboards?lang=fa) in a fresh Chromium profile and sums the
encoded (on-the-wire) size of every response, as Chromium's DevTools protocol reports it
(Network.loadingFinished encodedDataLength); then opens the same page again with the cache
filled, as a person following a link would. Uses Debian's Chromium; nothing is downloaded.
"""

from __future__ import annotations

import sys

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]


def load(page, cdp, url: str) -> tuple[int, list[tuple[str, int]]]:
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}

    def started(event):
        urls[event["requestId"]] = event["request"]["url"]

    def finished(event):
        sizes[event["requestId"]] = int(event["encodedDataLength"])

    cdp.on("Network.requestWillBeSent", started)
    cdp.on("Network.loadingFinished", finished)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_function("document.querySelectorAll('.wcc-chart .main-svg').length > 0", timeout=30_000)
    page.wait_for_load_state("networkidle")
    cdp.remove_listener("Network.requestWillBeSent", started)
    cdp.remove_listener("Network.loadingFinished", finished)
    # Only requests the page made: Chromium also reports a second "loading finished" for a
    # fetch() answered from the same network request, under an id it never announced.
    rows = sorted(((urls[k], v) for k, v in sizes.items() if k in urls), key=lambda r: -r[1])
    return sum(v for _url, v in rows), rows


def main(base: str, email: str, password: str, path: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fa-IR")
        page = context.new_page()
        page.goto(f"{base}/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        # Start from an empty cache: the sign-in page may have cached the CSS and fonts.
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.clearBrowserCache")
        for label in ("cold", "warm"):
            if label == "warm":
                # Leave the page first: opening the same URL again would count as a reload,
                # which revalidates everything; a person comes back by following a link.
                page.goto("about:blank")
            total, rows = load(page, cdp, f"{base}{path}")
            print(f"{label}: {total / 1024:.1f} KB in {len(rows)} responses")
            for url, size in rows:
                print(f"  {size / 1024:8.1f} KB  {url.replace(base, '')[:110]}")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "/dashboards?lang=fa")
