// Leveller realtime client: one websocket per tab, resumable from the last event id.
// Pages listen for DOM events: document.addEventListener("leveller:message.created", e => e.detail).
// A "leveller:resync" event means too much was missed: the page should refetch what it shows.
(function () {
  "use strict";
  const memberId = document.body && document.body.dataset.memberId;
  if (!memberId || !("WebSocket" in window)) return;

  const storageKey = "leveller:last-event:" + memberId;
  const seen = new Set();
  const seenOrder = [];
  let lastEventId = Number(sessionStorage.getItem(storageKey) || 0);
  // A page may name the event it was rendered at (it may come from a short cache): catch up from there.
  const rendered = document.querySelector("[data-rendered-at-event]");
  const renderedAt = rendered ? Number(rendered.dataset.renderedAtEvent) : 0;
  if (renderedAt > 0 && (lastEventId === 0 || renderedAt < lastEventId)) lastEventId = renderedAt;
  let socket = null;
  let retry = 0;
  let floor = null; // the last event id when this page loaded: the page already shows everything up to it
  const pending = [];

  function remember(id) {
    seen.add(id); seenOrder.push(id);
    if (seenOrder.length > 5000) seen.delete(seenOrder.shift());
    if (id > lastEventId) { lastEventId = id; sessionStorage.setItem(storageKey, String(id)); }
  }

  function dispatch(message) {
    if (typeof message.event_id === "number") {
      if (seen.has(message.event_id)) return;
      remember(message.event_id);
    }
    document.dispatchEvent(new CustomEvent("leveller:" + message.type, { detail: message }));
    document.dispatchEvent(new CustomEvent("leveller:any", { detail: message }));
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    else pending.push(message);
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/");
    socket.addEventListener("open", function () {
      retry = 0;
      document.documentElement.dataset.realtime = "open";
      while (pending.length) socket.send(JSON.stringify(pending.shift()));
    });
    socket.addEventListener("message", function (e) {
      let message;
      try { message = JSON.parse(e.data); } catch (err) { return; }
      if (message.type === "hello") {
        if (floor === null) floor = message.last_event_id || 0;
        // Say what we have of the last few seconds, so the server sends only what we lack.
        if (lastEventId > 0) socket.send(JSON.stringify({ type: "resume", after: lastEventId, have: seenOrder.slice(-1000), floor: floor }));
        else { lastEventId = message.last_event_id || 0; sessionStorage.setItem(storageKey, String(lastEventId)); }
        document.dispatchEvent(new CustomEvent("leveller:connected", { detail: message }));
        return;
      }
      if (message.type === "resync") {
        lastEventId = message.last_event_id || 0;
        sessionStorage.setItem(storageKey, String(lastEventId));
      }
      dispatch(message);
    });
    socket.addEventListener("close", function (e) {
      document.documentElement.dataset.realtime = "closed";
      if (e.code === 4401 || e.code === 4403) return; // logged out or deactivated
      const delay = Math.min(30000, 500 * Math.pow(2, retry++)) * (0.5 + Math.random());
      setTimeout(connect, delay);
    });
  }

  window.Leveller = window.Leveller || {};
  window.Leveller.realtime = {
    send: send,
    subscribe: function (stream) { send({ type: "subscribe", stream: stream }); },
    lastEventId: function () { return lastEventId; },
    reconnect: function () { if (socket) socket.close(); },
  };
  connect();
})();
