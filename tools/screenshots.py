"""Screenshots of pages in fa, en and ru, for looking at layouts after a change.

Usage: python tools/screenshots.py BASE_URL OUT_DIR EMAIL PASSWORD PATH [PATH ...]
Signs in once, then saves OUT_DIR/<path>-<lang>.png for each path and language.
Uses Debian's Chromium (/usr/bin/chromium) through Playwright; nothing is downloaded.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]


def main(base: str, out: str, email: str, password: str, paths: list[str]) -> None:
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="fa-IR")
        if email != "-":
            page.goto(f"{base}/login")
            page.fill("input[name=email]", email)
            page.fill("input[name=password]", password)
            with page.expect_navigation():
                page.click("main form button[type=submit]")
        for path in paths:
            for lang in ("fa", "en", "ru"):
                sep = "&" if "?" in path else "?"
                page.goto(f"{base}{path}{sep}lang={lang}")
                page.wait_for_load_state("networkidle")
                name = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "home"
                page.screenshot(path=str(target / f"{name}-{lang}.png"), full_page=True)
                print(target / f"{name}-{lang}.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
