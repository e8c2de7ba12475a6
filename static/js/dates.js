// Date fields: a calendar button beside each text field that takes a typed date.
// Persian pages open a Solar Hijri picker (vendor/jalalidatepicker, loaded on first use) that writes
// «۱۴۰۵/۱۱/۲۲»; other languages open the browser's own Gregorian picker, which writes 2027-02-11.
// Typing stays possible everywhere: the server reads every accepted form.
(() => {
  const buttons = document.querySelectorAll("[data-date-picker]");
  if (!buttons.length) return;
  const persian = document.documentElement.lang === "fa";
  let jalali = null;

  function loadJalali() {
    if (jalali) return jalali;
    const body = document.body.dataset;
    jalali = new Promise((resolve, reject) => {
      const css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = body.jdpCss;
      document.head.appendChild(css);
      const script = document.createElement("script");
      script.src = body.jdpJs;
      script.onload = () => {
        window.jalaliDatepicker.startWatch({
          selector: "input[data-jdp-active]", autoShow: false, autoReadOnlyInput: false,
          persianDigits: true, showTodayBtn: true, showEmptyBtn: true, useDropDownYears: true,
          zIndex: 1060,
        });
        resolve(window.jalaliDatepicker);
      };
      script.onerror = reject;
      document.head.appendChild(script);
    });
    return jalali;
  }

  function gregorianPicker(input) {
    const picker = document.createElement("input");
    picker.type = "date";
    picker.tabIndex = -1;
    picker.className = "date-picker-native";
    picker.setAttribute("aria-hidden", "true");
    if (/^\d{4}-\d{2}-\d{2}$/.test(input.value.trim())) picker.value = input.value.trim();
    picker.addEventListener("change", () => {
      if (picker.value) input.value = picker.value;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      picker.remove();
      input.focus();
    });
    picker.addEventListener("blur", () => setTimeout(() => picker.remove(), 500));
    input.after(picker);
    try {
      picker.showPicker();
    } catch {
      picker.focus();
    }
  }

  buttons.forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", async (event) => {
      event.preventDefault();
      event.stopPropagation();
      const input = document.getElementById(button.dataset.datePicker);
      if (!persian) {
        gregorianPicker(input);
        return;
      }
      const picker = await loadJalali();
      if (!input.hasAttribute("data-jdp-active")) {
        input.setAttribute("data-jdp-active", "");
        // The picker writes Latin digits; a Persian page shows «۱۴۰۵/۱۱/۲۲» (the server reads both).
        input.addEventListener("change", () => {
          input.value = input.value.replace(/[0-9]/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]);
        });
      }
      picker.show(input);
    });
  });
})();
