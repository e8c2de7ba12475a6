"""Stories are Markdown written by members; they become safe HTML here and nowhere else."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from wcc.i18n.text import BIDI_CONTROLS

# Raw HTML is not parsed (it shows as text); images would load from other hosts.
_md = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable("image")
_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "a", "code", "pre", "h3", "h4", "h5",
         "h6", "hr"}


def render_story(text: str | None) -> Markup:
    """HTML for a story: Markdown rendered, then cleaned to a small set of tags.

    Headings start at level 3 (the page has its own h1 and h2); links open no
    window and pass no referrer, and only http, https and mailto links survive.
    """
    if not text:
        return Markup("")
    text = BIDI_CONTROLS.sub("", text)
    html = _md.render(text)
    for level in (2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(f"</h{level}>", f"</h{level + 2}>")
    clean = nh3.clean(html, tags=_TAGS, attributes={"a": {"href"}}, url_schemes={"http", "https", "mailto"},
                      link_rel="noopener noreferrer nofollow")
    return Markup(clean)
