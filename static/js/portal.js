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
    if (control()) applySetup(root);
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
    // A link written as a path (the admin's setup links) is copied whole, with the host.
    var text = new URL(button.getAttribute("data-copy-link"), document.baseURI).href;
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

  // "Your setup": which web server, distribution, runtime, Docker and panel the reader
  // has, and the values their commands use, kept in this browser (localStorage) and
  // applied here, so every page stays the same for everyone and cacheable. Each group
  // of command variants becomes tabs showing the reader's; each marked value
  // (<var data-setup-value>) shows theirs, or stays a highlighted placeholder. Three
  // things feed it: the "Your setup" form in the header, what a private page learnt
  // (data-setup-learned: a diagnosis, the troubleshooter's "Your values") and a setup
  // link from support (#setup=web:nginx;php:8.2). Every key and value is checked
  // against the form's own choices and shapes before it is kept or shown, and only
  // ever written as text.
  var SETUP_KEY = "portal-setup";
  var LINK_VALUES = { php: "php_version", socket: "socket", port: "port" };
  var PHP_SERVICE = /^php-?(?:fpm)?(\d\.\d{1,2})(?:-fpm)?$/;
  var tabCount = 0;
  var fromLink = null;

  function control() { return document.querySelector("[data-your-setup-form]"); }
  function own(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }

  function choiceAllowed(key, value) {
    var form = control();
    var select = form && form.querySelector("select[data-setup-choice][name='" + key + "']");
    if (!select || typeof value !== "string" || !value) return false;
    return Array.prototype.some.call(select.options, function (o) { return o.value === value; });
  }

  function valueAllowed(name, value) {
    var form = control();
    var input = form && form.querySelector("input[data-setup-input][name='" + name + "']");
    if (!input || typeof value !== "string" || !value || value.length > 255) return false;
    if (!new RegExp("^(?:" + input.getAttribute("data-pattern") + ")$").test(value)) return false;
    return name !== "port" || (Number(value) > 0 && Number(value) < 65536);
  }

  function keep(raw, allowed) {
    var kept = {};
    if (!raw || typeof raw !== "object") return kept;
    Object.keys(raw).forEach(function (key) { if (allowed(key, raw[key])) kept[key] = raw[key]; });
    return kept;
  }

  function cleanSetup(raw) {
    raw = raw && typeof raw === "object" ? raw : {};
    return { choice: keep(raw.choice, choiceAllowed), values: keep(raw.values, valueAllowed),
             log: keep(raw.log, valueAllowed) };
  }

  function readSetup() {
    try { return cleanSetup(JSON.parse(localStorage.getItem(SETUP_KEY) || "null")); }
    catch (e) { return cleanSetup(null); }
  }

  function writeSetup(setup) {
    try { localStorage.setItem(SETUP_KEY, JSON.stringify(setup)); } catch (e) { /* refused: this page only */ }
  }

  function merge(setup, extra) {
    ["choice", "values", "log"].forEach(function (part) {
      Object.keys(extra[part] || {}).forEach(function (key) { setup[part][key] = extra[part][key]; });
    });
    return setup;
  }

  // The values this page fills: typed ones, and those read from a log unless the page
  // says which of those it takes (an outcome where the log names the wrong address).
  function pageValues(setup) {
    var marked = document.querySelector("[data-setup-from-log]");
    var allowed = marked ? marked.getAttribute("data-setup-from-log").split(/\s+/) : null;
    var values = {};
    Object.keys(setup.log).forEach(function (name) {
      if (!allowed || allowed.indexOf(name) !== -1) values[name] = setup.log[name];
    });
    Object.keys(setup.values).forEach(function (name) { values[name] = setup.values[name]; });
    // The PHP version and the FPM service follow from one another, as on the server.
    var match = PHP_SERVICE.exec(values.service || "");
    if (!values.php_version && match) values.php_version = match[1];
    if (!values.service && values.php_version) values.service = "php" + values.php_version + "-fpm";
    return values;
  }

  function fillValues(root, values) {
    root.querySelectorAll("var[data-setup-value]").forEach(function (v) {
      var name = v.getAttribute("data-setup-value");
      var known = own(values, name);
      v.textContent = known ? values[name] : "YOUR_" + name.toUpperCase();
      v.classList.toggle("is-filled", known);
      v.title = known ? "Your value, from \u201cYour setup\u201d"
                      : "Put your value here, or fill it in under \u201cYour setup\u201d";
    });
    root.querySelectorAll("[data-setup-hint]").forEach(function (hint) {
      hint.hidden = own(values, hint.getAttribute("data-setup-hint"));
    });
  }

  function conditions(variant) {
    return (variant.getAttribute("data-setup") || "").split(/\s+/).filter(Boolean)
      .map(function (pair) { return pair.split(":"); });
  }

  // The variant for the chosen setup: none of its conditions contradicts the choice,
  // and most of them match it; the first one when nothing is chosen.
  function fitting(variants, choice) {
    var best = -1, bestScore = 0;
    variants.forEach(function (variant, index) {
      var score = 0;
      conditions(variant).forEach(function (c) {
        if (!own(choice, c[0])) return;
        score = choice[c[0]] === c[1] && score >= 0 ? score + 1 : -Infinity;
      });
      if (score > bestScore) { best = index; bestScore = score; }
    });
    return best;
  }

  function selectTab(group, index, focus) {
    group.querySelectorAll(":scope > [role=tablist] > [role=tab]").forEach(function (tab, i) {
      tab.setAttribute("aria-selected", String(i === index));
      tab.tabIndex = i === index ? 0 : -1;
      if (i === index && focus) tab.focus();
    });
    group.querySelectorAll(":scope > .setup-variant").forEach(function (panel, i) {
      panel.hidden = i !== index;
    });
    markWideCode(group);
  }

  function makeTabs(group) {
    var list = document.createElement("div");
    list.setAttribute("role", "tablist");
    list.setAttribute("aria-label", "Versions of this command");
    list.className = "setup-tabs";
    group.querySelectorAll(":scope > .setup-variant").forEach(function (panel, i) {
      var label = panel.querySelector(".setup-variant-label");
      var id = "setup-tab-" + (++tabCount);
      var tab = document.createElement("button");
      tab.type = "button";
      tab.id = id;
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", id + "-panel");
      tab.textContent = label ? label.textContent.replace(/^Setup: /, "") : "Version " + (i + 1);
      tab.addEventListener("click", function () { selectTab(group, i, false); });
      list.appendChild(tab);
      panel.id = id + "-panel";
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", id);
      if (label) label.hidden = true;
    });
    list.addEventListener("keydown", function (event) {
      var tabs = Array.prototype.slice.call(list.children);
      var current = tabs.indexOf(document.activeElement);
      if (current === -1) return;
      var next = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      selectTab(group, (next + tabs.length) % tabs.length, true);
    });
    group.insertBefore(list, group.firstChild);
    group.classList.add("has-tabs");
  }

  function showVariants(root, choice) {
    root.querySelectorAll(".setup-variants").forEach(function (group) {
      if (!group.querySelector(":scope > [role=tablist]")) makeTabs(group);
      var variants = Array.prototype.slice.call(group.querySelectorAll(":scope > .setup-variant"));
      var yours = fitting(variants, choice);
      group.querySelectorAll(":scope > [role=tablist] > [role=tab]").forEach(function (tab, i) {
        tab.classList.toggle("is-yours", i === yours);
      });
      selectTab(group, Math.max(yours, 0), false);
    });
  }

  function describe(setup) {
    var form = control();
    var words = [];
    form.querySelectorAll("select[data-setup-choice]").forEach(function (select) {
      if (own(setup.choice, select.name)) words.push(select.selectedOptions[0].textContent);
    });
    if (setup.values.php_version) words.push("PHP " + setup.values.php_version);
    var filled = Object.keys(setup.values).length + Object.keys(setup.log).length;
    if (filled) words.push(filled === 1 ? "1 value" : filled + " values");
    return words.length ? words.join(" \u00b7 ") : "not chosen yet";
  }

  function showControl(setup) {
    var form = control();
    if (!form) return;
    var used = {};
    document.querySelectorAll("var[data-setup-value]").forEach(function (v) {
      used[v.getAttribute("data-setup-value")] = true;
    });
    form.querySelectorAll("select[data-setup-choice]").forEach(function (select) {
      select.value = setup.choice[select.name] || "";
    });
    form.querySelectorAll("[data-setup-field]").forEach(function (field) {
      var input = field.querySelector("input");
      input.value = setup.values[input.name] || "";
      input.placeholder = setup.log[input.name] ? "From your log: " + setup.log[input.name]
                                                 : input.getAttribute("data-example");
      field.hidden = !(used[input.name] || input.value || setup.log[input.name]);
    });
    var summary = document.querySelector("[data-your-setup-summary]");
    summary.textContent = (fromLink ? "from the link you opened: " : "") + describe(setup);
    var row = document.querySelector("[data-your-setup]");
    row.hidden = !document.querySelector(".code-block, var[data-setup-value]");
  }

  function applySetup(root) {
    var setup = readSetup();
    showVariants(root, setup.choice);
    fillValues(root, pageValues(setup));
    if (root === document) showControl(setup);
  }

  // What a page learnt (a diagnosis, typed values, an answer about Docker) joins what
  // is kept; so does what a setup link carries, whose fragment is then removed, leaving
  // the section's anchor.
  function learn(root) {
    var setup = readSetup();
    var learnt = [];
    each(root, "[data-setup-learned]", function (el) { learnt.push(el); });
    learnt.forEach(function (el) {
      try { merge(setup, cleanSetup(JSON.parse(el.getAttribute("data-setup-learned")))); }
      catch (e) { /* unreadable: nothing learnt */ }
    });
    if (root === document) fromLink = linkSetup();
    if (fromLink && root === document) merge(setup, fromLink);
    if (learnt.length || (fromLink && root === document)) writeSetup(setup);
  }

  function linkSetup() {
    var parts = location.hash.replace(/^#/, "").split("&");
    var carried = parts.filter(function (p) { return p.indexOf("setup=") === 0; })[0];
    if (carried === undefined) return null;
    var link = { choice: {}, values: {}, log: {} };
    carried.slice(6).split(";").forEach(function (pair) {
      var at = pair.indexOf(":");
      if (at < 1) return;
      var key = pair.slice(0, at), value;
      try { value = decodeURIComponent(pair.slice(at + 1)); } catch (e) { return; }
      if (!own(LINK_VALUES, key) && choiceAllowed(key, value)) link.choice[key] = value;
      else if (own(LINK_VALUES, key) && valueAllowed(LINK_VALUES[key], value)) link.values[LINK_VALUES[key]] = value;
    });
    var anchor = parts.filter(function (p) { return p && p.indexOf("setup=") !== 0; })[0] || "";
    history.replaceState(history.state, "", location.pathname + location.search + (anchor ? "#" + anchor : ""));
    var target = null;
    try { target = anchor && document.getElementById(decodeURIComponent(anchor)); }
    catch (e) { /* a malformed anchor: stay at the top */ }
    if (target) target.scrollIntoView();
    return link;
  }

  function saveControl(form) {
    var setup = readSetup();
    var choice = {}, values = {}, firstBad = null;
    form.querySelectorAll("select[data-setup-choice]").forEach(function (select) {
      if (choiceAllowed(select.name, select.value)) choice[select.name] = select.value;
    });
    form.querySelectorAll("input[data-setup-input]").forEach(function (input) {
      var text = input.value.trim();
      var bad = text !== "" && !valueAllowed(input.name, text);
      var error = document.getElementById(input.getAttribute("aria-describedby"));
      error.hidden = !bad;
      if (bad) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
      if (bad && !firstBad) firstBad = input;
      if (text && !bad) values[input.name] = text;
    });
    var note = form.querySelector("[data-your-setup-note]");
    if (firstBad) {
      note.textContent = "Some values could not be used; each says why.";
      firstBad.focus();
      return;
    }
    fromLink = null;
    writeSetup({ choice: choice, values: values, log: setup.log });
    applySetup(document);
    note.textContent = "Kept. Commands on every page now follow this setup.";
  }

  function forgetSetup(form) {
    try { localStorage.removeItem(SETUP_KEY); } catch (e) { /* nothing was kept */ }
    fromLink = null;
    form.querySelectorAll("[data-setup-error]").forEach(function (e) { e.hidden = true; });
    applySetup(document);
    form.querySelector("[data-your-setup-note]").textContent =
      "Forgotten. Commands show every setup and placeholders for your values.";
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-your-setup-form]");
    if (!form) return;
    event.preventDefault();
    saveControl(form);
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-setup-clear]")) forgetSetup(control());
  });
  // Another tab changed the setup: follow it.
  window.addEventListener("storage", function (event) {
    if (event.key === SETUP_KEY) applySetup(document);
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
    if (control()) learn(document);
    enhance(document);
    foldContents();
    showMapStep();
    // A form sent back with problems: start at its list of them.
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) summary.focus();
    whenShown(document);
  });
  // What a step swapped in has learnt is kept as it is swapped in, in the same task that
  // changes the address, not after htmx's settling delay: a reader who leaves at once
  // still keeps the answer.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (control()) learn(event.target);
  });
  document.addEventListener("htmx:load", function (event) {
    enhance(event.target);
    whenShown(event.target);
  });
})();
