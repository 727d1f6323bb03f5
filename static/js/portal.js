// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";

  function copyText(button) {
    var block = button.closest(".code-block");
    var code = block && block.querySelector("pre code, pre");
    if (!code) return;
    var text = code.innerText.replace(/\n$/, "");
    var done = function () {
      button.textContent = "Copied";
      button.classList.add("copied");
      setTimeout(function () {
        button.textContent = "Copy";
        button.classList.remove("copied");
      }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text, done); });
    } else {
      fallbackCopy(text, done);
    }
  }

  // For pages served over plain http, where the Clipboard API is unavailable.
  function fallbackCopy(text, done) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { if (document.execCommand("copy")) done(); } finally { area.remove(); }
  }

  function enhance(root) {
    root.querySelectorAll("[data-copy][hidden]").forEach(function (button) {
      button.hidden = false;
      button.setAttribute("aria-label", "Copy this code");
    });
    root.querySelectorAll("[data-copy-link][hidden], [data-map-tools][hidden]").forEach(function (el) {
      el.hidden = false;
    });
    markWideCode(root);
  }

  // A command wider than its box says so in its bar, next to Copy: phones hide
  // scroll bars, and a cut-off command looks complete.
  function markWideCode(root) {
    root.querySelectorAll(".code-block").forEach(function (block) {
      var pre = block.querySelector("pre");
      var bar = block.querySelector(".code-bar");
      if (!pre || !bar) return;
      var hint = bar.querySelector(".scroll-hint");
      var wide = pre.scrollWidth > pre.clientWidth + 1;
      if (wide && !hint) {
        hint = document.createElement("span");
        hint.className = "scroll-hint";
        hint.textContent = "Scroll sideways \u2192";
        bar.insertBefore(hint, bar.querySelector(".copy-button"));
      } else if (!wide && hint) {
        hint.remove();
      }
    });
  }
  var resizing;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { markWideCode(document); }, 150);
  });

  function copyLink(button) {
    var text = button.getAttribute("data-copy-link");
    var label = button.textContent;
    var done = function () {
      button.textContent = "Link copied";
      setTimeout(function () { button.textContent = label; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text, done); });
    } else {
      fallbackCopy(text, done);
    }
  }

  // The map opens on the customer's step: in the picture (scrolled inside its frame) or
  // in the list that phones show instead, whichever this screen shows.
  function showMapStep() {
    var shown = Array.prototype.filter.call(
      document.querySelectorAll(".flowchart-map [aria-current='step'], .map-list [aria-current='step']"),
      function (el) { return el.getClientRects().length > 0; });
    if (shown.length) shown[0].scrollIntoView({ block: "center", inline: "center" });
  }

  function zoomMap(button) {
    var svg = document.querySelector(".flowchart-map");
    var frame = document.querySelector(".map-frame");
    if (!svg || !frame) return;
    var natural = parseFloat(svg.getAttribute("data-width") || svg.getAttribute("width"));
    svg.setAttribute("data-width", natural);
    var current = svg.getBoundingClientRect().width;
    var factor = button.getAttribute("data-zoom");
    var width = factor === "fit" ? frame.clientWidth - 2 : current * parseFloat(factor);
    // Fit always fits, however wide the chart has grown; zooming stays within bounds.
    if (factor !== "fit") width = Math.max(natural * 0.25, Math.min(natural * 3, width));
    svg.setAttribute("width", Math.round(width));
    svg.removeAttribute("height");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (button) copyText(button);
    var link = event.target.closest("[data-copy-link]");
    if (link) copyLink(link);
    var zoom = event.target.closest("[data-zoom]");
    if (zoom) zoomMap(zoom);
  });

  // Anonymous counts of what a page showed and what was chosen in it. What a page
  // records is in its markup: an element with data-event (the kind), data-event-subject
  // and data-event-version, and answers marked data-event-answer. Pages are cached for
  // everyone, so the counts are sent from here, only once the page is really shown
  // (not while prerendered or opened in a background tab), queued in memory and sent in
  // one beacon when the page is hidden or left. No cookie, nothing about the visitor.
  var events = [];
  var counted = typeof WeakSet === "function" ? new WeakSet() : null;
  var MAX_BATCH = 50;
  var SEARCH_KEY = "portal-last-search";
  var SEARCH_TTL = 60 * 60 * 1000;

  function queue(kind, subject, detail, version) {
    if (events.length >= MAX_BATCH) return;
    var event = { kind: kind, subject: subject || "", detail: detail || "" };
    var number = parseInt(version, 10);
    if (number > 0) event.version = number;
    events.push(event);
  }

  function each(root, selector, fn) {
    if (root.matches && root.matches(selector)) fn(root);
    if (root.querySelectorAll) root.querySelectorAll(selector).forEach(fn);
  }

  function countShown(root) {
    if (!counted) return;
    each(root, "[data-event]", function (el) {
      if (counted.has(el)) return;
      counted.add(el);
      queue(el.getAttribute("data-event"), el.getAttribute("data-event-subject"),
            el.getAttribute("data-event-detail"), el.getAttribute("data-event-version"));
    });
    // A search shown: remembered in this tab only, as the server masked it, so a ticket
    // sent afterwards can say a search came before it.
    each(root, "[data-search-query]", function (el) {
      try {
        sessionStorage.setItem(SEARCH_KEY, JSON.stringify(
          { q: el.getAttribute("data-search-query"), at: Date.now() }));
      } catch (e) { /* storage refused: nothing is counted */ }
    });
    each(root, "[data-search-ticket]", function (el) {
      if (counted.has(el)) return;
      counted.add(el);
      try {
        var search = JSON.parse(sessionStorage.getItem(SEARCH_KEY) || "null");
        sessionStorage.removeItem(SEARCH_KEY);
        if (search && typeof search.q === "string" && Date.now() - search.at < SEARCH_TTL) {
          queue("search_ticket", "", search.q);
        }
      } catch (e) { /* storage refused or unreadable: nothing is counted */ }
    });
  }

  function shown() {
    return document.visibilityState === "visible" && !document.prerendering;
  }

  // Content that arrived while the page was not shown waits until it is.
  var unseen = [];
  function whenShown(root) {
    if (shown()) countShown(root);
    else unseen.push(root);
  }
  function countUnseen() {
    if (!shown()) return;
    unseen.splice(0).forEach(countShown);
  }

  function send() {
    var url = document.body && document.body.getAttribute("data-events-url");
    if (!events.length || !url || !navigator.sendBeacon) return;
    var body = JSON.stringify({ events: events.splice(0, MAX_BATCH) });
    navigator.sendBeacon(url, new Blob([body], { type: "text/plain;charset=UTF-8" }));
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") send();
    else countUnseen();
  });
  document.addEventListener("prerenderingchange", countUnseen);
  window.addEventListener("pagehide", send);
  document.addEventListener("click", function (event) {
    var answer = event.target.closest("[data-event-answer]");
    var question = answer && answer.closest("[data-event='question_reached']");
    if (question) {
      queue("question_answered", question.getAttribute("data-event-subject"),
            answer.getAttribute("data-event-answer"), question.getAttribute("data-event-version"));
    }
  });

  // After htmx swaps in a new step, move focus to its question so keyboard and
  // screen-reader users continue from there.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.target.querySelector("[data-focus-after-swap]");
    if (target) target.focus();
  });
  // On narrow screens the table of contents starts folded, so the article comes first.
  function foldContents() {
    if (window.matchMedia("(max-width: 63.99rem)").matches) {
      document.querySelectorAll(".toc details[open]").forEach(function (d) { d.open = false; });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
    foldContents();
    showMapStep();
    // A form sent back with problems: start at its list of them.
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) summary.focus();
    whenShown(document);
  });
  document.addEventListener("htmx:load", function (event) {
    enhance(event.target);
    whenShown(event.target);
  });
})();
