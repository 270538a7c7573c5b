// The organiser page follows its group's membership stream so the members table refreshes itself.
(function () {
  const section = document.querySelector("[data-group-stream]");
  if (!section) return;
  document.addEventListener("leveller:connected", function () {
    if (window.Leveller && window.Leveller.realtime) window.Leveller.realtime.subscribe(section.dataset.groupStream);
  });
})();
