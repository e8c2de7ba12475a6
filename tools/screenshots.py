"""Screenshots of pages in fa, en and ru, for looking at layouts after a change.

Usage: python tools/screenshots.py [--print] BASE_URL OUT_DIR EMAIL PASSWORD PATH [PATH ...]
Signs in once, then saves OUT_DIR/<path>-<lang>.png for each path and language.
``--print`` shows the pages as printed (print media) and also saves Chromium's own
print of each, OUT_DIR/<path>-<lang>.pdf (A4, with the page's @page rules).
Uses Debian's Chromium (/usr/bin/chromium) through Playwright; nothing is downloaded.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]


def main(base: str, out: str, email: str, password: str, paths: list[str], printing: bool = False) -> None:
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="fa-IR")
        page.set_default_timeout(180_000)  # a busy machine renders the dashboards slowly
        if email != "-":
            page.goto(f"{base}/login")
            page.fill("input[name=email]", email)
            page.fill("input[name=password]", password)
            with page.expect_navigation():
                page.click("main form button[type=submit]")
        if printing:
            page.emulate_media(media="print")
        for path in paths:
            for lang in ("fa", "en", "ru"):
                sep = "&" if "?" in path else "?"
                page.goto(f"{base}{path}{sep}lang={lang}")
                page.wait_for_load_state("networkidle")
                name = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "home"
                page.screenshot(path=str(target / f"{name}-{lang}.png"), full_page=True)
                if printing:
                    page.pdf(path=str(target / f"{name}-{lang}.pdf"), format="A4", prefer_css_page_size=True)
                print(target / f"{name}-{lang}.png")
        browser.close()


if __name__ == "__main__":
    argv = sys.argv[1:]
    printing = "--print" in argv
    argv = [a for a in argv if a != "--print"]
    main(argv[0], argv[1], argv[2], argv[3], argv[4:], printing=printing)
