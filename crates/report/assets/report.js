"use strict";
// shiptrace report: sortable tables and map pan/zoom. No network, no
// eval, no innerHTML: it only reorders rows and changes the map's viewBox.
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
    function set() { svg.setAttribute("viewBox", vb.map(function (v) { return v.toFixed(2); }).join(" ")); }
    function at(e) {
      var r = svg.getBoundingClientRect();
      return [vb[0] + (e.clientX - r.left) / r.width * vb[2], vb[1] + (e.clientY - r.top) / r.height * vb[3]];
    }
    function zoom(f, c) {
      var w = Math.min(base[2], Math.max(base[2] / 8, vb[2] * f));
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
        if (z === "in") zoom(0.7, c); else if (z === "out") zoom(1 / 0.7, c); else { vb = base.slice(); set(); }
      });
    });
  });
  document.documentElement.setAttribute("data-ready", "1");
})();
