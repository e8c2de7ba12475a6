// Dashboards: draw each chart from the figure the server wrote into the page, sort and filter tables.
// No inline scripts (the CSP allows only this origin's files): figures sit in
// <script type="application/json" data-chart="ID"> blocks next to their <div id="ID">.
(function () {
  "use strict";

  // Values written beyond the bars' ends (rankings) must fit in the chart however narrow it is drawn:
  // the server leaves a quarter of the axis for them, too little on a phone. Widen the value axis
  // at its far end by what the text that sticks out furthest needs, and look again (with the bars
  // shorter, another text may stick out), a few times at most.
  function fitBarTexts(target, tries = 3) {
    const axis = target._fullLayout && target._fullLayout.xaxis;
    const svg = target.querySelector(".main-svg");
    if (!axis || !axis.range || !svg) return Promise.resolve(target);
    const box = svg.getBoundingClientRect();
    let over = 0;
    target.querySelectorAll(".bartext").forEach((text) => {
      const r = text.getBoundingClientRect();
      over = Math.max(over, box.left - r.left, r.right - box.right);
    });
    const need = over + 8;
    if (over <= 0.5 || tries <= 0 || axis._length - need < 40) return Promise.resolve(target);
    const [a, b] = axis.range;
    const grow = Math.abs(b - a) * need / (axis._length - need);
    const range = b > a ? [a, b + grow] : [a + grow, b];
    return window.Plotly.relayout(target, { "xaxis.range": range }).then(() => fitBarTexts(target, tries - 1));
  }

  // A value axis's labels (written by the server, five or so) that do not fit side by side in a
  // narrow chart are tilted by Plotly onto the axis title; keep every second (third …) one instead.
  function thinTicks(target) {
    const axis = target._fullLayout && target._fullLayout.xaxis;
    if (!axis || axis.tickmode !== "array" || !axis.tickvals || axis.tickvals.length < 3) return target;
    const widths = Array.from(target.querySelectorAll(".xtick text"), (text) => text.getBBox().width);
    if (!widths.length) return target;
    // The server's ticks are evenly spaced: each label needs its width and a gap.
    const spacing = Math.abs(axis.l2p(axis.tickvals[1]) - axis.l2p(axis.tickvals[0]));
    const step = Math.ceil((Math.max(...widths) + 12) / spacing);
    if (!(step > 1)) return target;
    const keep = (_, index) => index % step === 0;
    return window.Plotly.relayout(target, {
      "xaxis.tickvals": axis.tickvals.filter(keep),
      "xaxis.ticktext": axis.ticktext.filter(keep),
      "xaxis.tickangle": 0,
    });
  }

  function draw() {
    const font = window.getComputedStyle(document.body).fontFamily;
    document.querySelectorAll("script[type='application/json'][data-chart]").forEach((node) => {
      const target = document.getElementById(node.dataset.chart);
      if (!target || !window.Plotly) return;
      const figure = JSON.parse(node.textContent);
      const layout = figure.layout || {};
      layout.font = Object.assign({}, layout.font, { family: font });
      layout.hoverlabel = Object.assign({}, layout.hoverlabel, { font: { family: font } });
      window.Plotly.newPlot(target, figure.data, layout, {
        responsive: true,
        displaylogo: false,
        modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
        toImageButtonOptions: { filename: node.dataset.filename || "chart", scale: 2 },
      }).then((drawn) => fitBarTexts(drawn)).then(thinTicks);
    });
  }

  // Measure labels with the page's own font (Vazirmatn in Persian), not a fallback.
  if (document.fonts && document.fonts.ready) {
    document.fonts.ready.then(draw);
  } else {
    document.addEventListener("DOMContentLoaded", draw);
  }

  // Click a column heading to sort the table by it (numbers as numbers); again to reverse.
  document.addEventListener("click", (event) => {
    const heading = event.target.closest("table[data-sortable] thead th");
    if (!heading) return;
    const table = heading.closest("table");
    const index = Array.from(heading.parentNode.children).indexOf(heading);
    const body = table.tBodies[0];
    const rows = Array.from(body.rows).filter((row) => row.cells.length > index);
    const ascending = heading.getAttribute("aria-sort") !== "ascending";
    const value = (row) => row.cells[index].dataset.sort ?? row.cells[index].textContent;
    rows.sort((a, b) => {
      const x = value(a), y = value(b);
      const nx = parseFloat(x), ny = parseFloat(y);
      const result = (x === "" || y === "") ? (x === "") - (y === "")
        : (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, document.documentElement.lang);
      return ascending ? result : -result;
    });
    rows.forEach((row) => body.appendChild(row));
    heading.parentNode.querySelectorAll("th").forEach((th) => th.removeAttribute("aria-sort"));
    heading.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  });

  // Goals table: show only the goals of one status (on track, at risk, off track, no data).
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-track-filter]");
    if (!button) return;
    const wanted = button.dataset.trackFilter;
    document.querySelectorAll("#table-goals tbody tr").forEach((row) => {
      row.hidden = Boolean(wanted) && row.dataset.track !== wanted;
    });
    button.parentNode.querySelectorAll("button").forEach((b) => b.classList.toggle("active", b === button));
  });
})();
