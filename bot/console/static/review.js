// The empathy review in the console's side panel: a colleague's reply from a recently
// resolved chat, with the message it answers, rated on the five criteria of the
// automatic scorecard (docs/console.md, Empathy QA). Uses window.ConsoleKit.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const { el, flash, api, attempt } = window.ConsoleKit;

  const QA_LABELS = {
    acknowledged: "acknowledges how the customer feels",
    reflected: "takes up their concern",
    specific: "gives specific help",
    personal: "is personal, not a form letter",
    calm: "keeps a calm tone",
  };
  let qaSample = null;

  async function startReview() {
    const sample = await attempt(() => api("GET", "qa/sample"));
    const form = $("qa-form");
    if (!sample) {
      form.hidden = true;
      return;
    }
    qaSample = sample;
    $("qa-customer").textContent = sample.customer.text;
    $("qa-agent").textContent = (sample.agent || "An agent") + " replied:";
    $("qa-reply").textContent = sample.reply;
    const box = $("qa-criteria");
    for (const old of box.querySelectorAll("label")) old.remove();
    for (const c of sample.criteria) {
      const input = el("input", { testid: "qa-criterion", attrs: { type: "checkbox", value: c } });
      box.appendChild(el("label", {}, [input, el("span", { text: " " + (QA_LABELS[c] || c) })]));
    }
    form.hidden = false;
  }

  async function saveReview(event) {
    event.preventDefault();
    if (!qaSample) return;
    const met = {};
    for (const input of $("qa-criteria").querySelectorAll("input")) met[input.value] = input.checked;
    const saved = await attempt(() => api("POST", "qa/ratings", { conversation: qaSample.conversation, entry: qaSample.entry, met }));
    if (saved) {
      flash("Thanks, your rating is saved.", "ok");
      $("qa-form").hidden = true;
      qaSample = null;
    }
  }

  $("qa-start").addEventListener("click", startReview);
  $("qa-form").addEventListener("submit", saveReview);
})();
