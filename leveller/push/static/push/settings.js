// The notification settings page: turn push on or off for this device (through Leveller.push in app.js).
(function () {
  "use strict";
  const state = document.getElementById("push-state");
  const on = document.getElementById("push-on");
  const off = document.getElementById("push-off");
  function show(subscribed, note) {
    on.hidden = subscribed; off.hidden = !subscribed;
    state.textContent = note || (subscribed ? "This device gets notifications." : "This device does not get notifications.");
  }
  function failed(error) { state.textContent = error.message; }
  function start() {
    const push = window.Leveller && window.Leveller.push;
    if (!push) return setTimeout(start, 50);
    if (!push.supported()) { state.textContent = "This browser cannot get notifications. On an iPhone, add " + document.title.split(" · ").pop() + " to the Home Screen first."; return; }
    push.current().then((s) => show(Boolean(s))).catch(failed);
    on.addEventListener("click", function () {
      state.textContent = "Asking the browser…";
      push.subscribe().then(() => { show(true); location.reload(); }).catch(failed);
    });
    off.addEventListener("click", function () {
      push.unsubscribe().then(() => { show(false); location.reload(); }).catch(failed);
    });
  }
  start();
})();
