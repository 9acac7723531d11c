"use strict";
// shiptrace watch: vessels placed on the map from /api/vessels, alerts
// from /api/stream. Broadcast text is set with textContent only; the
// projection comes from the map's data attributes.
(function () {
  const svg = document.getElementById("map");
  const P = { lon0: Number(svg.dataset.lon0), top: Number(svg.dataset.top), k: Number(svg.dataset.k) };
  const tok = new URLSearchParams(location.search).get("token");
  const q = tok ? ("?token=" + encodeURIComponent(tok)) : "";
  const hdr = tok ? { headers: { Authorization: "Bearer " + tok } } : {};
  const NS = "http://www.w3.org/2000/svg";
  function xy(lon, lat) {
    const m = Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360)) * 180 / Math.PI;
    return [(lon - P.lon0) * P.k, (P.top - m) * P.k];
  }
  async function ships() {
    try {
      const vs = [];
      let after = "";
      for (;;) {
        const p = await (await fetch("/api/vessels?limit=5000" + after, hdr)).json();
        if (!p.length) break;
        for (const v of p) vs.push(v);
        if (vs.length >= 50000) break;
        after = "&after=" + p[p.length - 1].mmsi;
      }
      const g = document.getElementById("ships");
      while (g.firstChild) g.removeChild(g.firstChild);
      for (const v of vs) {
        if (v.lat == null) continue;
        const p = xy(v.lon, v.lat);
        const c = document.createElementNS(NS, "circle");
        c.setAttribute("cx", p[0].toFixed(1));
        c.setAttribute("cy", p[1].toFixed(1));
        c.setAttribute("r", v.listed.length ? 4 : 2);
        c.setAttribute("class", v.listed.length ? "listed" : (v.silent_minutes > 60 ? "dark" : "v"));
        const t = document.createElementNS(NS, "title");
        t.textContent = (v.name || "?") + " " + v.mmsi + (v.listed.length ? " - " + v.listed.join("; ") : "");
        c.appendChild(t);
        g.appendChild(c);
      }
      const s = await (await fetch("/api/stats", hdr)).json();
      document.getElementById("stat").textContent =
        "feed clock " + (s.clock || "-") + " | " + s.vessels + " vessels | " + s.decoded + " messages | " +
        s.alerts + " alerts | queue drops " + s.queue_drops;
    } catch (e) { /* the next round tries again */ }
  }
  function add(a) {
    const d = document.createElement("div");
    d.className = "a";
    const k = document.createElement("span");
    k.className = "k";
    k.textContent = a.kind.replace(/_/g, " ") + " ";
    d.appendChild(k);
    d.appendChild(document.createTextNode(a.time + " " + (a.name || "") + " " + (a.mmsi || "") + ": " + a.summary));
    if (a.kind === "dark_vessel" && a.lat != null && a.lon != null) {
      // a hull seen from orbit with no AIS: a marker of its own, kept
      const p = xy(a.lon, a.lat);
      const r = document.createElementNS(NS, "rect");
      r.setAttribute("x", (p[0] - 4).toFixed(1));
      r.setAttribute("y", (p[1] - 4).toFixed(1));
      r.setAttribute("width", "8");
      r.setAttribute("height", "8");
      r.setAttribute("class", "seen");
      const t = document.createElementNS(NS, "title");
      t.textContent = a.time + " " + a.summary;
      r.appendChild(t);
      const g = document.getElementById("seen");
      g.appendChild(r);
      while (g.childNodes.length > 300) g.removeChild(g.firstChild);
    }
    const box = document.getElementById("alerts");
    box.insertBefore(d, box.firstChild);
    while (box.childNodes.length > 300) box.removeChild(box.lastChild);
  }
  fetch("/api/alerts?limit=300", hdr).then(r => r.json()).then(v => v.forEach(add)).catch(() => {});
  new EventSource("/api/stream" + q).addEventListener("alert", e => add(JSON.parse(e.data)));
  ships();
  setInterval(ships, 2000);
})();
