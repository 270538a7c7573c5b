// Chat page behaviour: live updates from realtime.js DOM events, composer keys, typing hints, scroll-back.
(function () {
  "use strict";
  const layout = document.getElementById("chat-layout");
  if (!layout || !window.htmx) return;
  const channelId = Number(layout.dataset.channelId || 0);
  const memberId = Number(document.body.dataset.memberId || 0);
  const list = document.getElementById("messages");
  const nav = document.getElementById("chat-nav");
  const phone = window.matchMedia("(max-width: 48rem)");
  if (nav && phone.matches) nav.open = false;

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
  // Report reading (over the websocket) at most every READ_INTERVAL_MS per tab and channel, plus up to
  // READ_JITTER_MS so the reports of many tabs that saw the same message spread out instead of arriving
  // together: at 2,000 tabs, 5 s + 1 s made bursts the server could not keep up with on a shared 2-core
  // machine (bench/bench_chat_viewers.py; docs/chat.md, Performance). This tab shows its own read at once.
  const READ_INTERVAL_MS = 10000;
  const READ_JITTER_MS = 5000;
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
    markDays(target);
    if (Number(el.dataset.authorId) === memberId) showOwnPost(el);
    else if (stick && !inThread) toBottom();
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
      const wasOpen = old.classList.contains("menu-open");
      el.className = el.className + (old.classList.contains("continued") ? " continued" : "");
      old.replaceWith(el);
      htmx.process(el);
      decorate(el);
      if (wasOpen) openMenu(el.querySelector("[data-more]"), false);
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
    announceTyping(names);
  }

  // Composer: Enter sends, Shift+Enter is a new line; clear after a successful send; no duplicate rows.
  document.addEventListener("keydown", function (e) {
    const box = e.target;
    if (box.matches && box.matches(".composer textarea") && e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      box.form.requestSubmit();
    }
    if (e.key === "Escape" && !e.defaultPrevented && document.querySelector("#thread-pane .thread-panel") && $("thread-pane").contains(box)) {
      closeThread();
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
        composerReset(form);
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
    if (elt && elt.matches && elt.matches("form.composer")) {
      const inThread = elt.dataset.composer === "thread";
      const rows = (inThread ? $("thread-replies") : list);
      const mine = rows && rows.querySelectorAll('article.message[data-author-id="' + memberId + '"]');
      if (mine && mine.length) showOwnPost(mine[mine.length - 1]);
      else if (!inThread) toBottom();
    }
    markDays(list);
    markDays($("thread-replies"));
    if (e.detail.target && e.detail.target.id === "thread-pane") threadShown(e.detail.requestConfig && e.detail.requestConfig.verb === "get" ? "get" : "swap");
  });

  // Previewing a public channel without joining: follow it live anyway (the server checks it is readable).
  if (document.querySelector(".chat-channel[data-preview]") && window.Leveller && window.Leveller.realtime) {
    window.Leveller.realtime.subscribe("channel-" + channelId);
  }

  // ---- The interface around the rows: day separators, runs by one person, message menus, threads as panes
  // (full screen on phones), composer tools (attach, paste, drop, emoji, auto-height), the skip link, and
  // keeping your own new post in view. All of it is per viewer and in the browser; rows stay the same for all.
  const DAY_MS = 864e5, RUN_MS = 5 * 60 * 1000;
  function makeFormat(options) {
    try { return new Intl.DateTimeFormat("en-GB", Object.assign({ timeZone: timeZone || undefined }, options)); } catch (e) { return new Intl.DateTimeFormat("en-GB", options); }
  }
  const dayKeyFormat = makeFormat({ year: "numeric", month: "2-digit", day: "2-digit" });
  const dayNameFormat = makeFormat({ weekday: "long", day: "numeric", month: "long" });
  const dayYearFormat = makeFormat({ weekday: "long", day: "numeric", month: "long", year: "numeric" });
  function dayKey(date) { return dayKeyFormat.format(date); }
  function dayLabel(date) {
    const key = dayKey(date), now = new Date();
    if (key === dayKey(now)) return "Today";
    if (key === dayKey(new Date(now.getTime() - DAY_MS))) return "Yesterday";
    return (now - date < 300 * DAY_MS ? dayNameFormat : dayYearFormat).format(date);
  }
  function markDays(container) {
    if (!container) return;
    container.querySelectorAll(":scope > .day-separator").forEach(function (el) { el.remove(); });
    let lastDay = null, lastAuthor = null, lastTime = 0;
    Array.from(container.children).forEach(function (el) {
      if (!el.matches("article.message")) { if (!el.matches(".day-separator")) lastAuthor = null; return; }
      const t = el.querySelector(".message-time time[datetime]");
      const when = t ? new Date(t.getAttribute("datetime")) : null;
      if (!when || isNaN(when)) return;
      const key = dayKey(when);
      if (key !== lastDay) {
        const sep = document.createElement("div");
        sep.className = "day-separator";
        sep.setAttribute("role", "separator");
        sep.setAttribute("aria-label", dayLabel(when));
        const span = document.createElement("span");
        span.textContent = dayLabel(when);
        sep.appendChild(span);
        container.insertBefore(sep, el);
        lastAuthor = null;
      }
      const plain = !el.classList.contains("deleted") && !el.querySelector(".message-meta .tag, .message-meta .muted");
      const run = plain && !!lastAuthor && el.dataset.authorId === lastAuthor && when - lastTime < RUN_MS;
      el.classList.toggle("continued", run);
      lastDay = key;
      lastAuthor = plain ? el.dataset.authorId || null : null;
      lastTime = when.getTime();
    });
  }

  // Scrolling: a pane at its bottom stays there while images load; your own post is always brought into view.
  const stuck = new WeakMap();
  function atBottom(s) { return s.scrollHeight - s.scrollTop - s.clientHeight < 120; }
  function watchScroller(s) {
    if (!s || s.dataset.watched) return;
    s.dataset.watched = "1";
    stuck.set(s, atBottom(s));
    s.addEventListener("scroll", function () { stuck.set(s, atBottom(s)); }, { passive: true });
    s.addEventListener("load", function (e) {
      if (e.target.tagName === "IMG" && stuck.get(s)) s.scrollTop = s.scrollHeight;
    }, true);
  }
  function scrollWithin(scroller, el, where) { // like scrollIntoView, but moves only this pane, never the page
    if (!scroller || !el) return;
    const s = scroller.getBoundingClientRect(), r = el.getBoundingClientRect();
    if (where === "center") scroller.scrollTop += r.top - s.top - (s.height - Math.min(r.height, s.height)) / 2;
    else if (r.bottom > s.bottom) scroller.scrollTop += r.bottom - s.bottom;
    else if (r.top < s.top) scroller.scrollTop += r.top - s.top;
  }
  function showOwnPost(el) {
    const s = el && el.closest(".message-list, .thread-scroll");
    if (!s) return;
    watchScroller(s);
    if (el.nextElementSibling && !el.nextElementSibling.matches(".newer")) scrollWithin(s, el, "nearest");
    else { s.scrollTop = s.scrollHeight; stuck.set(s, true); }
    [150, 600].forEach(function (ms) { setTimeout(function () { if (stuck.get(s)) s.scrollTop = s.scrollHeight; }, ms); });
  }

  // Message menus: "More" opens the rest of a message's actions (a sheet on phones); a long press does too.
  let menuButton = null;
  function openMenu(button, focusFirst) {
    if (!button) return;
    closeMenu(false);
    const box = button.closest(".message-actions"), menu = box && box.querySelector(".action-menu");
    const row = button.closest("article.message");
    if (!menu || !row) return;
    const scroller = row.closest(".message-list, .thread-scroll");
    if (scroller) {
      const r = row.getBoundingClientRect(), sr = scroller.getBoundingClientRect();
      box.classList.toggle("up", r.top - sr.top > sr.height / 2);
    }
    menu.hidden = false;
    button.setAttribute("aria-expanded", "true");
    row.classList.add("menu-open");
    menuButton = button;
    if (focusFirst) {
      const first = Array.from(menu.querySelectorAll("button")).find(function (b) { return b.offsetParent !== null; });
      if (first) first.focus();
    }
  }
  function closeMenu(restoreFocus) {
    const button = menuButton;
    menuButton = null;
    if (!button) return;
    const box = button.closest(".message-actions"), row = button.closest("article.message");
    if (box) box.querySelector(".action-menu").hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (row) row.classList.remove("menu-open");
    if (restoreFocus && button.isConnected) focusInRow(button);
  }
  function focusInRow(el) { // a row's action bar shows on hover or focus: keep it shown while focus goes there
    const row = el.closest && el.closest("article.message");
    if (row) {
      row.classList.add("actions-shown");
      el.addEventListener("blur", function () { row.classList.remove("actions-shown"); }, { once: true });
    }
    el.focus();
  }
  // A long press on a message (half a second, one finger, not on a link or button) opens the same menu as its
  // "More" button, which stays the way for screen readers and switches. Moving the finger (scrolling) cancels
  // it; the browser's own long-press menu and the tap that lifting the finger may fire are swallowed.
  let press = null, swallowTap = false;
  function pressedRow(e) {
    const row = e.target.closest && e.target.closest("article.message");
    if (!row || e.target.closest("a, button, input, textarea, select, summary, .action-menu, .editing")) return null;
    return row.querySelector("[data-more]") ? row : null;
  }
  function cancelPress() { if (press) clearTimeout(press.timer); press = null; }
  function longPressed(row) {
    cancelPress();
    const more = row.isConnected && row.querySelector("[data-more]");
    if (!more) return;
    if (more.getAttribute("aria-expanded") !== "true") openMenu(more, false);
    swallowTap = true;
    if (navigator.vibrate) navigator.vibrate(10);
  }
  document.addEventListener("touchstart", function (e) {
    swallowTap = false;
    cancelPress();
    const row = e.touches.length === 1 && pressedRow(e);
    if (!row) return;
    const touch = e.touches[0];
    press = { row: row, x: touch.clientX, y: touch.clientY, timer: setTimeout(function () { longPressed(row); }, 500) };
  }, { passive: true });
  document.addEventListener("touchmove", function (e) {
    const touch = press && e.touches[0];
    if (touch && Math.hypot(touch.clientX - press.x, touch.clientY - press.y) > 10) cancelPress();
  }, { passive: true });
  ["touchend", "touchcancel"].forEach(function (type) { document.addEventListener(type, cancelPress, { passive: true }); });
  document.addEventListener("contextmenu", function (e) {
    if (press && pressedRow(e) === press.row) { e.preventDefault(); longPressed(press.row); }
    else if (swallowTap && e.target.closest && e.target.closest("article.message.menu-open")) e.preventDefault();
  });

  // Threads: a pane beside the channel, or over everything on a phone; closing gives focus back to the
  // button that opened it.
  let threadOpener = null;
  document.body.addEventListener("htmx:beforeRequest", function (e) {
    const elt = e.detail.elt, pane = $("thread-pane");
    if (elt && elt.getAttribute && elt.getAttribute("hx-target") === "#thread-pane" && pane && !pane.contains(elt)) {
      threadOpener = elt;
      closeMenu(false);
      document.querySelectorAll(".channel-extras details[open]").forEach(function (d) { d.open = false; });
    }
  });
  function shown(el) { return !!el && el.isConnected && el.getClientRects().length > 0 && !el.closest("[hidden]"); }
  function threadShown(how) { // how: "get" (opened), "swap" (re-rendered, e.g. followed), "load" (with the page)
    const root = openThread(), pane = $("thread-pane");
    behindThread(!!root);
    if (!root) return;
    const scroller = $("thread-scroll");
    watchScroller(scroller);
    markDays($("thread-replies"));
    if (scroller) { scroller.scrollTop = scroller.scrollHeight; stuck.set(scroller, true); }
    if (how === "get" && $("thread-title")) $("thread-title").focus();
    else if (how === "swap" && document.activeElement === document.body && pane) { const f = pane.querySelector(".follow-form button"); if (f) f.focus(); }
    history.replaceState(null, "", location.pathname + "?thread=" + root);
  }
  function closeThread() {
    const root = openThread(), pane = $("thread-pane");
    if (!pane) return;
    pane.innerHTML = "";
    behindThread(false);
    history.replaceState(null, "", location.pathname);
    let back = shown(threadOpener) ? threadOpener : null;
    const row = root && $("m-" + root);
    if (!back && row) back = row.querySelector("[data-thread-link]") || row.querySelector("[data-more]");
    if (!back) back = $("composer-c");
    threadOpener = null;
    if (back) focusInRow(back);
  }
  function behindThread(open) { // on a phone the thread covers the page: what is behind it is inert
    const on = open && phone.matches;
    [document.querySelector(".site-header"), nav, document.querySelector(".chat-channel")].forEach(function (el) { if (el) el.inert = on; });
  }
  if (phone.addEventListener) phone.addEventListener("change", function () { behindThread(!!openThread()); });

  // Composer tools: an attach button for the file input, files pasted or dropped, emoji, growing height.
  function autosize(box) {
    box.style.height = "auto";
    box.style.height = Math.min(box.scrollHeight + 2, 192) + "px";
  }
  function fileInput(form) { return form.querySelector('input[type="file"]'); }
  function setFiles(form, files) {
    const input = fileInput(form);
    if (!input || !window.DataTransfer) return;
    const dt = new DataTransfer();
    files.forEach(function (f) { dt.items.add(f); });
    input.files = dt.files;
    showFiles(form);
  }
  function addFiles(form, files) {
    const input = fileInput(form);
    if (input) setFiles(form, Array.from(input.files).concat(files));
  }
  function showFiles(form) {
    const input = fileInput(form), ul = input && $(input.dataset.filesList);
    if (!ul) return;
    ul.querySelectorAll("img").forEach(function (img) { URL.revokeObjectURL(img.src); });
    ul.textContent = "";
    Array.from(input.files).forEach(function (f, n) {
      const li = document.createElement("li");
      if (f.type.indexOf("image/") === 0) {
        const img = document.createElement("img");
        img.src = URL.createObjectURL(f);
        img.alt = "";
        li.appendChild(img);
      }
      const name = document.createElement("span");
      name.className = "file-name";
      name.textContent = f.name;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "icon-button";
      remove.setAttribute("aria-label", "Remove " + f.name);
      remove.textContent = "✕";
      remove.addEventListener("click", function () {
        setFiles(form, Array.from(input.files).filter(function (_, i) { return i !== n; }));
        const box = form.querySelector("textarea");
        if (box) box.focus();
      });
      li.appendChild(name);
      li.appendChild(remove);
      ul.appendChild(li);
    });
    ul.hidden = input.files.length === 0;
  }
  function composerReset(form) {
    showFiles(form);
    const box = form.querySelector("textarea");
    if (box) box.style.height = "";
  }
  function enhanceComposer(form) {
    if (!form || form.dataset.enhanced) return;
    form.dataset.enhanced = "1";
    form.classList.add("enhanced");
    const input = fileInput(form), attach = form.querySelector("[data-attach]"), box = form.querySelector("textarea");
    if (attach && input) {
      attach.hidden = false;
      attach.addEventListener("click", function () { input.click(); });
      input.addEventListener("change", function () { showFiles(form); });
    }
    if (box) {
      box.addEventListener("input", function () { autosize(box); });
      box.addEventListener("paste", function (e) {
        const files = Array.from((e.clipboardData && e.clipboardData.files) || []);
        if (files.length) { e.preventDefault(); addFiles(form, files); }
      });
    }
  }
  function insertText(box, text) {
    if (!box) return;
    const start = box.selectionStart == null ? box.value.length : box.selectionStart;
    const end = box.selectionEnd == null ? start : box.selectionEnd;
    box.value = box.value.slice(0, start) + text + box.value.slice(end);
    box.focus();
    box.setSelectionRange(start + text.length, start + text.length);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }
  let dragTimer = null, dragPane = null;
  function dragging(pane) {
    if (dragPane && dragPane !== pane) dragPane.classList.remove("dragging");
    dragPane = pane;
    if (pane) pane.classList.add("dragging");
  }
  function dropTarget(e) {
    const pane = e.target.closest && e.target.closest(".chat-thread:not(:empty), .chat-channel");
    const form = pane && pane.querySelector("form.composer");
    return form ? { pane: pane, form: form } : null;
  }
  function hasFiles(e) { return !!e.dataTransfer && Array.from(e.dataTransfer.types || []).indexOf("Files") >= 0; }
  document.addEventListener("dragover", function (e) {
    const t = hasFiles(e) && dropTarget(e);
    if (!t) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
    dragging(t.pane);
    clearTimeout(dragTimer);
    dragTimer = setTimeout(function () { dragging(null); }, 200);
  });
  document.addEventListener("drop", function (e) {
    const t = hasFiles(e) && dropTarget(e);
    dragging(null);
    if (!t) return;
    e.preventDefault();
    addFiles(t.form, Array.from(e.dataTransfer.files));
    const box = t.form.querySelector("textarea");
    if (box) box.focus();
  });

  function reactWith(row, url, emoji) {
    const live = (row && $(row.id)) || row;
    if (!live) return;
    htmx.ajax("POST", url, { source: live, target: live, swap: "outerHTML", values: { emoji: emoji, in_thread: live.id.indexOf("t-") === 0 ? "1" : "" } });
  }

  // Clicks, one listener: More, emoji, close thread, skip link, the drawer on phones.
  document.addEventListener("click", function (e) {
    const t = e.target.closest ? e.target : e.target.parentElement;
    if (swallowTap) { // the finger lifted after a long press: the menu it opened stays open
      swallowTap = false;
      if (!t.closest(".action-menu")) { e.preventDefault(); return; }
    }
    const more = t.closest("[data-more]");
    if (more) {
      if (more.getAttribute("aria-expanded") === "true") closeMenu(false); else openMenu(more, e.detail === 0);
      return;
    }
    const react = t.closest("[data-emoji-react]");
    if (react && window.Leveller.emojiPicker) {
      const row = react.closest("article.message");
      const anchor = react.closest(".action-menu") ? row.querySelector("[data-more]") : react;
      closeMenu(false);
      window.Leveller.emojiPicker.open(anchor, function (emoji) { reactWith(row, react.dataset.emojiReact, emoji); });
      return;
    }
    const insert = t.closest("[data-emoji-insert]");
    if (insert && window.Leveller.emojiPicker) {
      window.Leveller.emojiPicker.open(insert, function (emoji) { insertText($(insert.dataset.emojiInsert), emoji); });
      return;
    }
    if (menuButton && !t.closest(".action-menu")) closeMenu(false);
    if (t.closest("[data-close-thread]")) { e.preventDefault(); closeThread(); return; }
    const skip = t.closest("[data-skip-composer]");
    if (skip && $("composer-c")) { e.preventDefault(); $("composer-c").focus(); return; }
    if (nav && nav.open && phone.matches && !nav.contains(t)) nav.open = false;
    document.querySelectorAll(".popover-details[open], .format-help[open]").forEach(function (d) { if (!d.contains(t)) d.open = false; });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape" || (e.target.closest && e.target.closest(".emoji-picker"))) return;
    if (menuButton) { e.preventDefault(); e.stopPropagation(); closeMenu(true); return; }
    const open = e.target.closest && e.target.closest("details[open]");
    if (open && open !== nav) { e.preventDefault(); e.stopPropagation(); open.open = false; open.querySelector("summary").focus(); return; }
    if (nav && nav.open && phone.matches) { e.preventDefault(); nav.open = false; nav.querySelector("summary").focus(); return; }
    if (openThread() && phone.matches) { e.preventDefault(); e.stopPropagation(); closeThread(); }
  }, true);
  // Up and down arrows move between messages in a list (Tab then reaches a message's actions).
  document.addEventListener("keydown", function (e) {
    if (e.key !== "ArrowUp" && e.key !== "ArrowDown" || e.altKey || e.ctrlKey || e.metaKey) return;
    const from = e.target;
    const pane = from.closest && from.closest(".message-list, .thread-scroll");
    if (!pane || !(from === pane || from.matches("article.message"))) return;
    const rows = Array.from(pane.querySelectorAll("article.message"));
    if (!rows.length) return;
    let i = rows.indexOf(from);
    i = i < 0 ? (e.key === "ArrowUp" ? rows.length - 1 : 0) : Math.max(0, Math.min(rows.length - 1, i + (e.key === "ArrowUp" ? -1 : 1)));
    e.preventDefault();
    rows[i].focus();
    scrollWithin(pane, rows[i], "nearest");
  });

  // Typing, for screen readers: each person is announced once, after a pause, never again while they type.
  const announced = new Set();
  let announceTimer = null;
  function announceTyping(names) {
    if (!names.some(function (n) { return !announced.has(n); })) return;
    clearTimeout(announceTimer);
    announceTimer = setTimeout(function () {
      const fresh = Array.from(typers.keys()).filter(function (n) { return !announced.has(n); });
      const status = $("typing-status");
      if (!fresh.length || !status) return;
      fresh.forEach(function (n) { announced.add(n); });
      status.textContent = fresh.join(", ") + (fresh.length === 1 ? " is typing" : " are typing");
      setTimeout(function () { status.textContent = ""; }, 4000);
    }, 1500);
  }

  function setUpInterface() {
    watchScroller(list);
    markDays(list);
    document.querySelectorAll("form.composer").forEach(enhanceComposer);
    if (window.htmx.onLoad) window.htmx.onLoad(function (el) {
      if (!el.querySelectorAll) return;
      if (el.matches("form.composer")) enhanceComposer(el);
      el.querySelectorAll("form.composer").forEach(enhanceComposer);
    });
    if (openThread()) threadShown("load");
  }

  setUpInterface();

  // Initial position: the highlighted message, else the "new messages" line, else the bottom.
  const target = document.querySelector(".message.highlighted") || $("new-messages");
  if (target) scrollWithin(list, target, "center"); else toBottom();
  document.addEventListener("visibilitychange", function () {
    if (visible() && channelId) { const rows = list ? list.querySelectorAll("article.message") : []; reportRead(rows.length ? Number(rows[rows.length - 1].dataset.messageId) : 0); }
  });
})();
