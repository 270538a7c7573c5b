// Leveller's service worker (served at /sw.js with VERSION, OFFLINE_URL, SHELL, ICON and BADGE prepended).
// It caches the app shell (styles, scripts, icons) and the offline page, never members' pages; shows pushed
// notifications (one per conversation: the tag replaces the last one) and closes them when the push says
// the member has read the conversation elsewhere.
"use strict";
const CACHE = "leveller-shell-" + VERSION;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => Promise.all([
        // The offline page must be there; a shell file that fails is fetched again when first used.
        cache.add(new Request(OFFLINE_URL, { cache: "reload", credentials: "omit" })),
        Promise.allSettled(SHELL.map((url) => cache.add(url))),
      ]))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("leveller-shell-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function isShell(url) {
  return url.origin === self.location.origin && url.pathname.startsWith("/static/");
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (request.mode === "navigate") {
    // Pages always come from the network; only when it fails does the offline page answer.
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE_URL, { ignoreSearch: true })));
    return;
  }
  if (isShell(url)) {
    // Stale-while-revalidate: the cached copy at once, a fresh one for next time.
    event.respondWith(
      caches.open(CACHE).then((cache) =>
        cache.match(request).then((cached) => {
          const fresh = fetch(request)
            .then((response) => { if (response.ok) cache.put(request, response.clone()); return response; })
            .catch(() => cached);
          return cached || fresh;
        })
      )
    );
  }
});

function setBadge(unread) {
  if (typeof unread !== "number" || !self.navigator.setAppBadge) return Promise.resolve();
  return (unread > 0 ? self.navigator.setAppBadge(unread) : self.navigator.clearAppBadge()).catch(() => {});
}

async function withdraw(tag) {
  const shown = await self.registration.getNotifications(tag ? { tag } : {});
  shown.forEach((n) => n.close());
}

async function show(data) {
  await self.registration.showNotification(data.title || "Leveller", {
    body: data.body || "",
    tag: data.tag || undefined,
    renotify: Boolean(data.tag),
    icon: ICON,
    badge: BADGE,
    timestamp: data.sent_at ? Date.parse(data.sent_at) : Date.now(),
    data: { url: data.url || "/", tag: data.tag, kind: data.kind },
  });
}

self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (err) { data = { title: "Leveller", body: event.data.text() }; }
  const work = data.action === "withdraw" ? withdraw(data.tag) : show(data);
  event.waitUntil(Promise.all([work, setBadge(data.unread)]));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => w.url === target) || windows.find((w) => new URL(w.url).origin === self.location.origin);
      if (open) return (open.url === target ? open.focus() : open.focus().then((w) => w.navigate(target)));
      return self.clients.openWindow(target);
    })
  );
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "badge") event.waitUntil(setBadge(data.unread));
  if (data.type === "withdraw") event.waitUntil(withdraw(data.tag));
});

self.addEventListener("pushsubscriptionchange", (event) => {
  // The push service replaced the subscription: tell the server the new one (the session cookie says who).
  event.waitUntil(
    (async () => {
      const key = await fetch("/api/v1/push/key", { credentials: "same-origin" }).then((r) => r.json());
      const subscription = await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key.public_key });
      const csrf = self.cookieStore ? await self.cookieStore.get("csrftoken") : null;
      await fetch("/api/v1/push/subscriptions", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
        body: JSON.stringify(subscription.toJSON()),
      });
    })().catch(() => {})
  );
});
