// A document being made: its page asks how it is going every few seconds and shows the
// finished document (or why it failed, or that it is stuck) by loading itself again once the
// making has ended or has waited too long.
(() => {
  const box = document.querySelector("[data-document-status]");
  if (!box) return;
  const text = box.querySelector("[data-status-text]");
  let delay = 1500;

  const ask = () => {
    fetch(box.dataset.documentStatus, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((status) => {
        if (!status.pending || status.stuck) {
          window.location.reload();
          return;
        }
        if (status.state !== box.dataset.state) {
          box.dataset.state = status.state;
          const label = box.querySelector("strong");
          if (label) label.textContent = status.label.charAt(0).toUpperCase() + status.label.slice(1);
          if (text) text.textContent = status.text;
        }
        delay = Math.min(delay * 1.3, 10000);
        window.setTimeout(ask, delay);
      })
      .catch(() => window.setTimeout(ask, 10000));
  };
  window.setTimeout(ask, delay);
})();
