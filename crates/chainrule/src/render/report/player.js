// The report's step-through player. Forward lights up values node by node;
// backward flows gradients node by node, each edge out of the node showing
// upstream × local = contribution. All text comes from chainrule (the JSON
// in #cr-data and the SVG); this script only shows and hides it.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("cr-data").textContent);

  function Player(root, steps) {
    this.root = root;
    this.forward = steps.forward;
    this.backward = steps.backward;
    this.total = this.forward.length + this.backward.length;
    this.k = 0;
    this.timer = null;
    this.caption = root.querySelector(".caption");
    this.counter = root.querySelector(".counter");
    this.playButton = root.querySelector('[data-act="play"]');
    root.querySelectorAll(".edge").forEach(function (edge) {
      var lab = edge.querySelector(".lab"), bg = edge.querySelector(".labbg");
      lab.dataset.local = lab.textContent;
      ["x", "y", "width", "height"].forEach(function (a) { bg.dataset[a] = bg.getAttribute(a); });
    });
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
    this.playButton.textContent = "❚❚ pause";
    this.timer = setInterval(function () {
      if (self.k >= self.total) { self.pause(); } else { self.go(self.k + 1); }
    }, 1100);
  };

  Player.prototype.pause = function () {
    if (this.timer) { clearInterval(this.timer); }
    this.timer = null;
    this.playButton.textContent = "▶ play";
  };

  Player.prototype.go = function (k) {
    this.k = Math.max(0, Math.min(this.total, k));
    this.show();
  };

  // Steps 1..F are forward, F+1..F+B backward; step k is the k-th done.
  Player.prototype.show = function () {
    var self = this, F = this.forward.length, k = this.k;
    this.root.querySelectorAll(".edge.flow").forEach(function (edge) {
      var lab = edge.querySelector(".lab"), bg = edge.querySelector(".labbg");
      lab.textContent = lab.dataset.local;
      ["x", "y", "width", "height"].forEach(function (a) { bg.setAttribute(a, bg.dataset[a]); });
    });
    this.root.querySelectorAll(".box, .edge").forEach(function (el) {
      el.classList.remove("has-val", "has-grad", "current", "flow", "on");
    });
    this.forward.slice(0, Math.min(k, F)).forEach(function (s) {
      s.nodes.forEach(function (id) {
        self.node(id).classList.add("has-val");
        self.edgesInto(id).forEach(function (e) { e.classList.add("on"); });
      });
    });
    this.backward.slice(0, Math.max(0, k - F)).forEach(function (s) {
      s.nodes.forEach(function (id) { self.node(id).classList.add("has-grad"); });
    });
    var current = k === 0 ? null : (k <= F ? this.forward[k - 1] : this.backward[k - F - 1]);
    if (current) {
      current.nodes.forEach(function (id) { self.node(id).classList.add("current"); });
      (current.edges || []).forEach(function (e) {
        var el = self.root.querySelector("#" + e.id);
        el.classList.add("flow");
        setLabel(el, e.text);
      });
    }
    this.caption.textContent = current ? current.caption
      : "Press step ▶ (or play) to run the forward pass, then the backward pass.";
    this.counter.textContent = k === 0 ? "start"
      : (k <= F ? "forward " + k + " / " + F : "backward " + (k - F) + " / " + this.backward.length);
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
  document.querySelectorAll(".player").forEach(function (root) {
    players[root.dataset.section] = new Player(root, data[root.dataset.section]);
  });

  function open(id) {
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
    b.addEventListener("click", function () { open(b.dataset.target); });
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

  // #selftest: step every player to the end and back, recording what is
  // shown, and write it into #selftest for the browser test to read.
  function selftest() {
    var report = { sections: {}, problems: [] };
    Object.keys(players).forEach(function (name) {
      var p = players[name], F = p.forward.length;
      open(name);
      p.go(0);
      if (p.root.querySelectorAll(".box.has-val").length !== 0) { report.problems.push(name + ": values shown at the start"); }
      var flows = [];
      for (var k = 1; k <= p.total; k++) {
        p.act("step");
        if (k > F) {
          p.root.querySelectorAll(".edge.flow .lab").forEach(function (l) { flows.push(l.textContent); });
        }
      }
      var nodes = {};
      p.root.querySelectorAll(".box").forEach(function (box) {
        nodes[box.id.slice(1)] = shown(p, box.id.slice(1));
      });
      var last = p.backward[p.backward.length - 1].nodes[0];
      p.act("back");
      if (shown(p, last).grad !== undefined) { report.problems.push(name + ": back did not hide the last gradient"); }
      p.act("step");
      if (shown(p, last).grad === undefined) { report.problems.push(name + ": step did not show the last gradient again"); }
      report.sections[name] = { steps: p.total, forward: F, nodes: nodes, flows: flows };
    });
    report.errors = window.crErrors;
    var out = document.getElementById("selftest");
    out.textContent = JSON.stringify(report);
    out.hidden = false;
  }

  // #ID or #ID/K opens a section (at step K); #selftest runs the self-test.
  var hash = decodeURIComponent(location.hash.slice(1));
  if (hash === "selftest") {
    selftest();
  } else if (hash) {
    var parts = hash.split("/");
    if (players[parts[0]]) {
      open(parts[0]);
      if (parts[1]) { players[parts[0]].go(parseInt(parts[1], 10) || 0); }
    }
  }
})();
