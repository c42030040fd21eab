// The parents' check: reads a pasted or exported chat in the browser and analyses it with
// engine.js. Nothing here sends the chat anywhere: the only request is for the model (on load).
(function () {
  "use strict";
  var root = document.getElementById("grooming-check");
  if (!root) { return; }
  var d = root.dataset;
  var lang = d.lang || document.documentElement.lang || "en";
  var status = root.querySelector(".g-status");
  var button = root.querySelector("[data-testid=check]");
  var results = document.querySelector(".g-results");
  var model = null;

  function supported() {
    try {
      return !!(window.fetch && window.TextEncoder && window.Map && String.prototype.normalize &&
        window.FileReader && new RegExp("\\p{L}", "u").test("a") && window.HeroesGrooming);
    } catch (e) { return false; }
  }

  // --- reading chats ------------------------------------------------------------------------
  var WA = [
    // Android: 12/31/20, 9:41 PM - Name: text
    /^(\d{1,4}[./-]\d{1,2}[./-]\d{1,4}),?\s+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*[ap]\.?\s*m\.?)?\s+-\s+(.*)$/i,
    // iOS: [31/12/2020, 21:41:05] Name: text
    /^\u200e?\[(\d{1,4}[./-]\d{1,2}[./-]\d{1,4}),?\s+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*[ap]\.?\s*m\.?)?\]\s+(.*)$/i
  ];
  var MEDIA = /^(<media omitted>|<multimedia omitido>|image omitted|imagen omitida|video omitted|audio omitted|sticker omitted|<attached: [^>]*>)$/i;

  function whatsapp(text) {
    var msgs = [], current = null, any = false;
    text.split(/\r?\n/).forEach(function (raw) {
      var line = raw.replace(/[\u202f\u00a0]/g, " ");
      var m = null;
      for (var i = 0; i < WA.length && !m; i++) { m = WA[i].exec(line); }
      if (m) {
        any = true;
        var rest = m[2], colon = rest.indexOf(": ");
        if (colon < 1) { current = null; return; }  // system line (joins, encryption notice)
        var body = rest.slice(colon + 2).trim();
        current = { author: rest.slice(0, colon).replace(/^\u200e/, "").trim(), text: MEDIA.test(body) ? "" : body };
        msgs.push(current);
      } else if (current && line.trim()) {
        current.text += "\n" + line;
      }
    });
    return any ? msgs : null;
  }

  function plain(text) {
    var msgs = [], current = null;
    text.split(/\r?\n/).forEach(function (line) {
      var m = /^\s*([^:\n]{1,40}):\s+(.*)$/.exec(line);
      if (m) { current = { author: m[1].trim(), text: m[2] }; msgs.push(current); }
      else if (current && line.trim()) { current.text += "\n" + line; }
      else if (line.trim()) { current = { author: "?", text: line }; msgs.push(current); }
    });
    return msgs;
  }

  function telegramText(t) {
    if (typeof t === "string") { return t; }
    if (Array.isArray(t)) { return t.map(function (p) { return typeof p === "string" ? p : (p.text || ""); }).join(""); }
    return "";
  }

  function fromJson(data) {
    var convs = [];
    function add(obj, id) {
      if (!obj || !Array.isArray(obj.messages)) { return; }
      var msgs = [];
      obj.messages.forEach(function (m) {
        if (m.author !== undefined) { msgs.push({ author: String(m.author), text: String(m.text || "") }); }
        else if (m.type === "message" || m.from !== undefined) {
          msgs.push({ author: String(m.from || m.from_id || "?"), text: telegramText(m.text) });
        }
      });
      convs.push({ id: String(obj.id || obj.name || id), messages: msgs });
    }
    if (Array.isArray(data)) { data.forEach(function (c, i) { add(c, i + 1); }); }
    else if (data.chats && Array.isArray(data.chats.list)) { data.chats.list.forEach(function (c, i) { add(c, i + 1); }); }
    else if (Array.isArray(data.conversations)) { data.conversations.forEach(function (c, i) { add(c, i + 1); }); }
    else { add(data, 1); }
    return convs;
  }

  function parse(text) {
    var t = text.replace(/^\ufeff/, "");
    if (/^\s*[[{]/.test(t)) {
      try { return fromJson(JSON.parse(t)); } catch (e) { /* not JSON: read as text */ }
    }
    return [{ id: "1", messages: whatsapp(t) || plain(t) }];
  }

  // --- showing the result -------------------------------------------------------------------
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function stageName(id, who) {
    var s = model.cues.stages[id];
    return s ? HeroesGrooming.pick(s[who], lang) : d.modelWords;
  }

  function render(conv, r) {
    // The highest level the chat reached, as the Python report gives it.
    var order = ["none", "watch", "warning"];
    var level = r.steps.reduce(function (best, s) {
      return order.indexOf(s.level) > order.indexOf(best) ? s.level : best;
    }, "none");
    var everWarned = r.alert_at !== null;
    var box = el("section", "card g-result g-level-" + level);
    box.dataset.testid = "result";
    box.dataset.level = level;
    box.appendChild(el("h2", null, d.conversation + " " + conv.id + " (" + r.steps.length + " " + d.messages + ")"));
    var head = el("p", "g-level", d["level" + level.charAt(0).toUpperCase() + level.slice(1)]);
    head.dataset.testid = "level";
    box.appendChild(head);
    box.appendChild(el("p", "muted", d["explain" + level.charAt(0).toUpperCase() + level.slice(1)]));
    if (everWarned) {
      // The warning box lists every stage alerted, newest last: updated as later stages appear.
      var warn = el("div", "alert alert-error g-warning");
      warn.dataset.testid = "warning";
      warn.setAttribute("role", "alert");
      var ul = el("ul", "g-alerts");
      r.alerts.forEach(function (a) {
        var li = el("li");
        li.appendChild(el("strong", null, stageName(a.stage, "parent")));
        li.appendChild(document.createTextNode(" (" + d.message + " " + (a.index + 1) + "): "));
        li.appendChild(el("span", "g-snippet", "\u201c" + a.snippet + "\u201d"));
        ul.appendChild(li);
      });
      warn.appendChild(ul);
      box.appendChild(warn);
    }
    var stages = r.stages;
    if (stages.length) {
      var list = el("ul", "g-stages");
      list.dataset.testid = "stages";
      stages.forEach(function (s) {
        var li = el("li");
        li.dataset.stage = s.stage;
        li.appendChild(el("strong", null, stageName(s.stage, "parent")));
        var at = s.evidence.map(function (e) { return "#" + (e.index + 1); })
          .filter(function (x, i, all) { return all.indexOf(x) === i; }).join(", ");
        li.appendChild(document.createTextNode(" \u2014 " + d.messages + " " + at + " (" + d.from + " " + s.evidence[0].author + ")"));
        var sub = el("ul");
        s.evidence.slice(0, 5).forEach(function (e) {
          var item = el("li");
          item.appendChild(el("span", "g-snippet", "#" + (e.index + 1) + " \u201c" + e.snippet + "\u201d"));
          item.appendChild(document.createTextNode(" \u2014 " + HeroesGrooming.pick(model.cues.byId[e.cue].adult, lang)));
          sub.appendChild(item);
        });
        li.appendChild(sub);
        list.appendChild(li);
      });
      box.appendChild(list);
    }
    var advice = el("p", "g-advice");
    advice.dataset.testid = "advice";
    var key = level === "warning" ? "high" : level === "watch" ? "elevated" : "low";
    advice.textContent = HeroesGrooming.pick(model.cues.advice[key], lang) + " ";
    var report = el("a", null, document.querySelector("a[href='/reports/new']").textContent);
    report.href = "/reports/new";
    var guide = el("a", null, document.querySelector("a[href='/grooming/guide']").textContent);
    guide.href = "/grooming/guide";
    advice.appendChild(report);
    advice.appendChild(document.createTextNode(" \u00b7 "));
    advice.appendChild(guide);
    box.appendChild(advice);
    return box;
  }

  function check(text) {
    var convs = parse(text).filter(function (c) { return c.messages.some(function (m) { return m.text.trim(); }); });
    results.textContent = "";
    if (!convs.length) {
      results.appendChild(el("p", "alert alert-warn", d.noMessages));
    }
    convs.forEach(function (c) { results.appendChild(render(c, HeroesGrooming.analyse(model, c.messages))); });
    results.hidden = false;
    results.dataset.done = String(Number(results.dataset.done || 0) + 1);
  }

  if (!supported()) {
    document.querySelector(".g-unsupported").hidden = false;
    root.hidden = true;
    return;
  }
  HeroesGrooming.load(d.model).then(function (m) {
    model = m;
    status.textContent = d.readyText;
    button.disabled = false;
    root.dataset.ready = "1";
  }, function () { status.textContent = d.loadingError; });

  root.querySelector("form").addEventListener("submit", function (e) {
    e.preventDefault();
    if (!model) { return; }
    var file = root.querySelector("input[type=file]").files[0];
    if (file) {
      var reader = new FileReader();
      reader.onload = function () { check(String(reader.result)); };
      reader.readAsText(file);
    } else {
      check(root.querySelector("textarea").value);
    }
  });
})();
