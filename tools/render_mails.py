"""Every kind of notification e-mail, rendered to HTML pages for looking at (one page per language).

Usage: python tools/render_mails.py OUT_DIR [--screenshots]
Uses the database of the environment (WCC_DATABASE_URL / WCC_INSTANCE_DIR) for the demo network's
names; nothing is stored or sent. With --screenshots, Debian's Chromium saves OUT_DIR/mail-<lang>.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

SAMPLES = {
    "report.submitted": ("report", {"org": "IR-10-KASHAN", "goal": "EXPORT-RU", "period": "1404-Q2"}),
    "report.reviewed": ("report", {"org": "IR-10-KASHAN", "goal": "EXPORT-RU", "period": "1404-Q2"}),
    "report.approved": ("report", {"org": "IR-10-ISFAHAN", "goal": "EXPORT-RU", "period": "1404-Q2"}),
    "report.returned": ("report", {"org": "IR-10-ISFAHAN", "goal": "EXPORT-RU", "period": "1404-Q2",
                                   "comment": "مقدار به ریال وارد شده است؛ لطفاً به یورو اصلاح کنید."}),
    "report.reopened": ("report", {"org": "IR-10-ISFAHAN", "goal": "EXPORT-RU", "period": "1404-Q1",
                                   "reason": "Customs corrected the shipment value."}),
    "report.due_soon": ("report", {"org": "IR-10-ISFAHAN", "goal": "EXPORT-RU", "period": "1405-Q2",
                                   "due": "2026-10-22"}),
    "report.overdue": ("org", {"org": "IR-10-ISFAHAN", "goal": "EXPORT-RU", "period": "1405-Q2",
                               "due": "2026-10-22"}),
    "report.escalated": ("org", {"org": "IR-10-KASHAN", "goal": "EXPORT-RU", "period": "1405-Q2",
                                 "due": "2026-10-22", "days": 14, "level": 1}),
    "initiative.published": ("initiative", {"org": "IR-10-KASHAN", "title": "نمد کاشان برای خریداران مسکو"}),
    "target.set": ("target", {"org": "IR-10-ISFAHAN", "goal": "EXPORT-RU", "period": "1405", "value": "250000"}),
    "designation.due_soon": ("designation_report", {"org": "IR-10-ISFAHAN", "due": "2027-03-01", "reminder": 1}),
    "designation.overdue": ("designation_report", {"org": "IR-10-ISFAHAN", "due": "2026-10-15"}),
}


def main(out: str, screenshots: bool) -> None:
    from wcc import create_app
    from wcc.notifications.kinds import render_all
    from wcc.notifications.mail import compose, html_part
    from wcc.notifications.models import Notification

    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    app = create_app()
    pages = []
    with app.app_context(), app.test_request_context("/", base_url=app.config["BASE_URL"]):
        samples = [Notification(id=i, kind=k, object_type=t, object_id="IR-10-ISFAHAN" if t == "org" else "1",
                                params=p) for i, (k, (t, p)) in enumerate(SAMPLES.items(), start=1)]
        for lang in ("fa", "en", "ru"):
            parts = []
            rendered = render_all(samples, lang, external=True)
            for _n, item in rendered:
                message = compose(to="officer@example.org", name="Maryam Ahmadi", lang=lang,
                                  subject=f"{item.title}: {item.text}", template="notification", items=[item])
                html = html_part(message)
                parts.append(f"<h2 style='font:14px monospace;margin:24px'>{item.title}: {item.text}</h2>"
                             f"<iframe style='width:100%;height:420px;border:1px solid #ccc' srcdoc=\"{_attr(html)}\">"
                             "</iframe>")
            digest = compose(to="officer@example.org", name="Maryam Ahmadi", lang=lang, subject="digest",
                             template="digest", items=[r for _n, r in rendered[:4]])
            parts.append(f"<h2 style='font:14px monospace;margin:24px'>digest ({lang})</h2><iframe style='width:100%;"
                         f"height:560px;border:1px solid #ccc' srcdoc=\"{_attr(html_part(digest))}\">"
                         "</iframe>")
            path = target / f"mail-{lang}.html"
            path.write_text("<!doctype html><meta charset=utf-8><body style='margin:0'>" + "".join(parts),
                            encoding="utf-8")
            pages.append(path)
            print(path)
    if screenshots:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 760, "height": 900})
            for path in pages:
                page.goto(path.resolve().as_uri())
                page.screenshot(path=str(path.with_suffix(".png")), full_page=True)
                print(path.with_suffix(".png"))
            browser.close()


def _attr(html: str) -> str:
    return html.replace("&", "&amp;").replace('"', "&quot;")


if __name__ == "__main__":
    main(sys.argv[1], "--screenshots" in sys.argv[2:])
