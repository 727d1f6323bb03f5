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

  function zoomMap(button) {
    var svg = document.querySelector(".flowchart-map");
    var frame = document.querySelector(".map-frame");
    if (!svg || !frame) return;
    var natural = parseFloat(svg.getAttribute("data-width") || svg.getAttribute("width"));
    svg.setAttribute("data-width", natural);
    var current = svg.getBoundingClientRect().width;
    var factor = button.getAttribute("data-zoom");
    var width = factor === "fit" ? frame.clientWidth - 2 : current * parseFloat(factor);
    width = Math.max(natural * 0.25, Math.min(natural * 3, width));
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
    // A form sent back with problems: start at its list of them.
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) summary.focus();
  });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
})();
