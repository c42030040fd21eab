// The live demonstration: posts messages over HTTP, listens to server-sent events.
(function () {
  "use strict";
  var root = document.getElementById("grooming-demo");
  if (!root) { return; }
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var params = new URLSearchParams(window.location.search);
  var onlySide = params.get("side");  // "child" when opened as the child's window
  var room = root.dataset.room || "";

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body ? JSON.stringify(body) : "{}"
    }).then(function (r) {
      if (!r.ok) { return r.json().then(function (e) { throw new Error(e.detail || r.status); }); }
      return r.json();
    });
  }

  function addLine(side, event) {
    var list = document.querySelector("#pane-" + side + " .g-chat");
    var li = document.createElement("li");
    li.className = "g-msg g-from-" + event.side;
    li.textContent = event.text;
    list.appendChild(li);
    list.scrollTop = list.scrollHeight;
  }

  function showRisk(view) {
    var pane = document.getElementById("pane-child");
    var level = pane.querySelector(".g-level");
    level.textContent = view.level_text;  // words, not a number: a greeting must not look alarming
    level.dataset.level = view.level;
    var stages = pane.querySelector(".g-stages");
    stages.textContent = "";
    view.stages.forEach(function (s) {
      var li = document.createElement("li");
      var b = document.createElement("strong");
      b.textContent = s.name + ": ";
      li.appendChild(b);
      li.appendChild(document.createTextNode(s.explanation));
      stages.appendChild(li);
    });
    var box = pane.querySelector(".g-warning");
    var list = box.querySelector(".g-alerts");
    list.textContent = "";
    // Every stage alerted while the warning is up, newest last: the box follows the chat.
    (view.alerts || []).forEach(function (a) {
      var li = document.createElement("li");
      var b = document.createElement("strong");
      b.textContent = a.stage_name + ": ";
      li.appendChild(b);
      li.appendChild(document.createTextNode("\u201c" + a.snippet + "\u201d"));
      list.appendChild(li);
    });
    if (view.alerts && view.alerts.length) {
      box.querySelector(".g-alert-advice").textContent = view.alerts[0].advice;
    }
    box.hidden = !view.warning;
  }

  function listen(side) {
    var source = new EventSource("/api/grooming/demo/rooms/" + encodeURIComponent(room) + "/events?side=" + side);
    source.addEventListener("message", function (e) { addLine(side, JSON.parse(e.data)); });
    if (side === "child") {
      source.addEventListener("risk", function (e) { showRisk(JSON.parse(e.data)); });
    }
    source.addEventListener("closed", function () { source.close(); });
    source.addEventListener("open", function () { root.dataset.ready = (root.dataset.ready || "") + side + " "; });
  }

  function start() {
    ["adult", "child"].forEach(function (side) {
      var pane = document.getElementById("pane-" + side);
      if (onlySide && onlySide !== side) { pane.hidden = true; return; }
      listen(side);
    });
    var share = document.querySelector(".g-share");
    if (share && !onlySide) {
      var url = window.location.pathname + "?room=" + encodeURIComponent(room) + "&side=child";
      var link = share.querySelector(".g-share-link");
      link.href = url;
      link.textContent = window.location.origin + url;
      share.hidden = false;
    }
  }

  document.querySelectorAll(".g-send").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var input = form.querySelector("input[name=text]");
      var text = input.value.trim();
      if (!text || !room) { return; }
      input.value = "";  // cleared now, not on the reply: the next message may already be typed
      input.focus();
      post("/api/grooming/demo/rooms/" + encodeURIComponent(room) + "/messages?lang=" + encodeURIComponent(document.documentElement.lang || "en"), { side: form.dataset.side, text: text })
        .catch(function (err) {
          if (!input.value) { input.value = text; }
          window.alert(root.dataset.error + " " + err.message);
        });
    });
  });

  if (room) { start(); } else {
    post("/api/grooming/demo/rooms").then(function (r) { room = r.room; start(); });
  }
})();
