// Sends the CSRF token with every HTMX request; pages work without this file too.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content"); }
});

// Error pages: "Go back" returns to the previous page, where the browser still holds what was typed.
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("[data-history-back]") : null;
  if (link && window.history.length > 1) { event.preventDefault(); window.history.back(); }
});
