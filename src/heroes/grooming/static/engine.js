// The grooming early-warning engine in the browser: a line-for-line port of the Python
// StreamAnalyser (features.py, cues.py, stream.py) so that a parent's chat is analysed on
// their own device and never sent anywhere. Scores equal the Python engine's (tests check
// them to 1e-6 on every test chat). Plain JavaScript, no build step, no dependencies.
(function (global) {
  "use strict";

  // --- features.py ------------------------------------------------------------------------
  var REPEAT = /([^\n])\1{2,}/gu;  // Python: (.)\1{2,} where "." is anything but "\n"
  var TOKEN = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)?/gu;  // Python: [^\W_]+(?:'[^\W_]+)?
  var LONG_HEX = /^[0-9a-f]{16,}$/;

  function normalise(text) {
    return text.normalize("NFKC").toLowerCase().replace(REPEAT, "$1$1");
  }

  function tokens(text) {
    var out = normalise(text).match(TOKEN) || [];
    return out.filter(function (t) { return !LONG_HEX.test(t); });
  }

  var CRC_TABLE = (function () {
    var table = new Uint32Array(256);
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) { c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1; }
      table[n] = c >>> 0;
    }
    return table;
  })();
  var UTF8 = new TextEncoder();

  function crc32(str) {
    var bytes = UTF8.encode(str);
    var crc = 0xFFFFFFFF;
    for (var i = 0; i < bytes.length; i++) { crc = CRC_TABLE[(crc ^ bytes[i]) & 0xFF] ^ (crc >>> 8); }
    return (crc ^ 0xFFFFFFFF) >>> 0;
  }

  function featureStrings(text) {
    var toks = tokens(text);
    var out = toks.map(function (t) { return "w " + t; });
    for (var i = 0; i + 1 < toks.length; i++) { out.push("b " + toks[i] + " " + toks[i + 1]); }
    toks.forEach(function (t) {
      var padded = Array.from(" " + t + " ");  // code points, as Python slices
      for (var j = 0; j + 3 <= padded.length; j++) { out.push("c " + padded.slice(j, j + 3).join("")); }
    });
    return out;
  }

  function counts(text, mask) {
    var m = new Map();  // insertion order = first occurrence, as Python's Counter
    featureStrings(text).forEach(function (f) {
      var i = (crc32(f) & mask) >>> 0;
      m.set(i, (m.get(i) || 0) + 1);
    });
    return m;
  }

  // --- cues.py ----------------------------------------------------------------------------
  function fold(text) {
    return normalise(text).normalize("NFKD").replace(/\p{Mn}/gu, "").replace(/[\r\u2028\u2029]/g, "\n");
  }

  function pick(value, lang) {
    return (value && (value[lang] || value[lang.split("-")[0]] || value.en)) || "";
  }

  function CueSet(bundle) {
    this.stages = {};
    var self = this;
    bundle.stages.forEach(function (s) { self.stages[s.id] = s; });
    this.advice = bundle.advice;
    this.cues = bundle.cues.map(function (c) {
      var plan = Object.keys(c.patterns).map(function (lang) {
        // "u": code points like Python; without "i", \b and \w stay ASCII like re.ASCII.
        return { lang: lang, res: c.patterns[lang].map(function (p) { return new RegExp(p, "u"); }) };
      });
      return { id: c.id, stage: c.stage, weight: c.weight, child: c.child, adult: c.adult, plan: plan };
    });
    this.byId = {};
    this.cues.forEach(function (c) { self.byId[c.id] = c; });
  }

  CueSet.prototype.find = function (text) {
    var folded = fold(text);
    var hits = [];
    this.cues.forEach(function (cue) {
      for (var l = 0; l < cue.plan.length; l++) {
        var res = cue.plan[l].res;
        for (var r = 0; r < res.length; r++) {
          var m = res[r].exec(folded);
          if (m) {
            var start = Array.from(folded.slice(0, m.index)).length;
            hits.push({ cue: cue, language: cue.plan[l].lang, start: start, end: start + Array.from(m[0]).length });
            return;
          }
        }
      }
    });
    return hits;
  };

  CueSet.prototype.stageOrder = function (id) { return this.stages[id].order; };

  // --- stream.py --------------------------------------------------------------------------
  var SNIPPET_CHARS = 80;

  function sigmoid(z) {
    if (z >= 0) { return 1 / (1 + Math.exp(-z)); }
    var e = Math.exp(z);
    return e / (1 + e);
  }

  function Weights(bundle) {
    var coef = decodeF32(bundle.text.coef), idf = decodeF32(bundle.text.idf);
    this.w = new Float64Array(coef.length);
    this.v = new Float64Array(idf.length);
    for (var i = 0; i < coef.length; i++) { this.w[i] = coef[i] * idf[i]; this.v[i] = idf[i] * idf[i]; }
    this.b = bundle.text.intercept;
  }

  // language_model.py: one student per language, sparse float32 weights over the same features.
  function LanguageModel(entry, n) {
    var idx = decodeI32(entry.indices), val = decodeF32(entry.values);
    this.lang = entry.lang;
    this.w = new Float64Array(n);
    for (var i = 0; i < idx.length; i++) { this.w[idx[i]] = val[i]; }
    this.v = new Float64Array(n).fill(1);
    this.b = entry.intercept;
    this.policy = entry.policy;
    this.minRisk = entry.min_risk;
  }

  function decodeI32(b64) {
    var bin = atob(b64);
    var view = new DataView(new ArrayBuffer(bin.length));
    for (var i = 0; i < bin.length; i++) { view.setUint8(i, bin.charCodeAt(i)); }
    var out = new Int32Array(bin.length / 4);
    for (var j = 0; j < out.length; j++) { out[j] = view.getInt32(j * 4, true); }
    return out;
  }

  function leadingLanguage(hits, order) {  // most marker hits; English (first) on a tie
    var best = order[0], top = hits[order[0]];
    for (var i = 1; i < order.length; i++) { if (hits[order[i]] > top) { best = order[i]; top = hits[order[i]]; } }
    return best;
  }

  function Languages(model) {
    var self = this;
    this.model = model; this.hits = {}; this.bags = {}; this.recent = []; this.language = "en";
    model.markerOrder.forEach(function (l) { self.hits[l] = 0; });
    Object.keys(model.languages).forEach(function (l) { self.bags[l] = new Bag(); });
  }
  Languages.prototype.add = function (msg) {
    var self = this, ids = this.model.markerIds;
    msg.forEach(function (k, i) { var l = ids.get(i); if (l !== undefined) { self.hits[l] += k; } });
    this.language = leadingLanguage(this.hits, this.model.markerOrder);
    this.recent.push(msg);
    var old = this.recent.length > this.model.stream.window ? this.recent.shift() : null;
    Object.keys(this.bags).forEach(function (l) {
      var lm = self.model.languages[l];
      self.bags[l].add(msg, lm, 1);
      if (old) { self.bags[l].add(old, lm, -1); }
    });
    var lm = this.model.languages[this.language];
    if (!lm) { return [this.language, 0, 0]; }
    var s = 0, q = 0;  // the student on this message alone, summed in the same order as Python
    msg.forEach(function (k, i) { s += lm.w[i] * k; });
    msg.forEach(function (k) { q += k * k; });
    var alone = sigmoid(q ? s / Math.sqrt(q) + lm.b : lm.b);
    return [this.language, sigmoid(this.bags[this.language].z(lm.b)), alone];
  };

  function decodeF32(b64) {
    var bin = atob(b64);
    var view = new DataView(new ArrayBuffer(bin.length));
    for (var i = 0; i < bin.length; i++) { view.setUint8(i, bin.charCodeAt(i)); }
    var out = new Float64Array(bin.length / 4);
    for (var j = 0; j < out.length; j++) { out[j] = view.getFloat32(j * 4, true); }
    return out;
  }

  function Bag() { this.counts = new Map(); this.S = 0; this.Q = 0; }
  Bag.prototype.add = function (msg, wt, sign) {
    var self = this;
    msg.forEach(function (k, i) {
      var old = self.counts.get(i) || 0;
      var nw = old + sign * k;
      self.S += wt.w[i] * sign * k;
      self.Q += wt.v[i] * (nw * nw - old * old);
      if (nw) { self.counts.set(i, nw); } else { self.counts.delete(i); }
    });
  };
  Bag.prototype.z = function (b) { return this.Q > 1e-12 ? this.S / Math.sqrt(this.Q) + b : b; };

  function Hysteresis(policy) {
    this.policy = policy; this.warning = false; this.high = 0; this.low = 0;
  }
  Hysteresis.prototype.update = function (risk) {
    var p = this.policy;
    this.high = risk >= p.raise_at ? this.high + 1 : 0;
    this.low = risk < p.clear_below ? this.low + 1 : 0;
    if (!this.warning && this.high >= p.raise_after) { this.warning = true; }
    else if (this.warning && this.low >= p.clear_after) { this.warning = false; }
    return this.warning;
  };

  function StageHysteresis(rule) {
    Hysteresis.call(this, { raise_at: rule.raise_at, clear_below: rule.clear_below, raise_after: 1, clear_after: rule.clear_after });
    this.minStages = rule.min_stages;
    this.minRisk = rule.min_risk;
  }
  StageHysteresis.prototype = Object.create(Hysteresis.prototype);
  StageHysteresis.prototype.updateStages = function (evidence, stages, risk, minRisk) {
    var counts = stages >= this.minStages && risk >= (minRisk === undefined ? this.minRisk : minRisk);
    return this.update(counts ? evidence : Math.min(evidence, this.policy.clear_below - 1e-9));
  };

  function AuthorScorer(model) {
    this.model = model; this.cum = new Bag(); this.win = new Bag(); this.recent = [];
    this.n = 0; this.cueLast = new Map(); this.cueStage = {}; this.stages = {};
  }
  AuthorScorer.prototype.features = function (msg, hits) {
    var cfg = this.model.stream, wt = this.model.weights, self = this;
    this.n += 1;
    this.cum.add(msg, wt, 1);
    this.win.add(msg, wt, 1);
    this.recent.push(msg);
    if (this.recent.length > cfg.window) { this.win.add(this.recent.shift(), wt, -1); }
    hits.forEach(function (h) {
      self.cueLast.set(h.cue.id, [self.n, h.cue.weight]);
      self.cueStage[h.cue.id] = h.cue.stage;
      self.stages[h.cue.stage] = true;
    });
    var cue = 0;
    this.cueLast.forEach(function (v) { cue += v[1] * Math.pow(0.5, (self.n - v[0]) / cfg.cue_half_life); });
    var length = Math.min(Math.log1p(this.n) / Math.log1p(cfg.length_scale), 1.0);
    var zCum = this.cum.z(wt.b);
    return [zCum, this.win.z(wt.b), zCum * length, cue, Object.keys(this.stages).length, length];
  };
  AuthorScorer.prototype.risk = function (feats) {
    var st = this.model.stacker, z = st.intercept;
    for (var i = 0; i < feats.length; i++) { z += st.coef[i] * feats[i]; }
    return sigmoid(z);
  };
  AuthorScorer.prototype.stageEvidence = function () {
    var rule = this.model.stage_rule, self = this, per = new Map();
    this.cueLast.forEach(function (v, id) {
      var stage = self.cueStage[id];
      if (stage === "access") { return; }
      if (!per.has(stage)) { per.set(stage, []); }
      per.get(stage).push(v[1] * Math.pow(0.5, (self.n - v[0]) / rule.half_life));
    });
    var vals = [];
    per.forEach(function (v) {
      v.sort(function (a, b) { return b - a; });
      var rest = 0;
      for (var i = 1; i < v.length; i++) { rest += v[i]; }
      vals.push(v[0] + 0.5 * rest);
    });
    vals.sort(function (a, b) { return a - b; });
    var sum = 0;
    vals.forEach(function (x) { sum += x; });
    return [sum, vals.length];
  };

  function squeeze(text) { return text.split(/\s+/).filter(Boolean).join(" "); }

  function snippet(text, hit) {
    var chars = Array.from(squeeze(text));
    if (chars.length <= SNIPPET_CHARS) { return chars.join(""); }
    var start = 0;
    if (hit) {
      var centre = (hit.start + hit.end) / 2 / Math.max(Array.from(fold(chars.join(""))).length, 1) * chars.length;
      start = Math.trunc(Math.max(0, Math.min(chars.length - SNIPPET_CHARS, centre - SNIPPET_CHARS / 2)));
    }
    var cut = chars.slice(start, start + SNIPPET_CHARS - 2).join("").trim();
    return (start ? "\u2026" : "") + cut + "\u2026";
  }

  function Model(bundle) {
    this.bundle = bundle;
    this.weights = new Weights(bundle);
    this.mask = bundle.n_features - 1;
    this.stacker = bundle.stacker;
    this.policy = bundle.policy;
    this.stream = bundle.stream;
    this.stage_rule = bundle.stage_rule;
    this.cues = new CueSet(bundle);
    var self = this;
    this.languages = {};
    (bundle.languages || []).forEach(function (e) { self.languages[e.lang] = new LanguageModel(e, bundle.n_features); });
    this.hasLanguages = Object.keys(this.languages).length > 0;
    this.markerOrder = (bundle.markers || []).map(function (m) { return m.lang; });
    this.markerIds = new Map();  // word feature id -> language; the earlier language keeps a shared id
    (bundle.markers || []).forEach(function (m) {
      m.words.forEach(function (w) {
        var id = (crc32("w " + w) & self.mask) >>> 0;
        if (!self.markerIds.has(id)) { self.markerIds.set(id, m.lang); }
      });
    });
  }

  function Analyser(model) {
    this.model = model; this.cues = model.cues; this.authors = new Map();
    this.stages = {}; this.stageSeen = []; this.alerts = []; this.index = -1; this.warning = false;
  }

  Analyser.prototype.author = function (name) {
    if (!this.authors.has(name)) {
      this.authors.set(name, {
        scorer: new AuthorScorer(this.model), hysteresis: new Hysteresis(this.model.policy),
        stageHysteresis: new StageHysteresis(this.model.stage_rule),
        risk: 0, evidence: 0, warning: false, recent: [], peak: 0, firstWarning: null,
        languages: this.model.hasLanguages ? new Languages(this.model) : null, languageHysteresis: {},
        language: "en", languageRisk: 0, learnedTop: null
      });
      var a = this.authors.get(name), langs = this.model.languages;
      Object.keys(langs).forEach(function (l) { a.languageHysteresis[l] = new Hysteresis(langs[l].policy); });
    }
    return this.authors.get(name);
  };

  Analyser.prototype.feed = function (authorName, text) {
    this.index += 1;
    var msg = counts(text, this.model.mask);
    var hits = this.cues.find(text);
    var a = this.author(authorName), self = this;
    var feats = a.scorer.features(msg, hits);
    a.risk = a.scorer.risk(feats);
    a.recent.push(a.risk);
    if (a.recent.length > this.model.policy.raise_after) { a.recent.shift(); }
    a.peak = Math.max(a.peak, Math.min.apply(null, a.recent));
    var ev = a.scorer.stageEvidence();
    a.evidence = ev[0];
    var byModel = a.hysteresis.update(a.risk);
    var lang = a.languages ? a.languages.add(msg) : ["en", 0, 0];
    a.language = lang[0]; a.languageRisk = lang[1];
    var learned = this.model.languages[a.language];
    if (learned && (a.learnedTop === null || lang[2] > a.learnedTop[0])) { a.learnedTop = [lang[2], snippet(text, null)]; }
    var byStages = learned
      ? a.stageHysteresis.updateStages(ev[0], ev[1], a.languageRisk, learned.minRisk)
      : a.stageHysteresis.updateStages(ev[0], ev[1], a.risk);
    var byLanguage = false;
    Object.keys(a.languageHysteresis).forEach(function (l) {
      byLanguage = a.languageHysteresis[l].update(l === a.language ? a.languageRisk : 0) || byLanguage;
    });
    a.warning = byModel || byStages || byLanguage;
    if (a.warning && a.firstWarning === null) { a.firstWarning = this.index; }
    hits.forEach(function (h) {
      if (!self.stages[h.cue.stage]) { self.stages[h.cue.stage] = []; self.stageSeen.push(h.cue.stage); }
      self.stages[h.cue.stage].push({ index: self.index, author: authorName, cue: h.cue.id, snippet: snippet(text, h) });
    });
    var was = this.warning;
    this.warning = false;
    this.authors.forEach(function (x) { if (x.warning) { self.warning = true; } });
    var alert = null;
    if (this.warning && (!was || (a.warning && hits.length))) {
      alert = this.makeAlert(authorName, text, was);
      if (alert) { this.alerts.push(alert); }
    }
    var evidence = -Infinity, risk = 0, authorRisk = {};
    this.authors.forEach(function (x, n) {
      evidence = Math.max(evidence, x.evidence); risk = Math.max(risk, x.risk); authorRisk[n] = x.risk;
    });
    var level = this.warning ? "warning" : evidence >= this.model.stage_rule.watch_at ? "watch" : "none";
    return {
      index: this.index, author: authorName, risk: risk, author_risk: authorRisk, warning: this.warning,
      cues: hits.map(function (h) { return h.cue.id; }), alert: alert, level: level, evidence: evidence,
      language: a.language, language_risk: a.languageRisk
    };
  };

  Analyser.prototype.makeAlert = function (authorName, text, renew) {
    var self = this, ours = [];
    Object.keys(this.stages).forEach(function (s) {
      self.stages[s].forEach(function (e) { if (e.author === authorName) { ours.push(e); } });
    });
    var stageOf = function (e) { return self.cues.byId[e.cue].stage; };
    if (renew) {
      var done = {};
      this.alerts.forEach(function (x) { done[x.stage] = true; });
      ours = ours.filter(function (e) { return e.index === self.index && !done[stageOf(e)]; });
      if (!ours.length) { return null; }
    }
    if (ours.length) {
      var best = ours[0];
      ours.forEach(function (e) {
        var o = self.cues.stageOrder(stageOf(e)), ob = self.cues.stageOrder(stageOf(best));
        if (o > ob || (o === ob && e.index >= best.index)) { best = e; }
      });
      return { index: this.index, stage: stageOf(best), snippet: best.snippet };
    }
    var top = this.authors.get(authorName).learnedTop;
    return { index: this.index, stage: "model", snippet: top ? top[1] : snippet(text, null) };
  };

  // Stages in the Python order: by stage order (dict of evidence lists is the same content).
  Analyser.prototype.stageList = function () {
    var self = this;
    return Object.keys(this.stages).sort(function (x, y) { return self.cues.stageOrder(x) - self.cues.stageOrder(y); })
      .map(function (s) { return { stage: s, evidence: self.stages[s] }; });
  };

  // A whole conversation, as analysis.analyse reads it (messages without text are skipped).
  function analyse(model, messages) {
    var an = new Analyser(model), steps = [];
    messages.forEach(function (m) {
      if (!m.text || !m.text.trim()) { return; }
      steps.push(an.feed(m.author, m.text));
    });
    var alertAt = null;
    an.authors.forEach(function (a) {
      if (a.firstWarning !== null && (alertAt === null || a.firstWarning < alertAt)) { alertAt = a.firstWarning; }
    });
    return { analyser: an, steps: steps, alert_at: alertAt, alerts: an.alerts, stages: an.stageList() };
  }

  global.HeroesGrooming = {
    Model: Model, Analyser: Analyser, analyse: analyse, pick: pick, fold: fold,
    normalise: normalise, featureStrings: featureStrings, crc32: crc32,
    load: function (url) {
      return fetch(url, { credentials: "omit" }).then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      }).then(function (b) { return new Model(b); });
    }
  };
})(window);
