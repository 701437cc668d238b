// The report's step-through player. A section plays its steps one after
// another; each step is forward (values light up node by node), backward
// (gradients flow node by node against the arrows, each edge out of the
// node showing upstream × local = contribution) and the update (each
// parameter's box shows its new value), then the next step starts from
// the updated θ. All text comes from chainrule (the JSON in #cr-data and
// the SVG); this script only shows, hides and swaps it.
//
// Keys: ← → one frame, space play / pause. The address #section/k follows
// the player, and opening or changing it moves the player there.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("cr-data").textContent);
  var ui = data.ui;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }

  // Frame list: per step its forward frames, backward frames and update.
  function frames(steps) {
    var out = [];
    steps.forEach(function (s, i) {
      s.forward.forEach(function (f, k) { out.push({ step: i, phase: "forward", k: k + 1, n: s.forward.length, frame: f }); });
      s.backward.forEach(function (f, k) { out.push({ step: i, phase: "backward", k: k + 1, n: s.backward.length, frame: f }); });
      if (s.update) { out.push({ step: i, phase: "update", k: 1, n: 1, frame: s.update }); }
    });
    return out;
  }

  function Player(root, section) {
    this.root = root;
    this.id = root.dataset.section;
    this.steps = section.steps;
    this.frames = frames(this.steps);
    this.total = this.frames.length;
    this.k = 0;
    this.timer = null;
    this.caption = root.querySelector(".caption");
    this.counter = root.querySelector(".counter");
    this.playButton = root.querySelector('[data-act="play"]');
    var self = this;
    root.querySelectorAll("[data-act]").forEach(function (b) {
      b.addEventListener("click", function () { self.act(b.dataset.act); });
    });
    this.show();
  }

  Player.prototype.node = function (id) {
    return this.root.querySelector("#n" + id);
  };

  // Edges into node `id`: their ids end in "-id".
  Player.prototype.edgesInto = function (id) {
    return this.root.querySelectorAll('.edge[id$="-' + id + '"]');
  };

  Player.prototype.act = function (what) {
    if (what === "play") {
      if (this.timer) { this.pause(); } else { this.play(); }
      return;
    }
    this.pause();
    if (what === "first") { this.go(0); }
    if (what === "back") { this.go(this.k - 1); }
    if (what === "step") { this.go(this.k + 1); }
  };

  Player.prototype.play = function () {
    var self = this;
    if (this.k >= this.total) { this.go(0); }
    this.playButton.textContent = ui["report-pause"];
    this.timer = setInterval(function () {
      if (self.k >= self.total) { self.pause(); } else { self.go(self.k + 1); }
    }, 1100);
  };

  Player.prototype.pause = function () {
    if (this.timer) { clearInterval(this.timer); }
    this.timer = null;
    this.playButton.textContent = ui["report-play"];
  };

  Player.prototype.go = function (k, keepHash) {
    this.k = Math.max(0, Math.min(this.total, k));
    this.show();
    if (!keepHash && history.replaceState) {
      history.replaceState(null, "", "#" + encodeURIComponent(this.id) + "/" + this.k);
    }
  };

  // The texts of step i: node values and gradients, edge labels.
  Player.prototype.texts = function (i) {
    var s = this.steps[i], self = this;
    Object.keys(s.vals).forEach(function (id) {
      var box = self.node(id);
      box.querySelector(".val").textContent = s.vals[id];
      box.querySelector(".grad").textContent = s.grads[id];
    });
    Object.keys(s.labs).forEach(function (id) {
      setLabel(self.root.querySelector("#" + id), s.labs[id]);
    });
  };

  // Frame k is the k-th done (0: none yet). Within its step, every frame
  // up to it is shown; the current one is outlined.
  Player.prototype.show = function () {
    var self = this, k = this.k;
    var cur = k === 0 ? null : this.frames[k - 1];
    var i = cur ? cur.step : 0;
    this.texts(i);
    this.root.querySelectorAll(".box, .edge").forEach(function (el) {
      el.classList.remove("has-val", "has-grad", "current", "flow", "on", "updated");
    });
    this.frames.slice(0, k).forEach(function (f) {
      if (f.step !== i) { return; }
      f.frame.nodes.forEach(function (id) {
        if (f.phase === "forward") {
          self.node(id).classList.add("has-val");
          self.edgesInto(id).forEach(function (e) { e.classList.add("on"); });
        } else if (f.phase === "backward") {
          self.node(id).classList.add("has-grad");
        }
      });
    });
    if (cur) {
      cur.frame.nodes.forEach(function (id) { self.node(id).classList.add("current"); });
      (cur.frame.edges || []).forEach(function (e) {
        var el = self.root.querySelector("#" + e.id);
        el.classList.add("flow");
        setLabel(el, e.text);
      });
      if (cur.phase === "update") {
        Object.keys(cur.frame.vals).forEach(function (id) {
          var box = self.node(id);
          box.classList.add("updated");
          box.querySelector(".val").textContent = cur.frame.vals[id];
        });
      }
    }
    this.caption.textContent = cur ? cur.frame.caption : ui["report-caption-start"];
    this.counter.textContent = cur ? fill(ui["report-counter"], {
      step: cur.step + 1, steps: this.steps.length, phase: ui["report-phase-" + cur.phase], k: cur.k, n: cur.n
    }) : ui["report-counter-start"];
  };

  // An edge label of one or more lines ("\n"), its white backing resized.
  function setLabel(edge, text) {
    var lab = edge.querySelector(".lab"), bg = edge.querySelector(".labbg");
    var lines = text.split("\n");
    lab.textContent = "";
    lines.forEach(function (line, i) {
      var t = document.createElementNS("http://www.w3.org/2000/svg", "tspan");
      t.setAttribute("x", lab.getAttribute("x"));
      if (i > 0) { t.setAttribute("dy", "1.15em"); }
      t.textContent = i < lines.length - 1 ? line + " " : line;
      lab.appendChild(t);
    });
    var box = lab.getBBox();
    bg.setAttribute("x", box.x - 3);
    bg.setAttribute("y", box.y - 1);
    bg.setAttribute("width", box.width + 6);
    bg.setAttribute("height", box.height + 2);
  }

  var players = {};
  var current = null;
  document.querySelectorAll(".player").forEach(function (root) {
    players[root.dataset.section] = new Player(root, data.sections[root.dataset.section]);
    if (current === null) { current = root.dataset.section; }
  });

  function open(id) {
    current = id;
    document.querySelectorAll("section.lesson").forEach(function (s) { s.hidden = s.id !== id; });
    document.querySelectorAll("nav button").forEach(function (b) {
      if (b.dataset.target === id) {
        b.setAttribute("aria-current", "true");
        if (b.scrollIntoView) { b.scrollIntoView({ block: "nearest", inline: "center" }); }
      } else {
        b.removeAttribute("aria-current");
      }
    });
  }
  document.querySelectorAll("nav button").forEach(function (b) {
    b.addEventListener("click", function () {
      open(b.dataset.target);
      players[b.dataset.target].go(players[b.dataset.target].k);
    });
  });

  // ← → space drive the open section's player (not while typing).
  document.addEventListener("keydown", function (e) {
    var p = players[current];
    var tag = e.target && e.target.tagName;
    if (!p || e.altKey || e.ctrlKey || e.metaKey || tag === "INPUT" || tag === "TEXTAREA") { return; }
    if (e.key === "ArrowRight") { p.act("step"); e.preventDefault(); }
    if (e.key === "ArrowLeft") { p.act("back"); e.preventDefault(); }
    if (e.key === " " || e.key === "Spacebar") { p.act("play"); e.preventDefault(); }
  });

  // #ID or #ID/K opens a section (at frame K).
  function follow(hash) {
    var parts = hash.split("/");
    if (!players[parts[0]]) { return false; }
    open(parts[0]);
    players[parts[0]].go(parseInt(parts[1], 10) || 0, true);
    return true;
  }
  window.addEventListener("hashchange", function () {
    follow(decodeURIComponent(location.hash.slice(1)));
  });

  // What a node box shows right now: its value and gradient text, each
  // only if visible.
  function shown(player, id) {
    var box = player.node(id), out = {};
    ["val", "grad"].forEach(function (cls) {
      var t = box.querySelector("." + cls);
      if (getComputedStyle(t).opacity === "1") { out[cls] = t.textContent; }
    });
    return out;
  }

  // Characters drawn as boxes: each distinct non-ASCII character of the
  // page is drawn on a canvas in the page's font and compared, pixel by
  // pixel, with a private-use character no font has (drawn as the
  // missing-glyph box) and with the other characters (missing glyphs all
  // look alike).
  function glyphCheck(report) {
    var canvas = document.createElement("canvas");
    canvas.width = 40; canvas.height = 40;
    var ctx = canvas.getContext("2d");
    var font = "24px " + getComputedStyle(document.body).fontFamily;
    function draw(ch) {
      ctx.clearRect(0, 0, 40, 40);
      ctx.font = font;
      ctx.fillStyle = "#000";
      ctx.fillText(ch, 4, 30);
      return Array.prototype.join.call(ctx.getImageData(0, 0, 40, 40).data, ",");
    }
    var tofu = draw("\uE000"), seen = {}, chars = [];
    var text = document.body.innerText + document.title;
    for (var i = 0; i < text.length; i++) {
      var c = text[i];
      if (c.charCodeAt(0) > 127 && !/\s/.test(c) && !seen[c] && chars.length < 400) { seen[c] = true; chars.push(c); }
    }
    var byPicture = {}, boxes = [];
    chars.forEach(function (c) {
      var pic = draw(c);
      if (pic === tofu) { boxes.push(c); }
      if (/[\uAC00-\uD7A3]/.test(c)) {
        if (byPicture[pic]) { boxes.push(c + "=" + byPicture[pic]); } else { byPicture[pic] = c; }
      }
    });
    report.glyphs = { checked: chars.length, boxes: boxes };
  }

  function overlap(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  // Every label and text of the open section at its drawn size: the
  // smallest font in CSS px, and pairs of edge labels (or a label and an
  // arrowhead) that overlap.
  function layoutProblems(name, p, report) {
    var smallest = Infinity, where = "";
    document.getElementById(name).querySelectorAll("text, .caption, .counter, .meta, pre, button, figcaption").forEach(function (t) {
      if (!t.getClientRects().length) { return; }
      var px = parseFloat(getComputedStyle(t).fontSize);
      var svg = t.ownerSVGElement;
      if (svg) {
        var scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        px = px * scale;
      }
      if (px < smallest) { smallest = px; where = (t.textContent || "").slice(0, 40); }
    });
    report.fonts[name] = { smallest: smallest, where: where };
    var labels = [], heads = [];
    p.root.querySelectorAll(".edge").forEach(function (e) {
      var bg = e.querySelector(".labbg");
      if (getComputedStyle(bg).opacity !== "0") { labels.push({ id: e.id, r: bg.getBoundingClientRect() }); }
      var path = e.querySelector("path"), len = path.getTotalLength(), m = path.getScreenCTM();
      [len, 0].forEach(function (at) {
        var pt = path.getPointAtLength(at), x = m.a * pt.x + m.c * pt.y + m.e, y = m.b * pt.x + m.d * pt.y + m.f;
        heads.push({ id: e.id, r: { left: x - 5, right: x + 5, top: y - 4, bottom: y + 4 } });
      });
    });
    for (var a = 0; a < labels.length; a++) {
      for (var b = a + 1; b < labels.length; b++) {
        if (overlap(labels[a].r, labels[b].r)) { report.problems.push(name + ": labels " + labels[a].id + " and " + labels[b].id + " overlap"); }
      }
      heads.forEach(function (h) {
        if (overlap(labels[a].r, h.r)) { report.problems.push(name + ": label " + labels[a].id + " covers the end of " + h.id); }
      });
    }
  }

  // #selftest: play every section through all its steps (forward,
  // backward, update, next step), back one frame and forward again, drive
  // it by keyboard, check the address follows, measure fonts and label
  // overlaps; write it all into #selftest for the browser test to read.
  function selftest() {
    var report = { sections: {}, problems: [], fonts: {} };
    // Chromium throttles history updates past ~100 in a burst, so the
    // address is checked frame by frame in the first section only.
    var first = true;
    Object.keys(players).forEach(function (name) {
      var p = players[name];
      open(name);
      p.go(0);
      if (p.root.querySelectorAll(".box.has-val").length !== 0) { report.problems.push(name + ": values shown at the start"); }
      var steps = [], flows = [], lastStep = -1, rec = null;
      for (var k = 1; k <= p.total; k++) {
        p.act("step");
        var f = p.frames[k - 1];
        if (f.step !== lastStep) {
          rec = { nodes: {}, flows: [], update: null, caption: "" };
          steps.push(rec);
          lastStep = f.step;
        }
        if (f.phase === "backward") {
          p.root.querySelectorAll(".edge.flow .lab").forEach(function (l) { rec.flows.push(l.textContent); flows.push(l.textContent); });
          p.root.querySelectorAll(".edge.flow path").forEach(function (path) {
            var cs = getComputedStyle(path);
            if (cs.markerStart === "none" || cs.markerEnd !== "none") { report.problems.push(name + ": a backward edge still points forward"); }
          });
        }
        if (f.phase === "update") {
          rec.update = {};
          f.frame.nodes.forEach(function (id) { rec.update[id] = shown(p, id).val; });
          rec.caption = p.caption.textContent;
        }
        // The last backward frame of a step: record what every box shows.
        var next = p.frames[k];
        if (f.phase === "backward" && (!next || next.phase !== "backward" || next.step !== f.step)) {
          p.root.querySelectorAll(".box").forEach(function (box) { rec.nodes[box.id.slice(1)] = shown(p, box.id.slice(1)); });
        }
        if (first && location.hash !== "#" + encodeURIComponent(name) + "/" + k) { report.problems.push(name + ": the address did not follow frame " + k + " (" + location.hash + ")"); }
      }
      if (p.frames.length && p.frames[p.total - 1].phase !== "update") { report.problems.push(name + ": the player ends before the update"); }
      // Back one frame hides the update, forward shows it again.
      var params = p.frames[p.total - 1].frame.nodes;
      p.act("back");
      if (p.node(params[0]).classList.contains("updated")) { report.problems.push(name + ": back did not undo the update"); }
      p.act("step");
      if (!p.node(params[0]).classList.contains("updated")) { report.problems.push(name + ": step did not show the update again"); }
      // Keyboard: ← and → move one frame, space starts and stops playing.
      var before = p.k;
      document.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowLeft", bubbles: true }));
      if (p.k !== before - 1) { report.problems.push(name + ": ← did not go back"); }
      document.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
      if (p.k !== before) { report.problems.push(name + ": → did not step"); }
      document.dispatchEvent(new KeyboardEvent("keydown", { key: " ", bubbles: true }));
      if (!p.timer) { report.problems.push(name + ": space did not play"); }
      document.dispatchEvent(new KeyboardEvent("keydown", { key: " ", bubbles: true }));
      if (p.timer) { report.problems.push(name + ": space did not pause"); }
      // The address moves the player.
      follow(name + "/1");
      if (p.k !== 1) { report.problems.push(name + ": #" + name + "/1 did not move the player"); }
      // Fonts and overlaps, mid-backward of the first step (labels shown).
      var mid = 0;
      p.frames.forEach(function (f, i) { if (!mid && f.phase === "backward" && f.k === Math.ceil(f.n / 2)) { mid = i + 1; } });
      p.go(mid);
      layoutProblems(name, p, report);
      p.go(p.total);
      report.sections[name] = { frames: p.total, steps: steps, flows: flows };
      first = false;
    });
    glyphCheck(report);
    report.lang = document.documentElement.lang;
    report.errors = window.crErrors;
    var out = document.getElementById("selftest");
    out.textContent = JSON.stringify(report);
    out.hidden = false;
  }

  var hash = decodeURIComponent(location.hash.slice(1));
  if (hash === "selftest") {
    selftest();
  } else if (hash) {
    follow(hash);
  }
})();
