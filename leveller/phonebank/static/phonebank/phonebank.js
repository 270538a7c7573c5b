// Phonebank pages: live fragments (dashboard, uploads) and conditional survey questions.
(function () {
  "use strict";

  // A [data-stream] block follows its campaign stream and refetches itself when a hint arrives.
  document.querySelectorAll("[data-stream][data-refresh]").forEach(function (block) {
    let busy = false, again = false;
    function refresh() {
      if (busy) { again = true; return; }
      busy = true;
      fetch(block.dataset.refresh, { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) block.innerHTML = html; })
        .finally(function () { busy = false; if (again) { again = false; refresh(); } });
    }
    function subscribe() { if (window.Leveller && window.Leveller.realtime) window.Leveller.realtime.subscribe(block.dataset.stream); }
    (block.dataset.events || "").split(" ").forEach(function (type) {
      document.addEventListener("leveller:" + type, function (e) {
        if (e.detail && e.detail.stream === block.dataset.stream) refresh();
      });
    });
    document.addEventListener("leveller:connected", function () { subscribe(); refresh(); });
    document.addEventListener("leveller:resync", refresh);
    subscribe();
  });

  // Survey: show a conditional question only after the answer it depends on.
  const form = document.getElementById("outcome-form");
  if (form) {
    const conditional = form.querySelectorAll("[data-show-if]");
    function update() {
      conditional.forEach(function (fieldset) {
        const inputs = form.querySelectorAll('[name="answer-' + fieldset.dataset.showIf + '"]');
        let shown = false;
        inputs.forEach(function (input) {
          if ((input.type === "radio" || input.type === "checkbox") ? input.checked && input.value === fieldset.dataset.showAnswer : input.value === fieldset.dataset.showAnswer) shown = true;
        });
        fieldset.hidden = !shown;
      });
      // Number the questions shown 1, 2, 3 …: hidden ones take no number.
      let n = 0;
      form.querySelectorAll(".pb-q").forEach(function (fieldset) {
        const number = fieldset.querySelector(".pb-q-number");
        if (!fieldset.hidden && number) number.textContent = (++n) + ".";
      });
    }
    form.addEventListener("change", update);
    update();
  }
})();
