// The receipt page: copy and print buttons (shown only where they work), and the end of the draft.
(function () {
  "use strict";
  try { sessionStorage.removeItem("heroes-report-draft"); } catch (e) { /* nothing kept */ }
  var code = document.querySelector('[data-testid="receipt"]');
  var copy = document.querySelector('[data-testid="copy-receipt"]');
  var print = document.querySelector('[data-testid="print-receipt"]');
  if (code && copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(code.textContent.trim()).then(function () {
        copy.textContent = copy.getAttribute("data-copied");
      });
    });
  }
  if (print && window.print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
})();
