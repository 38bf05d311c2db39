// The phrase guide (docs/console.md, "Training"): the emotion lexicon by feeling and
// intensity and the approved replies by situation, filtered as one types. Every text
// is set with textContent. Uses window.ConsoleKit (kit.js).
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const { el, clear, api, attempt } = window.ConsoleKit;
  const BAND = { strong: "Strong", clear: "Clear", mild: "Mild" };

  function renderFeelings(feelings) {
    const box = $("feelings");
    clear(box);
    for (const f of feelings) {
      const block = el("section", { cls: "feeling", testid: "guide-feeling", attrs: { "aria-label": f.title } }, [
        el("h3", { text: f.title }),
      ]);
      block.dataset.search = (f.emotion + " " + f.title).toLowerCase();
      for (const band of f.bands) {
        const list = el("ul", { cls: "terms" });
        for (const term of band.terms) {
          const item = el("li", { testid: "guide-term", text: term });
          item.dataset.search = term.toLowerCase();
          list.appendChild(item);
        }
        const part = el("div", { cls: "band", testid: "guide-band" }, [el("h4", { text: BAND[band.intensity] || band.intensity }), list]);
        block.appendChild(part);
      }
      if (f.emoji.length) {
        const item = el("p", { cls: "small emoji", testid: "guide-emoji", text: "Emoji: " + f.emoji.join(" ") });
        block.appendChild(item);
      }
      box.appendChild(block);
    }
  }

  function renderSituations(situations) {
    const box = $("situations");
    clear(box);
    for (const s of situations) {
      const list = el("ul", { cls: "guide-replies" });
      for (const r of s.replies) {
        const meta = "for " + r.emotions.join(", ") + (r.shortcut ? " · shortcut " + r.shortcut : "");
        const item = el("li", { testid: "guide-reply" }, [
          el("span", { cls: "situation", text: r.situation }),
          el("span", { text: r.text }),
          el("span", { cls: "meta", text: meta }),
        ]);
        item.dataset.search = [r.situation, r.text, r.emotions.join(" "), r.shortcut, s.title].join(" ").toLowerCase();
        list.appendChild(item);
      }
      const block = el("section", { cls: "topic", testid: "guide-topic", attrs: { "aria-label": s.title } }, [el("h3", { text: s.title }), list]);
      box.appendChild(block);
    }
  }

  // hide what does not contain every word typed; a feeling's name shows all its words
  function filter() {
    const words = $("guide-search").value.toLowerCase().split(/\s+/).filter(Boolean);
    const has = (text) => words.every((w) => text.includes(w));
    let terms = 0;
    let replies = 0;
    for (const block of document.querySelectorAll("[data-testid=guide-feeling]")) {
      const whole = words.length > 0 && has(block.dataset.search);
      let shown = 0;
      for (const band of block.querySelectorAll("[data-testid=guide-band]")) {
        let inBand = 0;
        for (const item of band.querySelectorAll("li")) {
          item.hidden = !(whole || has(item.dataset.search));
          if (!item.hidden) inBand += 1;
        }
        band.hidden = inBand === 0;
        shown += inBand;
      }
      const emoji = block.querySelector("[data-testid=guide-emoji]");
      if (emoji) emoji.hidden = words.length > 0 && !whole;
      block.hidden = shown === 0;
      terms += shown;
    }
    for (const block of document.querySelectorAll("[data-testid=guide-topic]")) {
      let shown = 0;
      for (const item of block.querySelectorAll("li")) {
        item.hidden = !has(item.dataset.search);
        if (!item.hidden) shown += 1;
      }
      block.hidden = shown === 0;
      replies += shown;
    }
    $("guide-count").textContent = terms + (terms === 1 ? " word or phrase, " : " words and phrases, ") +
      replies + (replies === 1 ? " reply" : " replies") + " shown";
    $("guide-none").hidden = terms + replies > 0;
  }

  async function init() {
    const guide = await attempt(() => api("GET", "guide"));
    if (!guide) return;
    renderFeelings(guide.feelings);
    renderSituations(guide.situations);
    $("intensifiers").textContent = guide.intensifiers.join(", ");
    $("guide-search").addEventListener("input", filter);
    filter();
    document.body.dataset.ready = "true";
  }

  init();
})();
