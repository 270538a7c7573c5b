// An emoji picker: every Unicode emoji (emoji.json, written from the `emoji` package by `leveller chat_emoji`),
// a search box and the viewer's recently used ones (kept in this browser). One picker for the whole page:
// Leveller.emojiPicker.open(anchorButton, function (emoji) { ... }). Arrow keys move in the grid, Enter picks,
// Escape closes and gives focus back to the button that opened it.
(function () {
  "use strict";
  const RECENT_KEY = "leveller.emoji.recent";
  const RECENT_MAX = 24;
  const DATA_URL = (document.currentScript && document.currentScript.dataset.emoji) || "/static/chat/emoji.json";
  let data = null, loading = null, picker = null, search = null, grid = null, recentGrid = null, recentBox = null;
  let preview = null, empty = null, anchor = null, onPick = null, buttons = [];

  function load() {
    if (data) return Promise.resolve(data);
    if (!loading) {
      loading = fetch(DATA_URL, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .catch(function () { return []; })
        .then(function (rows) { data = rows; return rows; });
    }
    return loading;
  }
  function recent() {
    try { return JSON.parse(localStorage.getItem(RECENT_KEY) || "[]").filter(function (e) { return typeof e === "string"; }); } catch (e) { return []; }
  }
  function remember(emoji) {
    const list = [emoji].concat(recent().filter(function (e) { return e !== emoji; })).slice(0, RECENT_MAX);
    try { localStorage.setItem(RECENT_KEY, JSON.stringify(list)); } catch (e) { /* private mode: no memory */ }
  }
  const names = {};
  function emojiButton(emoji, name, keywords) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = emoji;
    b.dataset.emoji = emoji;
    b.dataset.search = (name + " " + (keywords || "")).toLowerCase();
    b.setAttribute("aria-label", name);
    b.title = name;
    b.tabIndex = -1;
    return b;
  }

  function build() {
    picker = document.createElement("div");
    picker.className = "emoji-picker";
    picker.id = "emoji-picker";
    picker.setAttribute("role", "dialog");
    picker.setAttribute("aria-label", "Choose an emoji");
    picker.hidden = true;
    picker.innerHTML =
      '<div class="emoji-picker-head"><label class="visually-hidden" for="emoji-search">Search emoji</label>' +
      '<input type="search" id="emoji-search" placeholder="Search emoji" autocomplete="off">' +
      '<button type="button" class="icon-button" data-emoji-close aria-label="Close the emoji picker">✕</button></div>' +
      '<div class="emoji-scroll"><div data-recent><h3 id="emoji-recent-title">Recently used</h3>' +
      '<div class="emoji-grid" role="group" aria-labelledby="emoji-recent-title" data-recent-grid></div></div>' +
      '<h3 id="emoji-all-title">All emoji</h3><div class="emoji-grid" role="group" aria-labelledby="emoji-all-title" data-all-grid></div>' +
      '<p class="emoji-empty" hidden>No emoji match.</p></div>' +
      '<div class="emoji-preview" aria-hidden="true"></div><span class="visually-hidden" role="status" data-emoji-status></span>';
    document.body.appendChild(picker);
    search = picker.querySelector("input");
    grid = picker.querySelector("[data-all-grid]");
    recentGrid = picker.querySelector("[data-recent-grid]");
    recentBox = picker.querySelector("[data-recent]");
    preview = picker.querySelector(".emoji-preview");
    empty = picker.querySelector(".emoji-empty");
    const frag = document.createDocumentFragment();
    buttons = data.map(function (row) {
      names[row[0]] = row[1];
      const b = emojiButton(row[0], row[1], row[2]);
      frag.appendChild(b);
      return b;
    });
    grid.appendChild(frag);

    search.addEventListener("input", filter);
    search.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || (e.key === "Enter" && search.value)) {
        const first = visibleButtons()[0];
        if (first) {
          e.preventDefault();
          if (e.key === "Enter") pick(first.dataset.emoji); else focusButton(first);
        }
      }
    });
    picker.addEventListener("click", function (e) {
      const b = e.target.closest("button[data-emoji]");
      if (b) pick(b.dataset.emoji);
      else if (e.target.closest("[data-emoji-close]")) close(true);
    });
    picker.addEventListener("focusin", function (e) { if (e.target.dataset.emoji) preview.textContent = e.target.dataset.emoji + " " + e.target.title; });
    picker.addEventListener("mouseover", function (e) { const b = e.target.closest && e.target.closest("button[data-emoji]"); if (b) preview.textContent = b.dataset.emoji + " " + b.title; });
    picker.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", function (e) {
      if (!picker.hidden && !picker.contains(e.target) && !(anchor && anchor.contains(e.target))) close(false);
    }, true);
  }
  function visibleButtons() {
    const inRecent = recentBox.hidden ? [] : Array.from(recentGrid.children);
    return inRecent.concat(buttons.filter(function (b) { return !b.hidden; }));
  }
  function filter() {
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    buttons.forEach(function (b) {
      const ok = words.every(function (w) { return b.dataset.search.indexOf(w) >= 0 || b.dataset.emoji === w; });
      b.hidden = !ok;
      if (ok) shown++;
    });
    recentBox.hidden = words.length > 0 || recentGrid.children.length === 0;
    empty.hidden = shown > 0;
    picker.querySelector("[data-emoji-status]").textContent = words.length ? shown + (shown === 1 ? " emoji" : " emoji") + " found" : "";
    resetRoving();
  }
  function resetRoving() {
    visibleButtons().forEach(function (b, n) { b.tabIndex = n === 0 ? 0 : -1; });
  }
  function focusButton(b) {
    picker.querySelectorAll(".emoji-grid button[tabindex='0']").forEach(function (o) { o.tabIndex = -1; });
    b.tabIndex = 0;
    b.focus();
    b.scrollIntoView({ block: "nearest" });
  }
  function onKey(e) {
    if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); close(true); return; }
    const b = e.target.closest && e.target.closest("button[data-emoji]");
    if (!b) return;
    const list = visibleButtons(), i = list.indexOf(b);
    if (i < 0) return;
    const top = b.offsetTop, parent = b.parentNode;
    const perRow = Math.max(1, Array.from(parent.children).filter(function (o) { return !o.hidden && o.offsetTop === parent.firstElementChild.offsetTop; }).length);
    let next = null;
    if (e.key === "ArrowRight") next = list[i + 1];
    else if (e.key === "ArrowLeft") next = list[i - 1];
    else if (e.key === "ArrowDown") next = list[Math.min(list.length - 1, i + perRow)];
    else if (e.key === "ArrowUp") next = i - perRow >= 0 ? list[i - perRow] : null;
    else if (e.key === "Home") next = list[0];
    else if (e.key === "End") next = list[list.length - 1];
    else return;
    e.preventDefault();
    if (next) focusButton(next); else if (e.key === "ArrowUp" && top <= list[0].offsetTop) search.focus();
  }
  function showRecent() {
    recentGrid.textContent = "";
    recent().forEach(function (emoji) { recentGrid.appendChild(emojiButton(emoji, names[emoji] || emoji, "")); });
    recentBox.hidden = recentGrid.children.length === 0;
  }
  function place() {
    if (window.matchMedia("(max-width: 48rem)").matches || !anchor) { picker.style.left = ""; picker.style.top = ""; return; }
    const r = anchor.getBoundingClientRect(), w = picker.offsetWidth, h = picker.offsetHeight;
    const left = Math.max(8, Math.min(window.innerWidth - w - 8, r.right - w));
    const top = r.top - h - 6 >= 8 ? r.top - h - 6 : Math.min(window.innerHeight - h - 8, r.bottom + 6);
    picker.style.left = left + "px";
    picker.style.top = Math.max(8, top) + "px";
  }
  function pick(emoji) {
    remember(emoji);
    const callback = onPick;
    close(true);
    if (callback) callback(emoji);
  }
  function close(restoreFocus) {
    if (!picker || picker.hidden) return;
    picker.hidden = true;
    if (anchor) anchor.setAttribute("aria-expanded", "false");
    if (restoreFocus && anchor && anchor.isConnected) focusBack(anchor);
    anchor = null; onPick = null;
  }
  function focusBack(button) { // a message's action bar is hidden unless the message has focus: show it first
    const row = button.closest("article.message");
    if (row) {
      row.classList.add("actions-shown");
      button.addEventListener("blur", function () { row.classList.remove("actions-shown"); }, { once: true });
    }
    button.focus();
  }
  function open(button, callback) {
    if (picker && !picker.hidden && anchor === button) { close(true); return; }
    load().then(function () {
      if (!picker) build();
      close(false);
      anchor = button; onPick = callback;
      button.setAttribute("aria-expanded", "true");
      button.setAttribute("aria-controls", "emoji-picker");
      search.value = "";
      showRecent();
      filter();
      preview.textContent = "";
      picker.hidden = false;
      place();
      picker.querySelector(".emoji-scroll").scrollTop = 0;
      search.focus();
    });
  }
  window.Leveller = window.Leveller || {};
  window.Leveller.emojiPicker = { open: open, close: close, isOpen: function () { return !!picker && !picker.hidden; } };
})();
