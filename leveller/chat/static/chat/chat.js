// Chat page behaviour: live updates from realtime.js DOM events, composer keys, typing hints, scroll-back.
(function () {
  "use strict";
  const layout = document.getElementById("chat-layout");
  if (!layout || !window.htmx) return;
  const channelId = Number(layout.dataset.channelId || 0);
  const memberId = Number(document.body.dataset.memberId || 0);
  const list = document.getElementById("messages");
  const nav = document.getElementById("chat-nav");
  if (nav && channelId && window.matchMedia("(max-width: 48rem)").matches) nav.open = false;

  function $(id) { return document.getElementById(id); }
  function openThread() {
    const panel = document.querySelector("#thread-pane .thread-panel");
    return panel ? Number(panel.dataset.threadRoot) : 0;
  }
  function nearBottom() { return !list || list.scrollHeight - list.scrollTop - list.clientHeight < 120; }
  function toBottom() { if (list) list.scrollTop = list.scrollHeight; }

  // Live updates fetch fragments with fetch() (not htmx.ajax, whose per-element request sync would drop
  // concurrent refreshes) and hand the new nodes to htmx.process so their hx- attributes work.
  const csrf = (function () {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  })();
  function fetchHtml(url) {
    return fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) { return r.ok ? r.text() : null; });
  }
  function post(url) {
    return fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf, "HX-Request": "true" } });
  }
  function toElement(html) {
    const t = document.createElement("template");
    t.innerHTML = (html || "").trim();
    return t.content.firstElementChild;
  }

  let sidebarTimer = null;
  function refreshSidebar() {
    clearTimeout(sidebarTimer);
    sidebarTimer = setTimeout(function () {
      fetchHtml("/chat/sidebar/" + (channelId ? "?current=" + channelId : "")).then(function (html) {
        const fresh = toElement(html), old = $("chat-sidebar");
        if (fresh && old) { old.replaceWith(fresh); htmx.process(fresh); }
      });
    }, 250);
  }
  let readTimer = null;
  function markRead() {
    if (!channelId || document.visibilityState !== "visible" || !document.querySelector("[hx-post$='/read/']")) return;
    clearTimeout(readTimer);
    readTimer = setTimeout(function () { post("/chat/c/" + channelId + "/read/"); }, 400);
  }
  function markThreadRead(root) { post("/chat/m/" + root + "/thread/read/"); }

  function append(id, inThread) {
    const target = inThread ? $("thread-replies") : list;
    const domId = (inThread ? "t-" : "m-") + id;
    if (!target || $(domId)) return;
    if (!inThread && list.querySelector(".newer")) return; // viewing older context: the "newer" button loads it
    const stick = inThread || nearBottom();
    fetchHtml("/chat/m/" + id + "/row/" + (inThread ? "?in_thread=1" : "")).then(function (html) {
      const el = toElement(html);
      if (!el || $(domId)) return;
      const empty = target.querySelector(".empty-channel");
      if (empty) empty.remove();
      const newer = target.querySelector(".newer");
      target.insertBefore(el, newer);
      htmx.process(el);
      if (stick && !inThread) toBottom();
    });
  }
  function refreshRow(id) {
    ["m-", "t-"].forEach(function (prefix) {
      if (!$(prefix + id)) return;
      fetchHtml("/chat/m/" + id + "/row/" + (prefix === "t-" ? "?in_thread=1" : "")).then(function (html) {
        const old = $(prefix + id), el = toElement(html);
        if (!old || !el || old.classList.contains("editing")) return;
        const hadFocus = old.contains(document.activeElement);
        const wasOpen = old.querySelector("details.message-actions[open]");
        if (wasOpen) { const d = el.querySelector("details.message-actions"); if (d) d.open = true; }
        old.replaceWith(el);
        htmx.process(el);
        if (hadFocus) el.focus();
      });
    });
  }

  document.addEventListener("leveller:message.created", function (e) {
    const m = e.detail.message;
    if (!m) return;
    if (m.channel_id === channelId) {
      if (!m.thread_id || m.also_in_channel) append(m.id, false);
      if (m.thread_id && m.thread_id === openThread()) { append(m.id, true); if (m.author.id !== memberId) markThreadRead(m.thread_id); }
      if (m.author.id !== memberId && (!m.thread_id || m.also_in_channel)) markRead();
    }
    refreshSidebar();
  });
  ["message.updated", "reaction.added", "reaction.removed"].forEach(function (type) {
    document.addEventListener("leveller:" + type, function (e) {
      const id = e.detail.message ? e.detail.message.id : e.detail.message_id;
      if (e.detail.channel_id === channelId) refreshRow(id);
    });
  });
  document.addEventListener("leveller:message.deleted", function (e) {
    const d = e.detail;
    if (d.channel_id !== channelId) return;
    if (d.tombstone) refreshRow(d.message_id);
    else ["m-", "t-"].forEach(function (p) { const el = $(p + d.message_id); if (el) el.remove(); });
    refreshSidebar();
  });
  ["channel.read", "notification.created", "sidebar.changed", "channel.member_joined", "channel.member_left",
    "thread.read", "thread.followed", "channel.updated"].forEach(function (type) {
    document.addEventListener("leveller:" + type, refreshSidebar);
  });
  document.addEventListener("leveller:resync", function () { location.reload(); });

  // Presence: a dot and a label ("active"/"away") next to DM partners and channel members. Events arrive only
  // for people this tab follows: DM partners, and the members of a channel whose member list is open.
  function showPresence(id, active) {
    document.querySelectorAll('[data-presence="' + id + '"]').forEach(function (el) {
      el.dataset.active = active ? "1" : "0";
      el.querySelector(".presence-label").textContent = active ? "active" : "away";
    });
  }
  document.addEventListener("leveller:presence", function (e) { showPresence(e.detail.member_id, e.detail.active); });
  document.addEventListener("leveller:presence.snapshot", function (e) {
    const active = new Set(e.detail.active);
    document.querySelectorAll("[data-presence-watch] [data-presence]").forEach(function (el) {
      const id = Number(el.dataset.presence);
      if (id !== memberId) showPresence(id, active.has(id));
    });
  });
  const watched = document.querySelector("[data-presence-watch]");
  function watchPresence() {
    if (watched && window.Leveller && window.Leveller.realtime) {
      window.Leveller.realtime.send({ type: "presence.watch", channel_id: Number(watched.dataset.presenceWatch) });
    }
  }
  let connections = document.documentElement.dataset.realtime === "open" ? 1 : 0;
  if (connections) watchPresence();
  document.addEventListener("leveller:connected", function () {
    watchPresence();
    if (connections++) refreshSidebar(); // a reconnect: presence hints sent meanwhile were missed
  });

  // Typing: send a hint at most every 3 s; show others' hints for 4 s.
  let lastTyping = 0;
  document.addEventListener("input", function (e) {
    const box = e.target;
    if (!box.matches || !box.matches(".composer textarea") || !window.Leveller || !window.Leveller.realtime) return;
    const now = Date.now();
    if (now - lastTyping < 3000) return;
    lastTyping = now;
    window.Leveller.realtime.send({ type: "typing", channel_id: Number(box.dataset.channel), thread_id: box.dataset.thread ? Number(box.dataset.thread) : null });
  });
  const typers = new Map();
  document.addEventListener("leveller:typing", function (e) {
    const d = e.detail;
    if (d.channel_id !== channelId || d.member_id === memberId) return;
    clearTimeout(typers.get(d.display_name));
    typers.set(d.display_name, setTimeout(function () { typers.delete(d.display_name); showTyping(); }, 4000));
    showTyping();
  });
  function showTyping() {
    const el = $("typing");
    if (!el) return;
    const names = Array.from(typers.keys());
    el.textContent = names.length === 0 ? "" : names.length === 1 ? names[0] + " is typing…" : names.join(", ") + " are typing…";
  }

  // Composer: Enter sends, Shift+Enter is a new line; clear after a successful send; no duplicate rows.
  document.addEventListener("keydown", function (e) {
    const box = e.target;
    if (box.matches && box.matches(".composer textarea") && e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      box.form.requestSubmit();
    }
    if (e.key === "Escape" && document.querySelector("#thread-pane .thread-panel") && $("thread-pane").contains(box)) {
      $("thread-pane").innerHTML = "";
      if ($("composer-c")) $("composer-c").focus();
    }
  });
  document.body.addEventListener("htmx:beforeSwap", function (e) {
    const form = e.detail.requestConfig && e.detail.requestConfig.elt;
    if (form && form.matches && form.matches("form.composer") && e.detail.xhr.status === 200) {
      const found = /data-message-id="(\d+)"/.exec(e.detail.serverResponse || "");
      if (found) {
        const inThread = form.dataset.composer === "thread";
        if ($((inThread ? "t-" : "m-") + found[1])) e.detail.shouldSwap = false;
        form.reset();
        const err = form.querySelector(".composer-error"); if (err) err.innerHTML = "";
      }
    }
    const target = e.detail.target;
    if (target && target.id && target.id.indexOf("older-") === 0 && list) {
      list.dataset.keepFrom = String(list.scrollHeight - list.scrollTop);
    }
  });
  document.body.addEventListener("htmx:afterSettle", function (e) {
    if (list && list.dataset.keepFrom) {
      list.scrollTop = list.scrollHeight - Number(list.dataset.keepFrom);
      delete list.dataset.keepFrom;
    }
    const elt = e.detail.elt;
    if (elt && elt.matches && elt.matches("form.composer[data-composer='channel']")) toBottom();
    if (e.detail.target && e.detail.target.id === "thread-pane") {
      const heading = $("thread-title");
      const root = openThread();
      if (heading && root && e.detail.requestConfig && e.detail.requestConfig.verb === "get") heading.focus();
      if (root) history.replaceState(null, "", location.pathname + "?thread=" + root);
    }
  });

  // Previewing a public channel without joining: follow it live anyway (the server checks it is readable).
  if (document.querySelector(".chat-channel[data-preview]") && window.Leveller && window.Leveller.realtime) {
    window.Leveller.realtime.subscribe("channel-" + channelId);
  }

  // Initial position: the highlighted message, else the "new messages" line, else the bottom.
  const target = document.querySelector(".message.highlighted") || $("new-messages");
  if (target) target.scrollIntoView({ block: "center" }); else toBottom();
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible" && channelId) markRead(); });
})();
