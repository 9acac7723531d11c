"use strict";
// shiptrace report: sortable tables, map pan/zoom, the map's time window
// and candidate toggle. No network, no eval, no innerHTML: it only
// reorders rows, changes the map's viewBox and toggles classes.
(function () {
  function key(td) {
    if (!td) return "";
    var v = td.getAttribute("data-v");
    var s = v !== null ? v : td.textContent.trim().replace(/,/g, "");
    var n = parseFloat(s);
    return s !== "" && isFinite(n) && /^-?[0-9.]+(e-?[0-9]+)?$/i.test(s) ? n : s.toLowerCase();
  }
  function cmp(a, b) {
    if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
    return typeof a === "number" ? -1 : 1;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var head = table.tHead;
    if (!head || !table.tBodies[0]) return;
    var cols = [];
    // column index of each header cell that names exactly one column
    Array.prototype.forEach.call(head.rows, function (r) {
      var c = 0;
      Array.prototype.forEach.call(r.cells, function (th) {
        while (cols.some(function (x) { return x.col === c && x.rows > 1 && x.row < r.rowIndex; })) c++;
        if (th.colSpan === 1) cols.push({ th: th, col: c, rows: th.rowSpan, row: r.rowIndex });
        c += th.colSpan;
      });
    });
    cols.forEach(function (x) {
      x.th.tabIndex = 0;
      function sort() {
        var asc = x.th.getAttribute("aria-sort") !== "ascending";
        head.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
        x.th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) { return cmp(key(a.cells[x.col]), key(b.cells[x.col])) * (asc ? 1 : -1); });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      x.th.addEventListener("click", sort);
      x.th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
    });
  });

  document.querySelectorAll("svg.zoomable").forEach(function (svg) {
    var b = svg.viewBox.baseVal, base = [b.x, b.y, b.width, b.height], vb = base.slice();
    var all = (svg.getAttribute("data-all") || "").split(" ").map(Number);
    if (all.length !== 4 || !all.every(isFinite)) all = base.slice();
    var widest = Math.max(base[2], all[2]);
    function set() { svg.setAttribute("viewBox", vb.map(function (v) { return v.toFixed(2); }).join(" ")); }
    function at(e) {
      var r = svg.getBoundingClientRect();
      return [vb[0] + (e.clientX - r.left) / r.width * vb[2], vb[1] + (e.clientY - r.top) / r.height * vb[3]];
    }
    function zoom(f, c) {
      var w = Math.min(widest, Math.max(base[2] / 8, vb[2] * f));
      f = w / vb[2];
      vb = [c[0] - (c[0] - vb[0]) * f, c[1] - (c[1] - vb[1]) * f, vb[2] * f, vb[3] * f];
      set();
    }
    svg.addEventListener("wheel", function (e) { e.preventDefault(); zoom(e.deltaY < 0 ? 0.8 : 1.25, at(e)); }, { passive: false });
    var drag = null, moved = false;
    svg.addEventListener("pointerdown", function (e) { drag = [e.clientX, e.clientY]; moved = false; });
    svg.addEventListener("pointermove", function (e) {
      if (!drag) return;
      var r = svg.getBoundingClientRect(), dx = e.clientX - drag[0], dy = e.clientY - drag[1];
      if (!moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      moved = true;
      vb[0] -= dx / r.width * vb[2];
      vb[1] -= dy / r.height * vb[3];
      drag = [e.clientX, e.clientY];
      set();
    });
    window.addEventListener("pointerup", function () { drag = null; });
    svg.addEventListener("click", function (e) { if (moved) { e.preventDefault(); moved = false; } }, true);
    svg.addEventListener("dblclick", function () { vb = base.slice(); set(); });
    var fig = svg.closest("figure");
    if (fig) fig.querySelectorAll("button[data-zoom]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var z = btn.getAttribute("data-zoom"), c = [vb[0] + vb[2] / 2, vb[1] + vb[3] / 2];
        if (z === "in") zoom(0.7, c); else if (z === "out") zoom(1 / 0.7, c);
        else if (z === "all") { vb = all.slice(); set(); } else { vb = base.slice(); set(); }
      });
    });
  });
  // candidates (confidence under 0.5) are on the map only when asked for
  var cand = document.getElementById("show-candidates"), map = document.getElementById("map");
  if (cand && map) cand.addEventListener("change", function () { map.classList.toggle("show-candidates", cand.checked); });
  var scenes = document.getElementById("show-scenes");
  if (scenes && map) scenes.addEventListener("change", function () { map.classList.toggle("show-scenes", scenes.checked); });

  // the time window: elements with data-t0/data-t1 (ms) outside it are hidden
  var bar = document.getElementById("timebar");
  if (bar && map) {
    var t0 = Number(bar.getAttribute("data-t0")), t1 = Number(bar.getAttribute("data-t1"));
    var win = document.getElementById("t-window"), end = document.getElementById("t-end");
    var play = document.getElementById("t-play"), label = document.getElementById("t-label");
    var timed = Array.prototype.slice.call(map.querySelectorAll("[data-t0]"));
    var timer = null;
    function day(ms) { return new Date(ms).toISOString().slice(0, 16).replace("T", " ") + "Z"; }
    function apply() {
      var w = Number(win.value), e = Number(end.value), s = e - w;
      end.disabled = w === 0;
      label.textContent = w === 0 ? "the whole period" : day(s) + " to " + day(e);
      timed.forEach(function (el) {
        var off = w !== 0 && (Number(el.getAttribute("data-t1")) < s || Number(el.getAttribute("data-t0")) > e);
        el.classList.toggle("off", off);
      });
    }
    function stop() { if (timer) { clearInterval(timer); timer = null; play.textContent = "play"; } }
    win.addEventListener("change", function () { stop(); apply(); });
    end.addEventListener("input", function () { stop(); apply(); });
    play.addEventListener("click", function () {
      if (timer) { stop(); return; }
      if (Number(win.value) === 0) win.value = "604800000";
      var w = Number(win.value);
      if (Number(end.value) >= t1) end.value = String(t0 + w);
      play.textContent = "pause";
      apply();
      timer = setInterval(function () {
        var next = Math.min(t1, Number(end.value) + w / 7);
        end.value = String(next);
        apply();
        if (next >= t1) stop();
      }, 400);
    });
    apply();
  }

  document.documentElement.setAttribute("data-ready", "1");
})();
