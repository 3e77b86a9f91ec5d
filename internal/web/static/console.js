// commentd console: progressive enhancement. Every page works without this
// file; with it, the queue decides through the JSON API without reloading,
// answers the keyboard and follows live events. No framework, no build step,
// and nothing inline: the Content-Security-Policy allows only this file.
(() => {
  "use strict";

  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  // ---- Times: local and relative, kept fresh.

  const full = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });
  const short = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  const rel = new Intl.RelativeTimeFormat(undefined, { numeric: "auto", style: "short" });

  function relative(date) {
    const s = (date.getTime() - Date.now()) / 1000;
    const a = Math.abs(s);
    if (a < 45) return "just now";
    if (a < 3600) return rel.format(Math.round(s / 60), "minute");
    if (a < 86400) return rel.format(Math.round(s / 3600), "hour");
    if (a < 7 * 86400) return rel.format(Math.round(s / 86400), "day");
    return short.format(date);
  }

  function localizeTimes(root = document) {
    for (const t of $$("time[datetime]", root)) {
      const d = new Date(t.getAttribute("datetime"));
      if (isNaN(d)) continue;
      t.title = full.format(d);
      t.textContent = relative(d);
    }
  }
  localizeTimes();
  setInterval(localizeTimes, 60000);

  // ---- Confirmations for what cannot be undone (forms marked data-confirm).

  document.addEventListener("submit", (e) => {
    const msg = e.target.dataset?.confirm;
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
  $("#issued-secret")?.addEventListener("focus", (e) => e.target.select());

  const list = $("#rows");
  if (!list) return; // the rest is the queue page's

  // ---- The queue page.

  const tab = list.dataset.status; // the status this tab lists
  const sort = list.dataset.sort || "newest";
  const onTop = list.dataset.first === "true";
  const query = list.dataset.query; // tab and filter, without a cursor
  const live = $("#live");
  const help = $("#help");
  const bulkForm = $("#bulk");
  const mine = new Set(); // ids this page is deciding right now
  const gone = new Set(); // ids decided away; never put back by a refresh
  const unseen = new Set(); // new ids waiting behind the "show" banner
  let current = null;

  const past = {
    approve: "Approved", spam: "Marked as spam", trash: "Moved to trash",
    restore: "Restored", delete: "Deleted",
  };

  let sayTimer;
  function say(msg, isError = false) {
    clearTimeout(sayTimer);
    live.textContent = "";
    live.classList.toggle("is-error", isError);
    // A fresh text node after a tick, so the same message is announced again.
    setTimeout(() => { live.textContent = msg; }, 20);
    sayTimer = setTimeout(() => { live.textContent = ""; }, isError ? 9000 : 4500);
  }

  const rowById = (id) => document.getElementById("c" + id);
  const rows = () => $$(":scope > .row", list);

  function setCurrent(row, focus = true) {
    if (current) current.classList.remove("is-current");
    current = row;
    if (!row) return;
    row.classList.add("is-current");
    if (focus) row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function move(delta) {
    const all = rows();
    if (!all.length) return;
    if (!current || !current.isConnected) {
      setCurrent(delta > 0 ? all[0] : all[all.length - 1]);
      return;
    }
    const i = all.indexOf(current) + delta;
    setCurrent(all[Math.max(0, Math.min(all.length - 1, i))]);
  }

  function syncEmpty() {
    const none = rows().length === 0;
    $("#empty").hidden = !none;
    if (bulkForm) bulkForm.hidden = none;
    updateSelected();
  }

  function removeRow(row) {
    if (!row || !row.isConnected) return;
    gone.add(row.dataset.id);
    unseen.delete(row.dataset.id);
    const hadFocus = row.contains(document.activeElement);
    const next = row.nextElementSibling || row.previousElementSibling;
    const wasCurrent = row === current;
    row.remove();
    if (wasCurrent || hadFocus) setCurrent(next && next.classList.contains("row") ? next : null, true);
    if (!rows().length && $(".pager a[rel=next]")) {
      location.assign("/console?" + query); // this page is done; fetch what follows
      return;
    }
    syncEmpty();
  }

  // ---- Talking to the JSON API with the session's CSRF token.

  function api(method, url, body) {
    const headers = { "X-CSRF-Token": csrf, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(url, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async function problem(res) {
    if (res.status === 401) return "Your session has ended. Reload the page to log in again.";
    if (res.status === 403) return "Not allowed. Reload the page and try again.";
    try {
      const b = await res.json();
      const fields = (b.fields || []).map((f) => f.field + ": " + f.reason).join(", ");
      return (b.message || "Something went wrong") + (fields ? " (" + fields + ")" : "") + ".";
    } catch {
      return "Something went wrong (" + res.status + ").";
    }
  }

  async function decide(row, action) {
    if (!row || row.classList.contains("is-leaving")) return;
    const id = row.dataset.id;
    if (action === "delete" && !window.confirm("Delete this comment forever?")) return;
    const author = row.dataset.author;
    mine.add(id);
    row.classList.add("is-leaving");
    let res;
    try {
      res = action === "delete"
        ? await api("DELETE", "/api/v1/moderation/comments/" + id + "?from=" + encodeURIComponent(row.dataset.status))
        : await api("POST", "/api/v1/moderation/comments/" + id + "/" + action + "?from=" + encodeURIComponent(row.dataset.status));
    } catch {
      row.classList.remove("is-leaving");
      mine.delete(id);
      say("Network error: nothing was changed.", true);
      return;
    }
    if (res.ok || res.status === 404) {
      removeRow(row);
      say(res.ok ? past[action] + ": comment by " + author + "." : "That comment no longer exists.");
    } else if (res.status === 409) {
      removeRow(row);
      say("Already decided by someone else.");
    } else {
      row.classList.remove("is-leaving");
      say(await problem(res), true);
    }
    setTimeout(() => mine.delete(id), 10000);
    refreshCounts();
  }

  // ---- Bulk decisions: ticked rows, or everything matching the filter.

  const checks = () => $$('input[name="ids"]', list);
  const selectPage = $("#select-page");
  const allMatching = $("#bulk-all");

  function updateSelected() {
    const n = checks().filter((c) => c.checked).length;
    const out = $("#selected-count");
    if (out) out.textContent = allMatching?.checked ? "" : n ? n + " selected" : "";
    if (selectPage) {
      const total = checks().length;
      selectPage.checked = total > 0 && n === total;
      selectPage.indeterminate = n > 0 && n < total;
    }
  }

  if (selectPage) {
    selectPage.closest("label").hidden = false;
    selectPage.addEventListener("change", () => {
      for (const c of checks()) c.checked = selectPage.checked;
      updateSelected();
    });
  }
  list.addEventListener("change", (e) => { if (e.target.name === "ids") updateSelected(); });
  allMatching?.addEventListener("change", updateSelected);

  async function bulk(action) {
    let body;
    if (allMatching?.checked) {
      const filter = {};
      for (const input of $$('input[type="hidden"][name^="f_"]', bulkForm)) filter[input.name.slice(2)] = input.value;
      body = { action, filter };
    } else {
      const ids = checks().filter((c) => c.checked).map((c) => Number(c.value));
      if (!ids.length) {
        say("Select comments first (x), or tick “All”.", true);
        return;
      }
      body = { action, ids, from: list.dataset.status }; // the tab they were ticked on
    }
    if (action === "delete" && !window.confirm("Delete these comments forever?")) return;
    let res;
    try {
      res = await api("POST", "/api/v1/moderation/bulk", body);
    } catch {
      say("Network error: nothing was changed.", true);
      return;
    }
    if (!res.ok) {
      say(await problem(res), true);
      return;
    }
    const out = await res.json();
    for (const id of [...out.done, ...out.conflicted]) {
      mine.add(String(id));
      removeRow(rowById(id));
    }
    if (allMatching) allMatching.checked = false;
    const n = out.done.length;
    let msg = past[action] + ": " + n + (n === 1 ? " comment" : " comments");
    if (out.conflicted.length) msg += "; " + out.conflicted.length + " already decided by someone else";
    say(msg + ".");
    updateSelected();
    refreshCounts();
  }

  // Decide forms and the bulk bar go through the API instead of a page load.
  document.addEventListener("submit", (e) => {
    const form = e.target;
    if (e.defaultPrevented) return;
    if (form.getAttribute("action") === "/console/decide") {
      e.preventDefault();
      decide(form.closest(".row"), form.elements.action.value);
    } else if (form === bulkForm) {
      e.preventDefault();
      const action = e.submitter?.value;
      if (action) bulk(action);
    }
  });

  // Clicking a row (not a link, button or field) makes it the current one.
  list.addEventListener("click", (e) => {
    const row = e.target.closest(".row");
    if (row && !e.target.closest("a, button, input, label")) setCurrent(row, false);
  });
  list.addEventListener("focusin", (e) => {
    const row = e.target.closest(".row");
    if (row && row !== current) setCurrent(row, false);
  });

  // ---- Tab counts.

  let countsTimer;
  function refreshCounts() {
    clearTimeout(countsTimer);
    countsTimer = setTimeout(async () => {
      try {
        const res = await fetch("/api/v1/moderation/counts", { credentials: "same-origin" });
        if (!res.ok) return;
        const { counts } = await res.json();
        for (const [status, n] of Object.entries(counts)) {
          const el = $('.count[data-count="' + status + '"]');
          if (!el) continue;
          el.textContent = n;
          el.toggleAttribute("data-zero", n === 0);
        }
        if (tab in counts) document.title = document.title.replace(/\(\d+\)/, "(" + counts[tab] + ")");
      } catch { /* the next event retries */ }
    }, 150);
  }

  // ---- Keyboard.

  const shortcuts = { a: "approve", s: "spam", t: "trash", r: "restore" };

  function toggleHelp(open) {
    if (!help) return;
    if (open && !help.open) help.showModal();
    else if (!open && help.open) help.close();
  }
  const helpButton = $("#help-open");
  if (helpButton) {
    helpButton.hidden = false;
    helpButton.addEventListener("click", () => toggleHelp(true));
  }

  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    const t = e.target;
    const typing = t.closest?.("input:not([type=checkbox]), select, textarea, [contenteditable]");
    if (typing) return;
    if (help?.open) {
      if (e.key === "?") { e.preventDefault(); toggleHelp(false); }
      return; // Esc is the dialog's own
    }
    const key = e.key;
    if (key === "j" || key === "k") {
      e.preventDefault();
      move(key === "j" ? 1 : -1);
    } else if (key === "?") {
      e.preventDefault();
      toggleHelp(true);
    } else if (key === "Escape") {
      setCurrent(null);
    } else if (key === "x" && current) {
      e.preventDefault();
      const box = $('input[name="ids"]', current);
      box.checked = !box.checked;
      updateSelected();
    } else if (shortcuts[key] && current) {
      e.preventDefault();
      const action = shortcuts[key];
      if ($('button[data-action="' + action + '"]', current)) decide(current, action);
      else say("“" + action + "” does not apply here.", true);
    }
  });

  // ---- Live updates: comments that arrive, and comments decided elsewhere.

  // On the first page of "newest first", new comments slide in at the top.
  // Anywhere else they would land out of sight, so a banner offers them.
  const insertable = onTop && sort === "newest";
  const arrived = new Set(); // ids that entered this tab since the page loaded
  let fetchTimer;
  function scheduleFetch() {
    clearTimeout(fetchTimer);
    fetchTimer = setTimeout(insertable ? insertNew : announceNew, 250);
  }

  const newestShown = () => Math.max(0, ...rows().map((r) => Number(r.dataset.id)));

  // insertNew fetches this page again and slides in the rows that arrived
  // (or are newer than any shown), rendered by the server like every other row.
  async function insertNew() {
    let doc;
    try {
      const res = await fetch("/console?" + query, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!res.ok) return;
      doc = new DOMParser().parseFromString(await res.text(), "text/html");
    } catch {
      return;
    }
    const top = newestShown();
    const incoming = $$("#rows > .row", doc).filter((r) => {
      const id = r.dataset.id;
      return !rowById(id) && !gone.has(id) && (arrived.has(id) || Number(id) > top);
    });
    if (!incoming.length) return;
    const anchor = list.firstElementChild;
    for (const r of incoming) {
      const row = document.importNode(r, true);
      row.classList.add("is-new");
      localizeTimes(row);
      list.insertBefore(row, anchor);
      arrived.delete(row.dataset.id);
    }
    syncEmpty();
    const n = incoming.length;
    say(n + (n === 1 ? " new comment." : " new comments."));
  }

  // announceNew counts the arrivals that match this filter and offers them.
  async function announceNew() {
    let out;
    try {
      const params = new URLSearchParams(query);
      params.set("sort", "newest");
      params.set("limit", "200");
      const res = await fetch("/api/v1/moderation/queue?" + params, { credentials: "same-origin" });
      if (!res.ok) return;
      out = await res.json();
    } catch {
      return;
    }
    for (const c of out.comments) {
      const id = String(c.id);
      if (arrived.has(id) && !rowById(id) && !gone.has(id)) unseen.add(id);
    }
    if (!unseen.size) return;
    const n = unseen.size;
    $("#fresh-link").textContent = n + (n === 1 ? " new comment" : " new comments") + " — show";
    $("#fresh").hidden = false;
  }

  function onEvent(ev) {
    refreshCounts();
    const id = String(ev.comment_id || "");
    const row = rowById(id);
    switch (ev.type) {
      case "comment.created":
        if (ev.status === tab) {
          arrived.add(id);
          scheduleFetch();
        }
        break;
      case "comment.decided":
        if (ev.status === tab) {
          gone.delete(id);
          if (!row) {
            arrived.add(id);
            scheduleFetch();
          }
        } else {
          gone.add(id);
          if (row && !mine.has(id)) {
            removeRow(row);
            say((ev.actor || "Someone") + " decided a comment by " + row.dataset.author + ".");
          }
        }
        break;
      case "comment.deleted":
        gone.add(id);
        if (row && !mine.has(id)) removeRow(row);
        break;
    }
  }

  const liveState = $("#live-state");
  function showLive(open) {
    liveState.hidden = false;
    liveState.dataset.state = open ? "open" : "closed";
    liveState.textContent = open ? "Live" : "Reconnecting…";
    liveState.title = open ? "New and decided comments show up here as they happen." : "Live updates are paused; retrying.";
  }

  if ("EventSource" in window) {
    const events = new EventSource("/api/v1/moderation/events");
    let wasOpen = false;
    events.addEventListener("open", () => {
      showLive(true);
      if (wasOpen) scheduleFetch(); // catch up on what came while disconnected
      wasOpen = true;
    });
    events.addEventListener("error", () => showLive(false));
    for (const type of ["comment.created", "comment.decided", "comment.deleted"]) {
      events.addEventListener(type, (e) => {
        try { onEvent(JSON.parse(e.data)); } catch { /* a malformed event is skipped */ }
      });
    }
    window.addEventListener("pagehide", () => events.close());
  }

  syncEmpty();
})();
