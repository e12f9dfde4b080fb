// sluice status page: polls Connect's REST API (/connectors?expand=status) and /metrics every 2 s, keeps
// five minutes of event counts per connector for the events/s chart, and calls pause/resume/restart.
(function () {
  "use strict";
  const REFRESH_MS = 2000;
  const HISTORY_MS = 5 * 60 * 1000;
  // Retained WAL / slot lag above these (bytes) are shown as warning / critical.
  const WARN_BYTES = 1 << 30;
  const CRIT_BYTES = 10 * (1 << 30);
  // A sink's consumer lag (records) above these is shown as warning / critical.
  const WARN_RECORDS = 10000;
  const CRIT_RECORDS = 1000000;
  const history = new Map();  // connector -> [{t, events}]
  const rows = new Map();     // connector -> row elements
  const tbody = document.querySelector("#connectors tbody");
  const filter = document.getElementById("filter");
  const auto = document.getElementById("auto");
  let timer = null;

  // Prometheus text format -> Map(name -> [{labels, value}]).
  function parseMetrics(text) {
    const out = new Map();
    const re = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/;
    for (const line of text.split("\n")) {
      if (!line || line[0] === "#") continue;
      const m = re.exec(line);
      if (!m) continue;
      const labels = {};
      if (m[3]) {
        const lre = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
        let l;
        while ((l = lre.exec(m[3])) !== null) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
      }
      if (!out.has(m[1])) out.set(m[1], []);
      out.get(m[1]).push({ labels, value: parseFloat(m[4]) });
    }
    return out;
  }
  function metric(metrics, name, connector, extra) {
    let found;
    for (const s of metrics.get(name) || []) {
      if (s.labels.connector !== connector) continue;
      if (extra && !Object.entries(extra).every(([k, v]) => s.labels[k] === v)) continue;
      found = (found || 0) + s.value;
    }
    return found;
  }
  function samples(metrics, name, connector) {
    return (metrics.get(name) || []).filter((s) => s.labels.connector === connector);
  }

  function bytes(n) {
    if (n === undefined || isNaN(n)) return "–";
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n.toFixed(0) : n.toFixed(1)) + " " + units[i];
  }
  function level(n) {
    if (n === undefined) return "";
    return n >= CRIT_BYTES ? "lvl-crit" : n >= WARN_BYTES ? "lvl-warn" : "";
  }
  function duration(ms) {
    if (ms === undefined) return "–";
    if (ms < 1000) return ms.toFixed(0) + " ms";
    if (ms < 60000) return (ms / 1000).toFixed(1) + " s";
    return (ms / 60000).toFixed(1) + " min";
  }
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  async function act(name, action) {
    const path = "/connectors/" + encodeURIComponent(name) + "/" +
      (action === "restart" ? "restart?includeTasks=true&onlyFailed=false" : action);
    const r = await fetch(path, { method: action === "restart" ? "POST" : "PUT" });
    if (!r.ok) {
      let msg = "HTTP " + r.status;
      try { msg = (await r.json()).message || msg; } catch (e) { /* no body */ }
      showError(action + " " + name + ": " + msg);
    }
    refresh();
  }

  function makeRow(name) {
    const tr = el("tr");
    tr.dataset.connector = name;
    const r = { tr };
    const nameCell = el("td");
    nameCell.appendChild(el("div", "name", name));
    r.trace = el("div", "trace");
    nameCell.appendChild(r.trace);
    tr.appendChild(nameCell);
    const stateCell = el("td");
    r.state = el("span", "state");
    stateCell.appendChild(r.state);
    tr.appendChild(stateCell);
    r.events = el("td", "num events-total");
    tr.appendChild(r.events);
    const chartCell = el("td", "chart");
    r.svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    r.svg.setAttribute("class", "spark");
    r.svg.setAttribute("viewBox", "0 0 120 18");
    r.svg.setAttribute("preserveAspectRatio", "none");
    r.line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
    r.svg.appendChild(r.line);
    chartCell.appendChild(r.svg);
    r.rate = el("span", "rate");
    chartCell.appendChild(r.rate);
    tr.appendChild(chartCell);
    r.lag = el("td", "num slot-lag");
    tr.appendChild(r.lag);
    r.wal = el("td", "num retained-wal");
    tr.appendChild(r.wal);
    r.behind = el("td", "num");
    tr.appendChild(r.behind);
    r.snapshot = el("td", "snapshot");
    tr.appendChild(r.snapshot);
    const actions = el("td", "actions");
    for (const a of ["pause", "resume", "restart"]) {
      const b = el("button", "action-" + a, a);
      b.addEventListener("click", () => act(name, a));
      actions.appendChild(b);
    }
    tr.appendChild(actions);
    return r;
  }

  function drawChart(r, points) {
    // events/s between consecutive samples, over the last HISTORY_MS.
    const rates = [];
    for (let i = 1; i < points.length; i++) {
      const dt = (points[i].t - points[i - 1].t) / 1000;
      rates.push({ t: points[i].t, v: dt > 0 ? Math.max(0, points[i].events - points[i - 1].events) / dt : 0 });
    }
    const now = Date.now();
    const max = Math.max(0, ...rates.map((p) => p.v));
    const scale = Math.max(1, max);
    r.line.setAttribute("points", rates.map((p) =>
      (120 - (now - p.t) / HISTORY_MS * 120).toFixed(1) + "," + (17 - p.v / scale * 16).toFixed(1)).join(" "));
    const last = rates.length ? rates[rates.length - 1].v : 0;
    r.rate.textContent = last.toFixed(1) + "/s";
    r.rate.title = "now " + last.toFixed(1) + " events/s, max " + max.toFixed(1) + " events/s in the last 5 minutes";
  }

  function drawSnapshot(r, metrics, name) {
    r.snapshot.textContent = "";
    const running = metric(metrics, "sluice_snapshot_running", name);
    const completed = metric(metrics, "sluice_snapshot_completed", name);
    const aborted = metric(metrics, "sluice_snapshot_aborted", name);
    const scanned = samples(metrics, "sluice_snapshot_rows_scanned", name);
    if (!scanned.length) { r.snapshot.textContent = "–"; return; }
    const total = scanned.reduce((n, s) => n + s.value, 0);
    if (completed && !running) {
      // Done: one line (the tables on hover), so that many connectors fit on a screen.
      const line = el("div", "", "completed: " + scanned.length + (scanned.length === 1 ? " table, " : " tables, ") +
        total + " rows");
      line.title = scanned.map((s) => s.labels.table + ": " + s.value + " rows").join("\n");
      r.snapshot.appendChild(line);
      return;
    }
    r.snapshot.appendChild(el("div", "", running ? "running" : aborted ? "aborted" : ""));
    const shown = scanned.slice(0, 10);
    for (const s of shown) {
      const table = s.labels.table;
      const est = metric(metrics, "sluice_snapshot_rows_estimated", name, { table }) || 0;
      const done = metric(metrics, "sluice_snapshot_table_done", name, { table }) === 1;
      const pct = done ? 100 : est > 0 ? Math.min(100, s.value / est * 100) : 0;
      const t = el("div", "tbl", table + ": " + s.value + (est > 0 ? " / ~" + est : "") + " rows");
      r.snapshot.appendChild(t);
      const bar = el("div", "bar" + (done ? " done" : ""));
      const fill = el("div");
      fill.style.width = pct.toFixed(1) + "%";
      bar.appendChild(fill);
      bar.title = pct.toFixed(0) + "%";
      r.snapshot.appendChild(bar);
    }
    if (scanned.length > shown.length) r.snapshot.appendChild(el("div", "tbl", "+ " + (scanned.length - shown.length) + " more tables"));
  }

  function showError(msg) {
    const e = document.getElementById("error");
    e.textContent = msg;
    e.hidden = !msg;
  }

  async function refresh() {
    let statuses, metrics;
    try {
      const [s, m] = await Promise.all([
        fetch("/connectors?expand=status", { headers: { Accept: "application/json" } }),
        fetch("/metrics"),
      ]);
      if (!s.ok) throw new Error("GET /connectors: HTTP " + s.status);
      statuses = await s.json();
      metrics = parseMetrics(m.ok ? await m.text() : "");
      showError("");
    } catch (e) {
      showError("cannot reach the worker: " + e.message);
      return;
    }
    const now = Date.now();
    const names = Object.keys(statuses).sort();
    const counts = {};
    const q = filter.value.trim().toLowerCase();
    for (const name of names) {
      const st = statuses[name].status || { connector: {}, tasks: [] };
      const task = (st.tasks || [])[0];
      const failedTask = (st.tasks || []).find((t) => t.state === "FAILED");
      const state = st.connector.state === "RUNNING" && failedTask ? "FAILED" : st.connector.state;
      counts[state] = (counts[state] || 0) + 1;
      if (!rows.has(name)) rows.set(name, makeRow(name));
      const r = rows.get(name);
      r.tr.hidden = q !== "" && !name.toLowerCase().includes(q);
      r.state.textContent = state;
      r.state.className = "state " + state;
      const trace = st.connector.trace || (failedTask && failedTask.trace) || (task && task.trace) || "";
      r.trace.textContent = trace.split("\n")[0];
      r.trace.title = trace;
      // A sink (Debezium's JDBC sink): records applied, and its consumer lag in the slot lag's column.
      const sink = statuses[name].status && statuses[name].status.type === "sink";
      r.tr.dataset.type = sink ? "sink" : "source";
      const events = sink ? metric(metrics, "sluice_sink_records_applied_total", name)
        : metric(metrics, "sluice_streaming_events_seen_total", name);
      r.events.textContent = events === undefined ? "–" : events.toFixed(0);
      const h = history.get(name) || [];
      if (events !== undefined) h.push({ t: now, events });
      while (h.length && now - h[0].t > HISTORY_MS) h.shift();
      history.set(name, h);
      drawChart(r, h);
      if (sink) {
        const lag = metric(metrics, "sluice_sink_consumer_lag", name);
        r.lag.textContent = lag === undefined ? "–" : lag.toFixed(0) + " records";
        r.lag.title = "consumer lag: records in Kafka not yet applied to the target";
        r.lag.className = "num sink-lag " + (lag === undefined ? "" : lag >= CRIT_RECORDS ? "lvl-crit" : lag >= WARN_RECORDS ? "lvl-warn" : "");
        r.wal.textContent = "–";
        r.wal.className = "num retained-wal";
        const last = metric(metrics, "sluice_sink_last_commit_timestamp_seconds", name);
        r.behind.textContent = last === undefined ? "–" : duration(Math.max(0, now - last * 1000)) + " ago";
        r.behind.title = "last commit in the target";
      } else {
        const lag = metric(metrics, "sluice_slot_lag_bytes", name);
        const wal = metric(metrics, "sluice_slot_retained_wal_bytes", name);
        r.lag.textContent = bytes(lag);
        r.lag.className = "num slot-lag " + level(lag);
        r.wal.textContent = bytes(wal);
        r.wal.className = "num retained-wal " + level(wal);
        r.behind.textContent = duration(metric(metrics, "sluice_streaming_milliseconds_behind_source", name));
      }
      drawSnapshot(r, metrics, name);
    }
    // Keep the rows in name order; drop deleted connectors.
    for (const [name, r] of rows) {
      if (!(name in statuses)) { r.tr.remove(); rows.delete(name); history.delete(name); }
    }
    names.forEach((name) => tbody.appendChild(rows.get(name).tr));
    document.getElementById("empty").hidden = names.length > 0;
    document.getElementById("summary").textContent = names.length + " connectors" +
      Object.entries(counts).map(([k, v]) => ", " + v + " " + k).join("");
    document.getElementById("updated").textContent = "updated " + new Date(now).toLocaleTimeString();
  }

  function schedule() {
    clearInterval(timer);
    if (auto.checked) timer = setInterval(refresh, REFRESH_MS);
  }
  auto.addEventListener("change", schedule);
  filter.addEventListener("input", refresh);
  refresh();
  schedule();
})();
