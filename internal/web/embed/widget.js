/* commentd embed.js: the comment widget.
 *
 *   <div id="comments" data-post="ID"></div>
 *   <script src="https://COMMENTD/embed.js" async></script>
 *
 * No framework and no global CSS: every container gets an open shadow root.
 * It talks to the public API of the commentd it was loaded from (the base URL
 * is this script's own src), so that server's allowed_origins must list the
 * page's origin. The container is #comments, or any .commentd for several on
 * one page; options are its data attributes: data-post (the post id, default
 * the page path), data-limit (comments per page, 1-200, default 50),
 * data-gravatar (load avatars from Gravatar instead of drawing identicons
 * locally). Theme with the --commentd-* CSS variables. */
(() => {
  "use strict";
  const CSS = __COMMENTD_CSS__; // the server puts widget.css here
  const HONEYPOT = __COMMENTD_HONEYPOT__; // and the honeypot field's name here
  const FIELDS = ["text", "author", "email", "url"];
  const REASONS = {
    required: "Please fill this in.",
    too_long: "This is too long.",
    invalid_email: "Please enter an email address such as you@example.org.",
    invalid_url: "Please enter a web address starting with https://, or leave it empty.",
    control_character: "Please remove the invisible control characters.",
    invalid_utf8: "This contains characters that could not be read.",
  };
  const ERRORS = {
    duplicate: "You already posted this comment.",
    banned: "Comments from you are not accepted.",
    rejected: "Your comment was not accepted.",
    too_large: "Your comment is too long.",
  };
  const UNITS = [["year", 31536e3], ["month", 2592e3], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
  const KEEP_PENDING = 30 * 864e5; // how long this browser shows its own held comments

  const me = document.currentScript || [...document.scripts].find((s) => /\/embed\.js([?#]|$)/.test(s.src));
  if (!me) return;
  const BASE = me.src.replace(/\/embed\.js([?#].*)?$/, "");

  let LANG = document.documentElement.lang || undefined;
  try {
    Intl.getCanonicalLocales(LANG);
  } catch {
    LANG = undefined; // the browser's own
  }
  const rtf = new Intl.RelativeTimeFormat(LANG, { numeric: "auto" });

  // h builds an element: attributes (on* are listeners, false/null skipped) and children.
  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : v);
    }
    el.append(...kids.filter((k) => k != null && k !== false));
    return el;
  }

  function ago(date) {
    const s = (date - Date.now()) / 1000;
    for (const [unit, n] of UNITS) if (Math.abs(s) >= n) return rtf.format(Math.round(s / n), unit);
    return rtf.format(0, "second");
  }

  // identicon draws a 5x5 mirrored pattern from the avatar hash, the same one
  // the server-rendered page draws: the email's hash never leaves for a third party.
  function identicon(hash) {
    const hue = parseInt(hash.slice(0, 3), 16) % 360;
    let d = "";
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 3; x++) {
        if (parseInt(hash[3 + y * 3 + x], 16) % 2) continue;
        d += `M${x} ${y}h1v1h-1z`;
        if (x < 2) d += `M${4 - x} ${y}h1v1h-1z`;
      }
    }
    return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="-1 -1 7 7"><rect x="-1" y="-1" width="7" height="7" fill="hsl(${hue},45%,90%)"/><path d="${d}" fill="hsl(${hue},55%,42%)"/></svg>`;
  }

  let sheet;
  function style(root) {
    if ("adoptedStyleSheets" in root && "replaceSync" in CSSStyleSheet.prototype) {
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS); // CSSOM: works under a page's strict style-src policy
      }
      root.adoptedStyleSheets = [sheet];
    } else {
      root.append(h("style", {}, CSS));
    }
  }

  function mount(host) {
    if (host.shadowRoot) return; // the script was included twice
    const post = host.dataset.post || location.pathname;
    const limit = Math.min(200, Math.max(1, parseInt(host.dataset.limit, 10) || 50));
    const gravatar = host.dataset.gravatar !== undefined && host.dataset.gravatar !== "false";
    const key = "commentd:pending:" + BASE + ":" + post;
    const root = host.attachShadow({ mode: "open" });
    style(root);

    const nodes = new Map(); // comment id -> its <li>
    let cursor = "";
    let count = null;
    let replyTo = null; // the comment being answered, and the button that opened the reply
    let replyButton = null;

    // ---- Layout.
    const title = h("h2", { class: "title", id: "cd-title" }, "Comments");
    const state = h("p", { class: "hint" }, "Loading comments…");
    const list = h("ol", { class: "list" });
    const more = h("button", { type: "button", class: "more", hidden: true, onclick: () => load(true) }, "Load more comments");
    const formTitle = h("h3", { id: "cd-form-title" }, "Leave a comment");
    const cancel = h("button", { type: "button", class: "link", hidden: true, onclick: () => cancelReply(true) }, "Cancel reply");
    const live = h("p", { class: "status", role: "status", "aria-live": "polite" });
    const submitButton = h("button", { type: "submit", class: "primary" }, "Post comment");
    const field = (name, label, attrs, extra) => {
      const id = "cd-" + name;
      const input = h(name === "text" ? "textarea" : "input", { id, name, "aria-describedby": id + "-err", ...attrs });
      return h("div", { class: "field" }, h("label", { for: id }, label, extra), input, h("p", { class: "err", id: id + "-err" }));
    };
    const form = h(
      "form",
      { class: "form", novalidate: true, "aria-labelledby": "cd-form-title", onsubmit: submit, onkeydown: (e) => e.key === "Escape" && replyTo && cancelReply(true) },
      h("div", { class: "head" }, formTitle, cancel),
      field("text", "Comment", { rows: 5, required: true }),
      h(
        "div",
        { class: "fields" },
        field("author", "Name", { autocomplete: "name", required: true, maxlength: 100 }),
        field("email", "Email", { type: "email", autocomplete: "email", required: true }, h("span", { class: "opt" }, " (never shown)")),
        field("url", "Website", { type: "url", autocomplete: "url", inputmode: "url" }, h("span", { class: "opt" }, " (optional)")),
      ),
      HONEYPOT && h("div", { class: "hp", "aria-hidden": "true" }, h("label", { for: "cd-hp" }, "Leave this empty"), h("input", { id: "cd-hp", name: HONEYPOT, tabindex: "-1", autocomplete: "off" })),
      h("div", { class: "send" }, submitButton, h("span", { class: "hint" }, "Comments may be held for moderation.")),
      live,
    );
    const section = h("section", { class: "cd", "aria-labelledby": "cd-title" }, title, state, list, more, form);
    root.append(section);

    function showCount() {
      title.textContent = count === null ? "Comments" : count === 0 ? "No comments yet" : count === 1 ? "1 comment" : count + " comments";
    }

    function announce(msg, bad) {
      live.textContent = msg;
      live.classList.toggle("bad", !!bad);
    }

    // ---- Comments.
    function avatar(hash) {
      const span = h("span", { class: "av", "aria-hidden": "true" });
      if (!/^[0-9a-f]{64}$/.test(hash || "")) return span;
      if (gravatar) span.append(h("img", { src: `https://www.gravatar.com/avatar/${hash}?s=80&d=identicon`, alt: "", loading: "lazy", referrerpolicy: "no-referrer" }));
      else span.innerHTML = identicon(hash); // hex digits only
      return span;
    }

    function render(c, pending) {
      const id = "comment-" + c.id;
      const when = new Date(c.created_at);
      const by = /^https?:\/\//i.test(c.url || "")
        ? h("a", { class: "author", id: id + "-by", href: c.url, rel: "nofollow ugc noopener", target: "_blank" }, c.author)
        : h("span", { class: "author", id: id + "-by" }, c.author);
      const text = h("div", { class: "text" });
      text.innerHTML = c.html; // the server's rendering: every character of the text escaped
      const foot = pending
        ? h("p", { class: "note" }, "Only you can see this comment until a moderator approves it.")
        : h("p", { class: "actions" }, h("button", { type: "button", class: "link", "aria-label": "Reply to " + c.author, onclick: (e) => reply(c, e.currentTarget) }, "Reply"));
      const meta = h(
        "div",
        { class: "meta" },
        by,
        h("a", { class: "time", href: location.href.split("#")[0] + "#" + id }, h("time", { datetime: c.created_at, title: when.toLocaleString(LANG) }, ago(when))),
        pending && h("span", { class: "badge" }, "Awaiting moderation"),
      );
      const body = h("article", { class: "body", tabindex: "-1", "aria-labelledby": id + "-by" }, avatar(c.avatar), h("div", { class: "main" }, meta, text, foot));
      return h("li", { class: pending ? "c pending" : "c", id }, body, h("ol", { class: "replies" }));
    }

    // add shows a comment under its parent (replies come after their parents,
    // oldest first), once; an approved copy replaces a held one.
    function add(c, pending) {
      const old = nodes.get(c.id);
      if (old) {
        if (pending || !old.classList.contains("pending")) return old;
        old.remove();
        forget(c.id);
      }
      const li = render(c, pending);
      const parent = c.parent && nodes.get(c.parent);
      (parent ? parent.querySelector(":scope > .replies") : list).append(li);
      nodes.set(c.id, li);
      return li;
    }

    // ---- This browser's own held comments, kept in localStorage.
    function stored() {
      try {
        return JSON.parse(localStorage.getItem(key)) || [];
      } catch {
        return [];
      }
    }
    function keep(cs) {
      try {
        if (cs.length) localStorage.setItem(key, JSON.stringify(cs));
        else localStorage.removeItem(key);
      } catch {
        /* storage off: held comments show until the page is left */
      }
    }
    const remember = (c) => keep([...stored(), c]);
    const forget = (id) => keep(stored().filter((c) => c.id !== id));
    function showHeld() {
      const fresh = stored().filter((c) => Date.now() - new Date(c.created_at) < KEEP_PENDING);
      keep(fresh);
      for (const c of fresh) if (!nodes.has(c.id)) add(c, true);
    }

    // ---- Loading.
    async function load(next) {
      more.disabled = true;
      try {
        const q = new URLSearchParams({ post, limit });
        if (cursor) q.set("cursor", cursor);
        const r = await fetch(BASE + "/api/v1/comments?" + q);
        if (!r.ok) throw new Error("HTTP " + r.status);
        const page = await r.json();
        const fresh = page.comments.filter((c) => !nodes.has(c.id) || nodes.get(c.id).classList.contains("pending"));
        const added = fresh.map((c) => add(c, false));
        cursor = page.next_cursor || "";
        more.hidden = !cursor;
        state.hidden = true;
        if (next) {
          added[0]?.firstChild.focus();
          announce(added.length === 1 ? "1 more comment loaded." : added.length + " more comments loaded.");
        } else {
          showHeld();
          jump();
        }
      } catch (err) {
        state.hidden = false;
        state.replaceChildren("Comments could not be loaded. ", h("button", { type: "button", class: "link", onclick: () => load(next) }, "Try again"));
        console.warn("commentd: loading " + BASE + " failed (is this page's origin in allowed_origins?)", err);
      } finally {
        more.disabled = false;
      }
    }

    async function loadCount() {
      try {
        const r = await fetch(BASE + "/api/v1/counts?" + new URLSearchParams({ post }));
        if (!r.ok) return;
        count = (await r.json()).counts[post] || 0;
        showCount();
      } catch {
        /* the title stays "Comments" */
      }
    }

    // jump shows the comment a #comment-ID link points at.
    function jump() {
      const m = /^#(comment-\d+)$/.exec(location.hash);
      const li = m && root.getElementById(m[1]);
      if (!li) return;
      li.scrollIntoView({ block: "center" });
      li.firstChild.focus({ preventScroll: true });
    }

    // ---- Replying: the form moves under the comment answered.
    function reply(c, button) {
      replyTo = c;
      replyButton = button;
      const li = nodes.get(c.id);
      li.insertBefore(form, li.querySelector(":scope > .replies"));
      formTitle.textContent = "Reply to " + c.author;
      cancel.hidden = false;
      form.elements.text.focus();
    }

    function cancelReply(focus) {
      if (!replyTo) return;
      const back = replyButton;
      replyTo = replyButton = null;
      formTitle.textContent = "Leave a comment";
      cancel.hidden = true;
      section.append(form);
      if (focus && back.isConnected) back.focus();
    }

    // ---- Posting.
    function clearErrors() {
      for (const name of FIELDS) {
        form.elements[name].removeAttribute("aria-invalid");
        root.getElementById("cd-" + name + "-err").textContent = "";
      }
      announce("");
    }

    async function submit(e) {
      e.preventDefault();
      clearErrors();
      const f = form.elements;
      const body = { post, parent: replyTo ? replyTo.id : null };
      for (const name of FIELDS) body[name] = f[name].value;
      if (HONEYPOT) body[HONEYPOT] = f[HONEYPOT].value;
      submitButton.disabled = true;
      announce("Posting your comment…");
      let r;
      let data = {};
      try {
        r = await fetch(BASE + "/api/v1/comments", {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify(body),
        });
        data = await r.json().catch(() => ({}));
      } catch {
        announce("The comment server could not be reached. Check your connection and try again.", true);
        return;
      } finally {
        submitButton.disabled = false;
      }
      if (r.status === 201) posted(data);
      else if (r.status === 400 && data.fields) invalid(data.fields);
      else if (r.status === 429) {
        const wait = parseInt(r.headers.get("Retry-After"), 10) || data.retry_after || 60;
        announce(`You are commenting too fast: try again in ${wait} seconds.`, true);
      } else announce(ERRORS[data.error] || `Your comment was not posted: ${data.message || "error " + r.status}.`, true);
    }

    function posted(c) {
      const held = c.status !== "approved"; // spam is not announced as such
      if (held) remember({ id: c.id, parent: c.parent, author: c.author, avatar: c.avatar, url: c.url, html: c.html, created_at: c.created_at });
      else if (count !== null) {
        count++;
        showCount();
      }
      cancelReply(false);
      const li = add(c, held);
      form.elements.text.value = "";
      announce(held ? "Thank you! Your comment is awaiting moderation: it will appear for everyone once a moderator approves it." : "Thank you! Your comment is published.");
      li.scrollIntoView({ block: "nearest" });
    }

    function invalid(fields) {
      const other = [];
      for (const { field, reason } of fields) {
        const msg = REASONS[reason] || reason.replace(/_/g, " ");
        if (FIELDS.includes(field)) {
          form.elements[field].setAttribute("aria-invalid", "true");
          root.getElementById("cd-" + field + "-err").textContent = msg;
        } else if (field === "parent") {
          other.push("The comment you are replying to is not available any more.");
        } else {
          other.push(field + ": " + msg);
        }
      }
      const first = FIELDS.map((name) => form.elements[name]).find((el) => el.hasAttribute("aria-invalid"));
      announce(["Please correct the marked fields.", ...other].slice(first ? 0 : 1).join(" "), true);
      first?.focus();
    }

    addEventListener("hashchange", jump);
    showCount();
    loadCount();
    load(false);
  }

  function start() {
    for (const host of document.querySelectorAll("#comments[data-post], .commentd[data-post]")) {
      try {
        mount(host);
      } catch (err) {
        console.warn("commentd:", err);
      }
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
