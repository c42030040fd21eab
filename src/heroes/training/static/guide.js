// Public guides: progress (sections read, answers checked) is kept in this browser only (localStorage);
// nothing is sent to the server. The page works fully without this file.
(function () {
  "use strict";
  var guide = document.querySelector("[data-guide]");
  if (!guide) { return; }
  var key = "heroes.training.guide." + guide.getAttribute("data-guide");
  var sections = (guide.getAttribute("data-sections") || "").split(" ").filter(Boolean);
  var status = guide.querySelector(".guide-progress");
  // the page carries its own translated messages, so a new language needs no change here
  var words = {
    read: (guide.getAttribute("data-msg-read") || "") + " ",
    right: (guide.getAttribute("data-msg-right") || "") + " ",
    wrong: (guide.getAttribute("data-msg-wrong") || "") + " ",
    none: guide.getAttribute("data-msg-none") || ""
  };

  function load() {
    try { return JSON.parse(window.localStorage.getItem(key) || "{}"); } catch (e) { return {}; }
  }
  function save(state) {
    try { window.localStorage.setItem(key, JSON.stringify(state)); } catch (e) { /* storage disabled: no progress */ }
  }
  var state = load();
  state.read = state.read || {};
  function show() {
    var done = sections.filter(function (id) { return state.read[id]; }).length;
    if (status) { status.textContent = words.read + done + " / " + sections.length; }
  }
  if ("IntersectionObserver" in window) {
    var seen = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          state.read[entry.target.id] = true;
          save(state);
          show();
        }
      });
    }, { threshold: 0.6 });
    sections.forEach(function (id) {
      var element = document.getElementById(id);
      if (element) { seen.observe(element); }
    });
  }
  show();

  guide.querySelectorAll(".question").forEach(function (fieldset) {
    var button = fieldset.querySelector(".check-answer");
    var result = fieldset.querySelector(".answer-result");
    if (!button || !result) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var chosen = fieldset.querySelectorAll("input:checked");
      if (!chosen.length) { result.textContent = words.none; return; }
      var right = Array.prototype.every.call(fieldset.querySelectorAll("input"), function (input) {
        return input.checked === (input.getAttribute("data-correct") === "yes");
      });
      result.className = "answer-result " + (right ? "right" : "wrong");
      result.textContent = right ? words.right : words.wrong;
      var details = fieldset.querySelector("details.answer");
      if (details) { details.open = true; }
      state.answers = state.answers || {};
      state.answers[fieldset.getAttribute("data-question")] = right;
      save(state);
    });
  });
  var forget = document.getElementById("forget-progress");
  if (forget) {
    forget.hidden = false;
    forget.addEventListener("click", function () {
      try { window.localStorage.removeItem(key); } catch (e) { /* nothing stored */ }
      state = { read: {} };
      show();
    });
  }
}());
