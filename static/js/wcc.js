// Small progressive enhancements; every page works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

// "Print" buttons of printable pages.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// Switching language keeps a half-filled form: what was typed (and the hidden fields the form
// carries, such as the version it edits) is carried over to the same page in the other language
// (this tab only, read once). Files kept on the server after a form error travel as their token
// ("kept_uploads", see wcc/uploads/staging.py) in the address of the page in the other language,
// which lists them again; the token is then taken out of the address bar. Chosen files that were
// never sent, passwords, the CSRF token and the sign-in form's language field are not carried.
(() => {
  const keyOf = (path) => `wcc-form:${path}`;  // the page switched to (a form's answer may name another)
  const KEPT = "kept_uploads";
  const skipped = ["csrf_token", KEPT, "lang"];  // "lang": the sign-in form's language is the page's own
  const fields = (form) => Array.from(form.elements).filter((el) => el.name && !el.disabled
    && !skipped.includes(el.name) && !["file", "password", "submit", "button"].includes(el.type));
  const forms = () => Array.from(document.querySelectorAll("main form[method=post], main form[method=POST]"));

  document.addEventListener("click", (event) => {
    const link = event.target.closest("[data-language-switch]");
    if (!link) return;
    const kept = forms().map((form) => fields(form).map((el) => (
      el.type === "checkbox" || el.type === "radio"
        ? { name: el.name, value: el.value, checked: el.checked }
        : { name: el.name, value: el.value })));
    const url = new URL(link.href, location.href);
    if (kept.some((list) => list.length)) sessionStorage.setItem(keyOf(url.pathname), JSON.stringify(kept));
    const token = forms().map((form) => form.elements.namedItem(KEPT)).find((el) => el && el.value);
    if (token) {
      url.searchParams.set(KEPT, token.value);
      // On a page of several forms, which one the files were kept for.
      if (token.dataset.keptForm) url.searchParams.set("kept_form", token.dataset.keptForm);
      link.href = url.toString();
    }
  });

  if (new URLSearchParams(location.search).has(KEPT)) {
    const url = new URL(location.href);
    url.searchParams.delete(KEPT);
    url.searchParams.delete("kept_form");
    history.replaceState(history.state, "", url.toString());
  }

  const key = keyOf(location.pathname);
  const saved = sessionStorage.getItem(key);
  if (!saved) return;
  sessionStorage.removeItem(key);
  let kept;
  try { kept = JSON.parse(saved); } catch { return; }
  forms().forEach((form, i) => {
    const values = kept[i] || [];
    fields(form).forEach((el) => {
      if (el.type === "checkbox" || el.type === "radio") {
        const found = values.find((v) => v.name === el.name && v.value === el.value);
        if (found) el.checked = found.checked;
      } else {
        const found = values.find((v) => v.name === el.name);
        if (found) el.value = found.value;
      }
    });
  });
})();

// A table wider than its box scrolls sideways: the box can then be reached with the keyboard
// (and scrolled with the arrow keys) and is named after its table's caption or section heading.
(() => {
  const name = (box) => {
    const caption = box.querySelector("caption");
    const section = box.closest("section[aria-labelledby]");
    const heading = section && document.getElementById(section.getAttribute("aria-labelledby"));
    return ((caption || heading || document.querySelector("main h1") || {}).textContent || "").trim();
  };
  const mark = () => document.querySelectorAll(".table-responsive").forEach((box) => {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", name(box) || document.title);
      box.dataset.scrollRegion = "";
    } else if (!scrolls && "scrollRegion" in box.dataset) {
      ["tabindex", "role", "aria-label", "data-scroll-region"].forEach((attr) => box.removeAttribute(attr));
    }
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark);
  else mark();
  let pending = null;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(mark);
  });
})();
