// Leveller in every page: registers the service worker (installable app, offline page, push), keeps the
// unread count in the tab title and on the app icon, and offers Leveller.push for the notification settings.
(function () {
  "use strict";
  const body = document.body;
  const memberId = body && body.dataset.memberId;
  window.Leveller = window.Leveller || {};

  const ready = "serviceWorker" in navigator
    ? navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(() => navigator.serviceWorker.ready)
    : Promise.reject(new Error("This browser has no service workers."));
  ready.catch(() => {});
  if (!memberId) return;

  function csrf() {
    try { return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }
  function api(method, path, payload) {
    return fetch("/api/v1/push" + path, {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    }).then(function (r) {
      if (!r.ok) return r.json().catch(() => ({})).then((e) => { throw new Error(e.detail || ("HTTP " + r.status)); });
      return r.status === 204 ? null : r.json();
    });
  }

  // --- Unread count: "(3) Chat · Leveller" and the app icon's badge -----------------------------------
  const baseTitle = document.title.replace(/^\(\d+\)\s+/, "");
  let shownUnread = null;
  function showUnread(unread) {
    shownUnread = unread;
    const current = document.title.replace(/^\(\d+\)\s+/, "") || baseTitle;
    document.title = unread > 0 ? "(" + unread + ") " + current : current;
    body.dataset.unread = String(unread);
    if (navigator.setAppBadge) (unread > 0 ? navigator.setAppBadge(unread) : navigator.clearAppBadge()).catch(() => {});
  }
  let timer = null;
  function refreshUnread() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      api("GET", "/unread").then((r) => showUnread(r.unread)).catch(() => {});
    }, 150);
  }
  // Chat's events carry the member's count as `badge`; only a (re)connection or a tab coming back asks.
  ["notification.created", "channel.read", "thread.read"].forEach(function (type) {
    document.addEventListener("leveller:" + type, function (e) {
      if (typeof e.detail.badge === "number") showUnread(e.detail.badge);
      else refreshUnread();
    });
  });
  document.addEventListener("leveller:connected", refreshUnread);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refreshUnread(); });
  refreshUnread();

  // --- Push subscriptions for this device ------------------------------------------------------------
  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }
  function deviceLabel() {
    const ua = navigator.userAgent;
    const os = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iPhone or iPad" : /Mac OS/.test(ua) ? "Mac"
      : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : "this device";
    const browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrom/.test(ua) ? "Chrome"
      : /Safari\//.test(ua) ? "Safari" : "a browser";
    return browser + " on " + os;
  }
  async function current() {
    if (!supported()) return null;
    const registration = await ready;
    return registration.pushManager.getSubscription();
  }
  async function subscribe() {
    if (!supported()) throw new Error("This browser cannot receive notifications. On an iPhone, add Leveller to the Home Screen first.");
    const permission = await Notification.requestPermission();
    if (permission !== "granted") throw new Error("Notifications are blocked for this site: allow them in the browser's site settings.");
    const registration = await ready;
    const key = await api("GET", "/key");
    let subscription = await registration.pushManager.getSubscription();
    if (!subscription) {
      subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key.public_key });
    }
    const saved = await api("POST", "/subscriptions", Object.assign(subscription.toJSON(), { label: deviceLabel() }));
    try { localStorage.setItem("leveller:push-device", String(saved.id)); } catch (e) { /* private mode */ }
    return saved;
  }
  async function unsubscribe() {
    const subscription = await current();
    if (!subscription) return null;
    await api("DELETE", "/subscriptions", subscription.toJSON());
    await subscription.unsubscribe();
    try { localStorage.removeItem("leveller:push-device"); } catch (e) { /* private mode */ }
    return null;
  }
  window.Leveller.push = { supported: supported, current: current, subscribe: subscribe, unsubscribe: unsubscribe, unread: () => shownUnread };
})();
