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
