// The dashboard's script: renders each snapshot the node pushes on /dashboard/events (server-sent events;
// the document is dashboard_snapshot.hpp's). Node data goes into the page as text, never as markup.
"use strict";

const $ = (id) => document.getElementById(id);
const levels = ["trace", "debug", "info", "warning", "error", "critical"];
let last = null;
let lastAt = 0;

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function svg(tag, attrs) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function fill(parent, children) {
  parent.replaceChildren(...children);
}

function bytes(n) {
  if (n == null) return "–";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n.toFixed(0) : n.toFixed(1)) + " " + units[i];
}

function rate(n, unit) {
  if (n == null) return "–";
  return (n >= 100 ? n.toFixed(0) : n.toFixed(1)) + (unit || "");
}

function duration(seconds) {
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
  if (d) return `${d}d ${h}h ${m}m`;
  if (h) return `${h}h ${m}m ${s % 60}s`;
  if (m) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

function ms(v) {
  return v == null || v < 0 ? "–" : v < 1 ? v.toFixed(3) + " ms" : v.toFixed(1) + " ms";
}

function clock(t) {
  return new Date(t).toISOString().slice(11, 19);
}

function renderNode(n) {
  $("node-name").textContent = n.name;
  $("node-version").textContent = "version " + n.version;
  document.title = n.name + " · plugnode";
  $("uptime").textContent = duration(n.uptime_s);
  $("rss").textContent = bytes(n.rss_bytes);
  $("threads").textContent = n.threads;
  $("open-files").textContent = `${n.open_files} of ${n.max_files}`;
  $("cpu").textContent = n.cpu_percent.toFixed(1) + " %";
}

function renderHttp(h) {
  $("req-rate").textContent = rate(h.requests_per_s);
  $("req-rate").dataset.value = h.requests_per_s;
  $("p50").textContent = ms(h.p50_ms);
  $("p99").textContent = ms(h.p99_ms);
  $("http-window").textContent = `latency over the last ${Math.round(h.window_s)} s`;
  fill($("status-classes"), Object.entries(h.status_classes).map(([k, v]) => el("li", `${k}: ${v}`)));
  fill($("connections"), Object.entries(h.connections).filter(([k]) => k).map(([k, v]) => el("li", `${k}: ${v}`)));
  const values = h.rate_history;
  const chart = $("rate-chart");
  if (values.length < 2) { fill(chart, []); return; }
  const top = Math.max(1, ...values);
  const points = values.map((v, i) => `${(i / (values.length - 1)) * 240},${48 - (v / top) * 44}`).join(" ");
  fill(chart, [svg("polyline", { points })]);
}

// Every node this one knows of: itself, its peers, and the peers its peers report; links are this node's
// own connections plus those the peers report among themselves.
function clusterOf(s) {
  const self = s.node.name;
  const nodes = new Map([[self, { name: self, protocol: "plugnode", self: true }]]);
  const links = new Map();
  const link = (a, b, own) => {
    const key = [a, b].sort().join(" ");
    if (!links.has(key) || own) links.set(key, { a, b, own });
  };
  for (const p of s.links) {
    if (p.hidden) continue;
    nodes.set(p.node, { name: p.node, protocol: p.protocol });
    link(self, p.node, true);
  }
  for (const [peer, visible] of Object.entries(s.peer_views)) {
    for (const other of visible) {
      if (!nodes.has(other)) nodes.set(other, { name: other, protocol: "plugnode" });
      link(peer, other, false);
    }
  }
  return { nodes: [...nodes.values()], links: [...links.values()] };
}

function renderCluster(s) {
  const { nodes, links } = clusterOf(s);
  const place = new Map();
  nodes.forEach((n, i) => {
    const angle = (2 * Math.PI * i) / nodes.length - Math.PI / 2;
    const r = nodes.length === 1 ? 0 : 85;
    place.set(n.name, [Math.cos(angle) * r, Math.sin(angle) * r]);
  });
  const shapes = [];
  for (const l of links) {
    const [x1, y1] = place.get(l.a) || [0, 0];
    const [x2, y2] = place.get(l.b) || [0, 0];
    shapes.push(svg("line", { x1, y1, x2, y2, class: l.own ? "own" : "" }));
  }
  for (const n of nodes) {
    const [x, y] = place.get(n.name);
    const c = svg("circle", { cx: x, cy: y, r: 9, class: `${n.protocol}${n.self ? " self" : ""}` });
    const title = svg("title", {});
    title.textContent = n.name;
    c.append(title);
    const label = svg("text", { x, y: y + 20 });
    label.textContent = n.name;
    shapes.push(c, label);
  }
  fill($("cluster-picture"), shapes);
  fill($("cluster-nodes"), nodes.map((n) => {
    const li = el("li");
    li.dataset.node = n.name;
    li.append(el("span", "", `dot ${n.protocol}`), document.createTextNode(" " + n.name + (n.self ? " (this node)" : "")));
    return li;
  }));
  const rows = s.links.map((p) => {
    const tr = el("tr");
    tr.dataset.peer = p.node;
    for (const v of [p.node + (p.hidden ? " (hidden)" : ""), p.protocol, p.address, ms(p.rtt_ms),
      bytes(p.sent_bytes_per_s) + "/s", bytes(p.received_bytes_per_s) + "/s", rate(p.messages_per_s),
      bytes(p.outbound_bytes), p.senders_held])
      tr.append(el("td", String(v)));
    return tr;
  });
  fill($("links").tBodies[0], rows);
  const d = s.discovery || {};
  let text = `discovery: ${d.strategy || d.error || "unknown"}`;
  if (d.last_answer_ms_ago != null) text += `, last answer ${(d.last_answer_ms_ago / 1000).toFixed(1)} s ago`;
  if (d.peers) text += ` (${d.peers.length} found)`;
  if (d.last_error) text += `; last error: ${d.last_error}`;
  $("discovery").textContent = text;
}

function renderTimeline(events) {
  fill($("timeline"), events.slice().reverse().map((e) =>
    el("li", `${clock(e.time_ms)} ${e.event} ${e.node}${e.reason ? " (" + e.reason + ")" : ""}`, e.event)));
}

function renderState(s) {
  fill($("actors"), s.actors.map((a) => el("li", a.name, a.running ? "" : "down")));
  const st = s.cluster_state;
  fill($("groups"), st.groups.length ? st.groups.map((g) => el("li", g)) : [el("li", "none")]);
  $("topics").textContent = `topics: ${st.topics}, subscriptions: ${st.subscribers}`;
  fill($("entities"), st.entities.length ? st.entities.map((e) => el("li", `${e.type}: ${e.active}`)) : [el("li", "none")]);
}

function renderLog(lines) {
  const min = Number($("log-level").value);
  const box = $("log-lines");
  const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
  fill(box, lines.filter((l) => levels.indexOf(l.level) >= min).map((l) =>
    el("div", `${clock(l.time_ms)} [${l.level}] ${l.text}`, `level-${l.level}`)));
  if (atEnd) box.scrollTop = box.scrollHeight;
}

function render(s) {
  renderNode(s.node);
  renderHttp(s.http);
  renderCluster(s);
  renderTimeline(s.timeline);
  renderState(s);
  renderLog(s.log);
}

function status(text, cls) {
  const e = $("stream-status");
  e.textContent = text;
  e.className = "status " + cls;
}

function connect() {
  const source = new EventSource("/dashboard/events");
  source.onopen = () => status("live", "live");
  source.onmessage = (event) => {
    last = JSON.parse(event.data);
    lastAt = Date.now();
    status("live", "live");
    render(last);
  };
  source.onerror = () => {
    status("stream lost: the node does not answer; reconnecting…", "broken");
    // EventSource retries by itself unless the answer was not a stream (a 401, a 404): then we do.
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
  };
}

// A stream that stays open but brings nothing (a frozen node) shows as stale.
setInterval(() => {
  if (lastAt && Date.now() - lastAt > 3000 && $("stream-status").classList.contains("live"))
    status(`no update for ${Math.round((Date.now() - lastAt) / 1000)} s`, "broken");
}, 1000);

$("log-level").addEventListener("change", () => last && renderLog(last.log));
connect();
