// Files kept with a form after an error: a "Remove" button (and "Keep" to undo) instead of the
// checkbox it ticks; without this file the checkbox works by itself.
(() => {
  document.querySelectorAll("[data-kept-files]").forEach((list) => {
    if (list.dataset.enhanced) return;
    list.dataset.enhanced = "1";
    list.querySelectorAll("[data-kept-file]").forEach((row) => {
      const check = row.querySelector("input[type=checkbox]");
      const wrapper = check.closest(".form-check");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-outline-danger flex-shrink-0";
      const name = row.querySelector("bdi").textContent;
      const show = () => {
        button.textContent = check.checked ? list.dataset.undoLabel : list.dataset.removeLabel;
        button.setAttribute("aria-label", `${button.textContent} ${name}`);
        row.querySelectorAll(".kept-file-name, img, .badge").forEach((el) => {
          el.classList.toggle("opacity-50", check.checked);
          el.classList.toggle("text-decoration-line-through", check.checked);
        });
      };
      button.addEventListener("click", () => { check.checked = !check.checked; show(); });
      wrapper.hidden = true;
      wrapper.after(button);
      show();
    });
  });
})();
