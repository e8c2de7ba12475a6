// Review queue: a header checkbox ticks or clears every report of its table.
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-check-all]");
  if (!all) return;
  document.querySelectorAll(`input[data-group="${all.dataset.checkAll}"]`).forEach((box) => {
    box.checked = all.checked;
  });
});
