// Keeps what the reporter typed while they switch language (or reload) in this tab only:
// sessionStorage is cleared when the tab closes and as soon as the report is received.
(function () {
  "use strict";
  var KEY = "heroes-report-draft";
  var form = document.querySelector('[data-testid="report-form"]');
  if (!form) { return; }
  var skip = { csrf_token: 1, idempotency_key: 1, category: 1, danger_now: 1, country: 1 };
  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !skip[el.name] && el.type !== "file" && el.type !== "hidden" && el.type !== "submit";
    });
  }
  function save() {
    var data = {};
    fields().forEach(function (el) { if (el.value) { data[el.name] = el.value; } });
    try { sessionStorage.setItem(KEY, JSON.stringify(data)); } catch (e) { /* storage off: nothing kept */ }
  }
  var saved = null;
  try { saved = JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { saved = null; }
  if (saved) {
    fields().forEach(function (el) {
      if (!el.value && saved[el.name]) { el.value = saved[el.name]; }
    });
  }
  form.addEventListener("input", save);
  // The language links go back to this very page (with its step and choices), after saving.
  document.querySelectorAll(".lang-switch a").forEach(function (link) {
    link.addEventListener("click", function () {
      save();
      var url = new URL(link.href, window.location.href);
      url.searchParams.set("next", window.location.pathname + window.location.search);
      link.href = url.toString();
    });
  });
})();
