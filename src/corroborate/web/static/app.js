/* Progressive enhancement only: every page works without this file.
 * - "Copy quote with citation" buttons (Clipboard API, falling back to selecting the textarea).
 * - Footnote popovers in the reader: click (or hover) a footnote number to read the footnote
 *   and its parsed citations in place; the link to #fn-N keeps working without JavaScript. */
(function () {
  "use strict";

  /* --- the page's language: base.html hands the scripts' messages over as JSON ------------ */
  var messages = {};
  try {
    messages = JSON.parse((document.getElementById("js-messages") || {}).textContent || "{}");
  } catch (e) { /* English then */ }
  function _(text) { return messages[text] || text; }

  /* --- a polite live region for short status messages --------------------------------- */
  var live = document.createElement("div");
  live.className = "visually-hidden";
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  document.body.appendChild(live);
  function announce(text) {
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 30);
  }

  /* --- copy citation ------------------------------------------------------------------- */
  function selectForManualCopy(area) {
    var details = area.closest("details");
    if (details) details.open = true;
    area.focus();
    area.select();
  }

  function copyText(area) {
    var text = area.value;
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () {
        return legacyCopy(area);
      });
    }
    return Promise.resolve(legacyCopy(area));
  }

  function legacyCopy(area) {
    selectForManualCopy(area);
    try {
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }

  document.querySelectorAll(".copy-btn").forEach(function (btn) {
    btn.hidden = false;
    var label = btn.textContent;
    btn.addEventListener("click", function () {
      var area = document.getElementById(btn.getAttribute("data-copy"));
      if (!area) return;
      copyText(area).then(function (ok) {
        if (ok) {
          btn.textContent = _("Copied ✓");
          btn.classList.add("is-done");
          announce(_("Quote and citation copied to the clipboard."));
          window.setTimeout(function () { btn.textContent = label; btn.classList.remove("is-done"); }, 2000);
        } else {
          selectForManualCopy(area);
          announce(_("Copying is blocked here: the citation is selected, press Control+C to copy it."));
        }
      });
    });
  });

  /* --- reader: the table of contents is a side column on wide screens; elsewhere it would
   * push the text a screen down, so it starts folded ----------------------------------- */
  /* search filters: folded on a phone so the results come first, open where there is room */
  var fold = document.querySelector("details.facets-fold");
  if (fold && window.matchMedia("(min-width: 60rem)").matches) fold.open = true;

  var toc = document.querySelector(".toc__details");
  if (toc && window.matchMedia("(max-width: 84rem)").matches && !location.hash.startsWith("#s-")) {
    toc.open = false;
  }

  /* --- footnote popovers (reader) ------------------------------------------------------ */
  var popover = document.getElementById("fn-popover");
  if (!popover) return;
  var body = popover.querySelector(".popover__body");
  var title = popover.querySelector(".popover__title");
  var closeBtn = popover.querySelector(".popover__close");
  var panel = document.querySelector(".fn-panel");
  var current = null;   // the marker link the popover belongs to
  var pinned = false;   // opened by click/keyboard: stays until closed
  var hoverTimer = null;

  document.querySelectorAll("a.fn-ref").forEach(function (a) {
    a.setAttribute("aria-expanded", "false");
    a.setAttribute("aria-controls", "fn-popover");
  });

  function place(link) {
    var r = link.getBoundingClientRect();
    var width = popover.offsetWidth;
    var left = Math.min(window.scrollX + r.left - 16, window.scrollX + document.documentElement.clientWidth - width - 12);
    popover.style.left = Math.max(window.scrollX + 8, left) + "px";
    var below = window.scrollY + r.bottom + 8;
    var spaceBelow = window.innerHeight - r.bottom;
    popover.style.top = (spaceBelow < 220 && r.top > popover.offsetHeight + 16
      ? window.scrollY + r.top - popover.offsetHeight - 8 : below) + "px";
  }

  function highlightInPanel(n) {
    document.querySelectorAll(".fn.is-active").forEach(function (el) { el.classList.remove("is-active"); });
    var item = document.getElementById("fn-" + n);
    if (!item) return;
    item.classList.add("is-active");
    // Scroll only the side panel (when it scrolls on its own), never the text being read.
    if (panel && panel.scrollHeight > panel.clientHeight && getComputedStyle(panel).overflowY !== "visible") {
      panel.scrollTop = item.offsetTop - panel.clientHeight / 3;
    }
  }

  function open(link, pin) {
    var n = link.getAttribute("data-fn");
    var item = document.getElementById("fn-" + n);
    if (current && current !== link) current.setAttribute("aria-expanded", "false");
    current = link;
    pinned = pin;
    title.textContent = _("Footnote %(n)s").replace("%(n)s", n);
    body.innerHTML = "";
    if (item) {
      var content = item.querySelector(".fn__body").cloneNode(true);
      content.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
      body.appendChild(content);
      var more = document.createElement("p");
      more.className = "small";
      var jump = document.createElement("a");
      jump.href = "#fn-" + n;
      jump.textContent = _("Show in the footnote list");
      more.appendChild(jump);
      body.appendChild(more);
    }
    popover.hidden = false;
    place(link);
    link.setAttribute("aria-expanded", "true");
    highlightInPanel(n);
    if (pin) popover.focus();
  }

  function close(returnFocus) {
    if (popover.hidden) return;
    popover.hidden = true;
    pinned = false;
    if (current) {
      current.setAttribute("aria-expanded", "false");
      if (returnFocus) current.focus();
    }
    current = null;
  }

  popover.setAttribute("tabindex", "-1");
  closeBtn.addEventListener("click", function () { close(true); });

  document.addEventListener("click", function (ev) {
    var link = ev.target.closest && ev.target.closest("a.fn-ref");
    if (link) {
      ev.preventDefault();
      if (current === link && pinned) { close(false); return; }
      open(link, true);
      return;
    }
    if (!popover.hidden && !popover.contains(ev.target)) close(false);
  });

  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && !popover.hidden) { ev.preventDefault(); close(true); }
  });

  // Hover previews for mouse users; a click pins the popover.
  document.addEventListener("mouseover", function (ev) {
    var link = ev.target.closest && ev.target.closest("a.fn-ref");
    if (link && !pinned) {
      window.clearTimeout(hoverTimer);
      hoverTimer = window.setTimeout(function () { open(link, false); }, 250);
    } else if (popover.contains(ev.target)) {
      window.clearTimeout(hoverTimer);
    }
  });
  document.addEventListener("mouseout", function (ev) {
    var link = ev.target.closest && ev.target.closest("a.fn-ref");
    if ((link || popover.contains(ev.target)) && !pinned) {
      window.clearTimeout(hoverTimer);
      hoverTimer = window.setTimeout(function () { if (!pinned) close(false); }, 350);
    }
  });
  window.addEventListener("resize", function () { if (current && !popover.hidden) place(current); });

  /* Keep the side panel on the footnotes of the text being read. */
  function panelScrolls() {
    return panel && getComputedStyle(panel).overflowY === "auto" && panel.scrollHeight > panel.clientHeight;
  }
  function syncPanel(para) {
    var first = para.querySelector("a.fn-ref");
    if (!first || !panelScrolls() || pinned) return;
    var item = document.getElementById("fn-" + first.getAttribute("data-fn"));
    if (item) panel.scrollTop = item.offsetTop - 48;
  }
  if ("IntersectionObserver" in window && panel) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) { if (e.isIntersecting) syncPanel(e.target); });
    }, { rootMargin: "-35% 0px -55% 0px" });
    document.querySelectorAll(".para").forEach(function (p) { observer.observe(p); });
    // and mark the section being read in the table of contents
    var tocLinks = {};
    document.querySelectorAll(".toc a[href^='#']").forEach(function (a) { tocLinks[a.getAttribute("href").slice(1)] = a; });
    var sectionObserver = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        var link = tocLinks[e.target.id];
        if (!e.isIntersecting || !link) return;
        document.querySelectorAll(".toc a[aria-current]").forEach(function (a) { a.removeAttribute("aria-current"); });
        link.setAttribute("aria-current", "location");
        var toc = link.closest(".toc");
        if (toc && toc.scrollHeight > toc.clientHeight) {  // keep it in view without moving the page
          var top = link.offsetParent === toc ? link.offsetTop : link.offsetTop - toc.offsetTop;
          if (top < toc.scrollTop || top > toc.scrollTop + toc.clientHeight - 40) toc.scrollTop = top - toc.clientHeight / 3;
        }
      });
    }, { rootMargin: "0px 0px -70% 0px" });
    document.querySelectorAll(".rsection__title[id]").forEach(function (h) { sectionObserver.observe(h); });
  }
})();
