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

// Switching language keeps a half-filled form: what was typed is carried over to the same page in
// the other language (this tab only, read once). Files, passwords and hidden fields are not kept.
(() => {
  const key = `wcc-form:${location.pathname}`;
  const fields = (form) => Array.from(form.elements).filter((el) => el.name && !el.disabled
    && !["file", "password", "hidden", "submit", "button"].includes(el.type));
  const forms = () => Array.from(document.querySelectorAll("main form[method=post], main form[method=POST]"));

  document.addEventListener("click", (event) => {
    if (!event.target.closest("[data-language-switch]")) return;
    const kept = forms().map((form) => fields(form).map((el) => (
      el.type === "checkbox" || el.type === "radio"
        ? { name: el.name, value: el.value, checked: el.checked }
        : { name: el.name, value: el.value })));
    if (kept.some((list) => list.length)) sessionStorage.setItem(key, JSON.stringify(kept));
  });

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
