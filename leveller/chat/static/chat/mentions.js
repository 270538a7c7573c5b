// Composer autocomplete: after "@", suggest people, groups and @here/@channel (GET /chat/c/<id>/mentions/?q=).
// The textarea keeps focus; arrow keys move the highlighted option (its aria-activedescendant), Enter or Tab
// inserts it, Escape closes the list. Without JavaScript the composer works as before.
(function () {
  "use strict";
  let box = null, list = null, status = null, items = [], active = -1, timer = null, asked = 0;

  function partial(textarea) {
    const found = /(?:^|[^\w@])@([\w.-]{0,60})$/u.exec(textarea.value.slice(0, textarea.selectionStart));
    return found ? found[1] : null;
  }
  function close() {
    if (!list) return;
    list.hidden = true; list.textContent = ""; items = []; active = -1;
    box.removeAttribute("aria-activedescendant");
  }
  function highlight(i) {
    active = i;
    items.forEach(function (li, n) { li.setAttribute("aria-selected", n === i ? "true" : "false"); });
    if (i >= 0) box.setAttribute("aria-activedescendant", items[i].id); else box.removeAttribute("aria-activedescendant");
  }
  function show(results) {
    list.textContent = "";
    items = results.map(function (r, n) {
      const li = document.createElement("li");
      li.id = list.id + "-" + n;
      li.setAttribute("role", "option");
      li.dataset.handle = r.handle;
      li.textContent = r.kind === "special" ? r.label : "@" + r.handle + " · " + r.label;
      li.addEventListener("mousedown", function (e) { e.preventDefault(); insert(r.handle); });
      list.appendChild(li);
      return li;
    });
    list.hidden = items.length === 0;
    highlight(items.length ? 0 : -1);
    if (status) status.textContent = items.length ? items.length + " suggestions: up and down arrows to choose, Enter to insert." : "";
  }
  function insert(handle) {
    const caret = box.selectionStart, before = box.value.slice(0, caret);
    const at = before.lastIndexOf("@");
    box.value = before.slice(0, at) + "@" + handle + " " + box.value.slice(caret);
    box.setSelectionRange(at + handle.length + 2, at + handle.length + 2);
    close();
  }
  document.addEventListener("input", function (e) {
    const t = e.target;
    if (!t.matches || !t.matches("textarea[data-mentions]")) return;
    if (box && box !== t) close();
    box = t;
    list = document.getElementById(t.getAttribute("aria-controls"));
    status = document.getElementById(list.id + "-status");
    const q = partial(t), mine = ++asked;
    clearTimeout(timer);
    if (q === null) { close(); return; }
    timer = setTimeout(function () {
      fetch(t.dataset.mentions + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (mine === asked && box === t) show(data.results); });
    }, 150);
  });
  document.addEventListener("keydown", function (e) {
    if (!list || list.hidden || e.target !== box) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") highlight((active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length);
    else if ((e.key === "Enter" || e.key === "Tab") && active >= 0) insert(items[active].dataset.handle);
    else if (e.key === "Escape") close();
    else return;
    e.preventDefault();
    e.stopPropagation(); // before chat.js: Enter must not send, Escape must not close the thread
  }, true);
  document.addEventListener("focusout", function (e) { if (e.target === box) close(); });
})();
