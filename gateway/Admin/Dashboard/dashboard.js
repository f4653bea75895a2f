// The live view of /dashboard: polls GET /v1/admin/uploads with the operator's admin key and redraws.
// Every value from the server goes into the page as text (textContent), never as markup.
"use strict";

(function () {
  const endpoint = "/v1/admin/uploads";
  const keyName = "gateway.adminKey";
  const pollMs = 2000;

  const $ = (id) => document.getElementById(id);
  let timer = null;
  let previous = null; // { at: ms, bytes: Map(upload_id -> accepted_bytes) }

  function storedKey() {
    return sessionStorage.getItem(keyName);
  }

  function setState(state, text) {
    const el = $("state");
    el.dataset.state = state;
    el.textContent = text;
  }

  function showKeyForm(message) {
    clearTimeout(timer);
    timer = null;
    previous = null;
    $("view").hidden = true;
    $("sign-out").hidden = true;
    $("key-form").hidden = false;
    $("key-error").hidden = !message;
    $("key-error").textContent = message || "";
    setState("signed-out", "not connected");
    $("key").focus();
  }

  function showView() {
    $("key-form").hidden = true;
    $("view").hidden = false;
    $("sign-out").hidden = false;
  }

  async function poll() {
    const key = storedKey();
    if (!key) {
      showKeyForm();
      return;
    }
    try {
      const response = await fetch(endpoint, { headers: { Authorization: "Bearer " + key }, cache: "no-store" });
      if (response.status === 401 || response.status === 403) {
        sessionStorage.removeItem(keyName);
        showKeyForm(response.status === 401
          ? "The gateway refused this key (401)."
          : "This key has no admin scope (403): use a key of a tenant with Admin: true.");
        return;
      }
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      render(await response.json());
      setState("live", "live");
    } catch (error) {
      setState("error", "cannot reach the gateway: " + error.message);
    }
    timer = setTimeout(poll, pollMs);
  }

  function render(body) {
    showView();
    const now = Date.now();
    const bytes = new Map(body.sessions.map((s) => [s.upload_id, s.accepted_bytes]));
    const rates = new Map();
    let total = null;
    if (previous) {
      const seconds = Math.max((now - previous.at) / 1000, 0.001);
      total = 0;
      for (const [id, accepted] of bytes) {
        if (previous.bytes.has(id)) {
          const rate = Math.max(0, accepted - previous.bytes.get(id)) / seconds;
          rates.set(id, rate);
          total += rate;
        }
      }
    }
    previous = { at: now, bytes };

    $("active").textContent = String(body.active_sessions);
    $("throughput").textContent = total === null ? "–" : formatBytes(total) + "/s";
    $("in-flight").textContent = String(body.sessions.reduce((n, s) => n + s.parts_in_flight, 0));
    $("updated").textContent = new Date(body.generated_at).toLocaleTimeString();
    renderSessions(body.sessions, rates);
    renderErrors(body.recent_errors);
  }

  function renderSessions(sessions, rates) {
    const rows = sessions.map((s) => {
      const percent = s.content_length > 0 ? Math.floor((s.accepted_bytes * 100) / s.content_length) : 100;
      const progress = document.createElement("progress");
      progress.max = Math.max(s.content_length, 1);
      progress.value = s.content_length > 0 ? s.accepted_bytes : 1;
      const bar = element("div", "progress", [
        progress,
        element("span", "percent", percent + "%"),
        element("span", "bytes", formatBytes(s.accepted_bytes) + " / " + formatBytes(s.content_length)),
      ]);
      const parts = s.parts_received + "/" + s.part_count + (s.parts_in_flight > 0 ? " (+" + s.parts_in_flight + " in flight)" : "");
      const row = element("tr", null, [
        element("td", "mono", s.upload_id),
        element("td", null, s.tenant),
        element("td", null, s.backend + " (" + s.backend_type + ")"),
        element("td", null, s.status),
        element("td", null, [bar]),
        element("td", null, parts),
        element("td", null, rates.has(s.upload_id) ? formatBytes(rates.get(s.upload_id)) + "/s" : "–"),
        element("td", null, new Date(s.expires_at).toLocaleString()),
      ]);
      row.dataset.uploadId = s.upload_id;
      row.dataset.percent = String(percent);
      return row;
    });
    $("sessions").tBodies[0].replaceChildren(...rows);
    $("no-sessions").hidden = sessions.length > 0;
  }

  function renderErrors(errors) {
    const rows = errors.map((e) => element("tr", null, [
      element("td", null, new Date(e.at).toLocaleTimeString()),
      element("td", "code", e.code),
      element("td", null, String(e.status)),
      element("td", "mono", e.method + " " + e.path),
      element("td", "mono", e.upload_id || ""),
      element("td", "mono", e.trace_id || ""),
      element("td", null, e.detail),
    ]));
    $("errors").tBodies[0].replaceChildren(...rows);
    $("no-errors").hidden = errors.length > 0;
  }

  function element(tag, className, content) {
    const el = document.createElement(tag);
    if (className) {
      el.className = className;
    }
    if (Array.isArray(content)) {
      el.append(...content);
    } else if (content !== undefined) {
      el.textContent = content;
    }
    return el;
  }

  function formatBytes(n) {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) {
      n /= 1024;
      i++;
    }
    return (i === 0 ? String(Math.round(n)) : n.toFixed(1)) + " " + units[i];
  }

  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const key = $("key").value.trim();
    if (!key) {
      return;
    }
    sessionStorage.setItem(keyName, key);
    $("key").value = "";
    clearTimeout(timer);
    poll();
  });

  $("sign-out").addEventListener("click", () => {
    sessionStorage.removeItem(keyName);
    showKeyForm();
  });

  if (storedKey()) {
    poll();
  } else {
    showKeyForm();
  }
})();
