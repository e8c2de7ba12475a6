// Review queue: a header checkbox ticks or clears every report of its table.
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-check-all]");
  if (!all) return;
  document.querySelectorAll(`input[data-group="${all.dataset.checkAll}"]`).forEach((box) => {
    box.checked = all.checked;
  });
});

// Report form: say what the typed value will be saved as, with its unit, while it is typed. The server
// reads it (the one parser, the goal's rules: /reports/read-value); nothing is saved until the form is.
(() => {
  const box = document.querySelector("[data-value-echo]");
  const input = box && box.querySelector("input[name=value]");
  const echo = box && box.querySelector("#value-echo");
  if (!input || !echo || !box.dataset.unit) return;
  let timer;
  let asked = 0;
  const show = async () => {
    const text = input.value;
    const mine = ++asked;
    if (!text.trim()) {
      echo.textContent = "";
      return;
    }
    const url = `${box.dataset.valueEcho}?unit=${encodeURIComponent(box.dataset.unit)}&value=${encodeURIComponent(text)}`;
    try {
      const answer = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!answer.ok || mine !== asked) return;
      const read = await answer.json();
      if (mine !== asked) return;
      echo.textContent = read.text;
      echo.classList.toggle("text-danger-emphasis", !read.ok);
    } catch {
      // Offline or signed out: the form still works, and the server checks the value on save.
    }
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(show, 250);
  });
})();
