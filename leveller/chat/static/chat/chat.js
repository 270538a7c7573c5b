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

  // Live updates: every event carries what changed, already rendered on the server and the same for every
  // viewer (rows in `fragments`, counts in the data). Nothing is fetched to show it: what differs per viewer is
  // decided here and in the layout's per-viewer style rules. Only a reconnect or a resync refetches the sidebar.
  const READ_INTERVAL_MS = 5000; // report reading (over the websocket) at most this often per tab and channel
  const READ_JITTER_MS = 1000; // spread the reports of many tabs that saw the same message at once
  const myHandle = layout.dataset.handle || "";
  const timeZone = layout.dataset.timeZone || "";
  const csrf = (function () {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  })();
  function fetchHtml(url) {
    return fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) { return r.ok ? r.text() : null; });
  }
  function toElement(html) {
    const t = document.createElement("template");
    t.innerHTML = (html || "").trim();
    return t.content.firstElementChild;
  }
  function send(message) { if (window.Leveller && window.Leveller.realtime) window.Leveller.realtime.send(message); }
  function visible() { return document.visibilityState === "visible"; }
  function isMember() { return !!document.querySelector("[hx-post$='/read/']"); }

  let timeFormat = null;
  try {
    if (timeZone) timeFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hour12: false, timeZone: timeZone });
  } catch (e) { timeFormat = null; }

  // Per-viewer touches on rows that are the same for everyone: mine, my reactions, mentions of me, my time zone.
  function decorate(root) {
    if (!root || !root.querySelectorAll) return;
    const rows = root.matches && root.matches("article.message") ? [root] : Array.from(root.querySelectorAll("article.message"));
    rows.forEach(function (row) {
      row.classList.toggle("mine", Number(row.dataset.authorId) === memberId);
      row.querySelectorAll("button.reaction[data-member-ids]").forEach(function (b) {
        const mine = b.dataset.memberIds.split(" ").indexOf(String(memberId)) >= 0;
        b.setAttribute("aria-pressed", mine ? "true" : "false");
        const note = b.querySelector(".reaction-yours");
        if (note) note.hidden = !mine;
      });
      if (myHandle && row.querySelector('.mention[data-handle="' + myHandle + '"]')) row.classList.add("mentions-me");
      if (timeFormat) {
        row.querySelectorAll(".message-time time[datetime]").forEach(function (t) {
          const when = new Date(t.getAttribute("datetime"));
          if (!isNaN(when)) t.textContent = timeFormat.format(when);
        });
      }
    });
  }
  if (window.htmx.onLoad) window.htmx.onLoad(decorate);
  decorate(document);
  const highlight = list && list.dataset.highlight ? $("m-" + list.dataset.highlight) : null;
  if (highlight) highlight.classList.add("highlighted");

  // The sidebar, from events: unread and mention badges, threads and notifications counts, rows joined or left.
  function rowFor(id) { return document.querySelector('#chat-sidebar [data-channel-row="' + id + '"]'); }
  function setBadge(holder, kind, n, label) {
    let badge = holder.querySelector('[data-badge="' + kind + '"]');
    if (!n) { if (badge) badge.remove(); return; }
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "badge" + (kind === "mentions" ? " mention-badge" : kind === "unread" ? " unread-badge" : "");
      badge.dataset.badge = kind;
      holder.appendChild(document.createTextNode(" "));
      holder.appendChild(badge);
    }
    badge.textContent = String(n);
    const hint = document.createElement("span");
    hint.className = "visually-hidden";
    hint.textContent = " " + label;
    badge.appendChild(hint);
  }
  function badgeCount(holder, kind) {
    const badge = holder && holder.querySelector('[data-badge="' + kind + '"]');
    return badge ? parseInt(badge.firstChild.textContent, 10) || 0 : 0;
  }
  function channelCounts(id, unread, mentions) {
    const row = rowFor(id);
    if (!row) return;
    const link = row.querySelector("a");
    const level = row.dataset.level, dm = row.dataset.dm === "1";
    if (!dm && level !== "everything") unread = 0;
    if (!dm && level === "nothing") mentions = 0;
    row.dataset.unread = String(unread);
    row.dataset.mentions = String(mentions);
    setBadge(link, "mentions", mentions, "mentions");
    setBadge(link, "unread", mentions ? 0 : unread, "unread");
    row.classList.toggle("unread", !!(unread || mentions));
  }
  function bump(id, unread, mentions) {
    const row = rowFor(id);
    if (!row) return;
    const u = Number(row.dataset.unread || badgeCount(row, "unread"));
    const m = Number(row.dataset.mentions || badgeCount(row, "mentions"));
    channelCounts(id, u + unread, m + mentions);
  }
  function addToCount(selector, kind, delta, label) {
    const link = document.querySelector("#chat-sidebar " + selector);
    if (link) setBadge(link, kind, Math.max(0, badgeCount(link, kind) + delta), label);
  }
  function unreadThreads() {
    const link = document.querySelector("#chat-sidebar [data-unread-threads]");
    return link ? new Set(link.dataset.unreadThreads.split(" ").filter(Boolean)) : new Set();
  }
  function setUnreadThreads(count, ids) {
    const link = document.querySelector("#chat-sidebar [data-unread-threads]");
    if (!link) return;
    if (ids) link.dataset.unreadThreads = Array.from(ids).join(" ");
    setBadge(link, "threads", count, "with unread replies");
  }
  function placeRow(li, section, sectionLabel) {
    const nav = $("chat-sidebar");
    if (!nav) return;
    let ul = nav.querySelector('ul[data-section="' + section + '"]');
    if (!ul) {
      const h = document.createElement("h2");
      h.className = "chat-section"; h.dataset.sectionHeading = section; h.textContent = sectionLabel || section;
      ul = document.createElement("ul");
      ul.className = "channel-list"; ul.dataset.section = section;
      const direct = nav.querySelector('[data-section-heading="direct"]');
      nav.insertBefore(h, section === "direct" ? null : direct);
      nav.insertBefore(ul, section === "direct" ? null : direct);
    }
    const after = Array.from(ul.children).find(function (o) { return o !== li && (o.dataset.sort || "") > (li.dataset.sort || ""); });
    ul.insertBefore(li, after || null);
  }

  let sidebarTimer = null;
  function refreshSidebar() { // on reconnect and resync only
    clearTimeout(sidebarTimer);
    sidebarTimer = setTimeout(function () {
      fetchHtml("/chat/sidebar/" + (channelId ? "?current=" + channelId : "")).then(function (html) {
        const fresh = toElement(html), old = $("chat-sidebar");
        if (fresh && old) { old.replaceWith(fresh); htmx.process(fresh); }
      });
    }, 250);
  }

  // Read state goes over the websocket, at most once every READ_INTERVAL_MS per tab and channel.
  let readTimer = null, lastReadSent = 0, readUpTo = 0;
  function reportRead(upTo) {
    if (!channelId || !isMember() || !visible()) return;
    readUpTo = Math.max(readUpTo, upTo || 0);
    channelCounts(channelId, 0, 0);
    if (readTimer) return;
    const wait = Math.max(0, lastReadSent + READ_INTERVAL_MS - Date.now()) + Math.random() * READ_JITTER_MS;
    readTimer = setTimeout(function () {
      readTimer = null;
      lastReadSent = Date.now();
      send({ type: "chat.read", channel_id: channelId, up_to: readUpTo || null });
    }, wait);
  }
  const threadReadTimers = {};
  function reportThreadRead(root) {
    if (threadReadTimers[root]) return;
    threadReadTimers[root] = setTimeout(function () {
      delete threadReadTimers[root];
      send({ type: "chat.thread_read", thread_id: root });
    }, 1500 + Math.random() * READ_JITTER_MS);
  }

  function newLineBefore(el) {
    if ($("new-messages") || !el) return;
    const line = document.createElement("div");
    line.className = "new-line"; line.id = "new-messages"; line.setAttribute("role", "separator");
    line.setAttribute("aria-label", "New messages");
    line.innerHTML = "<span>New messages</span>";
    el.parentNode.insertBefore(line, el);
  }

  // Where a new row goes: in message-id order, as a reload would show it. On PostgreSQL two posts can commit
  // (and their events arrive) out of id order; nearly always the row goes last, so walk back from the end.
  function placeFor(target, el) {
    const id = Number(el.dataset.messageId), newer = target.querySelector(".newer");
    let before = newer, node = newer ? newer.previousElementSibling : target.lastElementChild;
    for (; node && id; node = node.previousElementSibling) {
      if (!node.dataset.messageId) continue;
      if (Number(node.dataset.messageId) < id) break;
      before = node;
    }
    return before;
  }

  function insertRow(html, inThread) {
    const target = inThread ? $("thread-replies") : list;
    const el = toElement(html);
    if (!target || !el || $(el.id)) return null;
    if (!inThread && list.querySelector(".newer")) return null; // viewing older context: "Load newer" loads it
    const stick = inThread || nearBottom();
    const empty = target.querySelector(".empty-channel");
    if (empty) empty.remove();
    target.insertBefore(el, placeFor(target, el));
    htmx.process(el);
    decorate(el);
    if (stick && !inThread) toBottom();
    return el;
  }
  function replaceRow(id, fragments) {
    [["m-", fragments.channel], ["t-", fragments.thread]].forEach(function (pair) {
      const old = $(pair[0] + id);
      if (!old || !pair[1] || old.classList.contains("editing")) return;
      const el = toElement(pair[1]);
      if (!el) return;
      if (old.classList.contains("highlighted")) el.classList.add("highlighted");
      const hadFocus = old.contains(document.activeElement);
      const wasOpen = old.querySelector("details.message-actions[open]");
      if (wasOpen) { const d = el.querySelector("details.message-actions"); if (d) d.open = true; }
      old.replaceWith(el);
      htmx.process(el);
      decorate(el);
      if (hadFocus) el.focus();
    });
  }

  document.addEventListener("leveller:message.created", function (e) {
    const m = e.detail.message, f = e.detail.fragments || {};
    if (!m) return;
    const mine = m.author && m.author.id === memberId;
    const inChannel = !m.thread_id || m.also_in_channel;
    if (m.channel_id === channelId) {
      let el = null;
      if (inChannel && f.channel) el = insertRow(f.channel, false);
      if (m.thread_id && m.thread_id === openThread() && f.thread) { insertRow(f.thread, true); if (!mine) reportThreadRead(m.thread_id); }
      if (!mine && inChannel) {
        if (visible()) reportRead(m.id);
        else { newLineBefore(el || $("m-" + m.id)); bump(channelId, 1, 0); }
      }
    } else if (!mine && inChannel) {
      bump(m.channel_id, 1, 0);
    }
  });
  ["message.updated", "reaction.added", "reaction.removed"].forEach(function (type) {
    document.addEventListener("leveller:" + type, function (e) {
      const d = e.detail;
      if (d.channel_id === channelId && d.message && d.fragments) replaceRow(d.message.id, d.fragments);
    });
  });
  document.addEventListener("leveller:message.deleted", function (e) {
    const d = e.detail;
    if (d.channel_id !== channelId) return;
    if (d.tombstone && d.fragments) replaceRow(d.message_id, d.fragments);
    else ["m-", "t-"].forEach(function (p) { const el = $(p + d.message_id); if (el) el.remove(); });
  });
  document.addEventListener("leveller:channel.read", function (e) {
    const d = e.detail;
    channelCounts(d.channel_id, d.unread || 0, d.mentions || 0);
    if (d.notifications_read) addToCount("[data-notifications-link]", "notifications", -d.notifications_read, "unread");
  });
  document.addEventListener("leveller:notification.created", function (e) {
    const d = e.detail;
    addToCount("[data-notifications-link]", "notifications", 1, "unread");
    if (d.kind === "thread_reply") {
      const ids = unreadThreads();
      if (!ids.has(String(d.thread_id))) { ids.add(String(d.thread_id)); setUnreadThreads(ids.size, ids); }
    } else if (!(d.channel_id === channelId && visible() && isMember())) {
      bump(d.channel_id, 0, 1);
    }
  });
  ["thread.read", "thread.followed"].forEach(function (type) {
    document.addEventListener("leveller:" + type, function (e) {
      const d = e.detail;
      const ids = unreadThreads();
      if (type === "thread.read" || !d.following) ids.delete(String(d.thread_id));
      if (typeof d.unread_threads === "number") setUnreadThreads(d.unread_threads, ids);
      if (d.notifications_read) addToCount("[data-notifications-link]", "notifications", -d.notifications_read, "unread");
    });
  });
  document.addEventListener("leveller:sidebar.changed", function (e) {
    const d = e.detail, row = rowFor(d.channel_id);
    if (!row) return;
    if (d.level) { row.dataset.level = d.level; row.classList.toggle("muted-channel", d.level === "nothing"); }
    if (d.section) placeRow(row, d.section, d.section_label);
  });
  document.addEventListener("leveller:channel.member_joined", function (e) {
    const d = e.detail;
    if (d.member_id !== memberId || !d.sidebar_row || rowFor(d.channel_id)) return;
    const li = toElement(d.sidebar_row);
    if (li) { placeRow(li, d.section, d.section_label); htmx.process(li); }
  });
  document.addEventListener("leveller:channel.member_left", function (e) {
    const d = e.detail;
    if (d.member_id !== memberId) return;
    const row = rowFor(d.channel_id);
    if (row) row.remove();
  });
  document.addEventListener("leveller:channel.updated", function (e) {
    const c = e.detail.channel, row = c && rowFor(c.id);
    if (!row || c.kind !== "standard" || !e.detail.sidebar_label) return;
    const label = row.querySelector(".channel-label");
    if (label) label.innerHTML = e.detail.sidebar_label;
    row.dataset.sort = (c.archived ? "1" : "0") + c.name.toLowerCase();
    placeRow(row, row.parentNode.dataset.section, "");
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
  document.addEventListener("visibilitychange", function () {
    if (visible() && channelId) { const rows = list ? list.querySelectorAll("article.message") : []; reportRead(rows.length ? Number(rows[rows.length - 1].dataset.messageId) : 0); }
  });
})();
