/* The self-assessment page: filter (未答 / 不符合 / 全部), search within the element, "next
   unanswered", per-section counts, and visible saving. Each item's form is autosaved by htmx;
   a save that fails (offline, 409, 5xx) is marked 未保存 on the item with a retry, retried by
   itself when the connection is back, and the typed answer stays on the page. Evidence files and
   camera photos upload on choice through uploads.js. */
(function () {
  "use strict";
  var bar = document.getElementById("fill-bar");
  var items = document.getElementById("items");
  if (!bar || !items) return;
  var text = bar.dataset;
  var status = document.getElementById("save-status");
  var query = document.getElementById("q");
  var none = document.getElementById("none-shown");
  var articles = Array.prototype.slice.call(items.querySelectorAll("article.item"));

  function stateOf(form) {
    var checked = form.querySelector("input[type=radio]:checked");
    if (!checked) return "open";
    return checked.value === "partial" || checked.value === "non_compliant" ? "failed" : "done";
  }

  function matches(article, show, words) {
    if (show !== "all" && article.dataset.state !== show && !article.dataset.unsaved) return false;
    return !words || article.textContent.toLowerCase().indexOf(words) !== -1;
  }

  function apply() {
    var show = items.dataset.show;
    var words = query ? query.value.trim().toLowerCase() : "";
    var shown = 0;
    articles.forEach(function (a) {
      a.hidden = !matches(a, show, words);
      if (!a.hidden) shown += 1;
    });
    document.querySelectorAll("section.group").forEach(function (g) {
      g.hidden = !g.querySelector("article.item:not([hidden])");
    });
    if (none) none.hidden = shown > 0;
  }

  function counts() {
    var done = {};
    articles.forEach(function (a) {
      var group = a.closest("section.group").dataset.group;
      done[group] = done[group] || [0, 0];
      done[group][1] += 1;
      if (a.dataset.state !== "open") done[group][0] += 1;
    });
    document.querySelectorAll("[data-group-count]").forEach(function (el) {
      var c = done[el.dataset.groupCount];
      if (c) el.textContent = c[0] + "/" + c[1];
    });
  }

  function unsaved() {
    return articles.filter(function (a) { return a.dataset.unsaved; });
  }

  function overall() {
    var left = unsaved().length;
    if (!left) {
      status.textContent = "✓ " + text.saved;
      status.className = "";
    } else {
      status.textContent = (navigator.onLine ? "" : text.offline + " · ") +
        text.unsavedCount.replace("{n}", left);
      status.className = "unsaved";
    }
  }

  function markFailed(form, code) {
    var article = form.closest("article");
    var box = form.querySelector(".item-status");
    article.dataset.unsaved = code === 0 ? "network" : String(code);
    var note = document.createElement("strong");
    note.className = "unsaved";
    note.textContent = text.unsaved;
    box.insertBefore(note, box.firstChild);
    if (code === 422) return; // the answer itself is refused: the message says what to change
    var retry = document.createElement("button");
    retry.type = "button";
    retry.className = "secondary small";
    if (code === 409) {
      retry.textContent = text.reload;
      retry.addEventListener("click", function () { window.location.reload(); });
    } else {
      retry.textContent = text.retry;
      retry.addEventListener("click", function () { save(form); });
    }
    box.appendChild(retry);
  }

  function save(form) {
    window.htmx.trigger(form, "change");
  }

  // Saves asked for and not yet answered (each change of an answer form sends one request).
  var pending = 0;
  bar.dataset.pending = "0";
  items.addEventListener("change", function (e) {
    if (e.target.closest && e.target.closest("form.answer")) bar.dataset.pending = String(++pending);
  }, true);

  // Following a link while saves are under way waits for them: the next page then reads the
  // saved version, and nothing in flight is cut off.
  var leaving = null;
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[href]");
    if (!link || !pending || link.dataset.show || link.getAttribute("href").charAt(0) === "#") return;
    e.preventDefault();
    leaving = link.href;
    status.textContent = text.saving;
  });

  document.body.addEventListener("htmx:beforeRequest", function (e) {
    var form = e.detail.elt;
    if (!form.classList || !form.classList.contains("answer")) return;
    form.querySelector(".item-status").textContent = text.saving;
  });

  document.body.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (!form.classList || !form.classList.contains("answer")) return;
    var code = e.detail.xhr ? e.detail.xhr.status : 0;
    var article = form.closest("article");
    pending = Math.max(0, pending - 1);
    bar.dataset.pending = String(pending);
    if (!pending && leaving) {  // a link was followed while saving: go once all is saved
      var target = leaving;
      leaving = null;
      if (!unsaved().length && !(code === 0 || code >= 300)) window.location.href = target;
    }
    if (code >= 200 && code < 300) {
      delete article.dataset.unsaved;
      article.dataset.state = stateOf(form);
      counts();
    } else {
      if (code === 0) form.querySelector(".item-status").textContent = "";
      markFailed(form, code);
    }
    overall();
  });

  window.addEventListener("online", function () {
    unsaved().forEach(function (a) {
      if (a.dataset.unsaved !== "422" && a.dataset.unsaved !== "409") {
        save(a.querySelector("form.answer"));
      }
    });
  });
  window.addEventListener("offline", overall);
  window.addEventListener("beforeunload", function (e) {
    if (unsaved().length) e.preventDefault();
  });

  document.querySelectorAll("a[data-show]").forEach(function (link) {
    link.addEventListener("click", function (e) {
      e.preventDefault();
      items.dataset.show = link.dataset.show;
      document.querySelectorAll("a[data-show]").forEach(function (l) {
        if (l === link) l.setAttribute("aria-current", "true");
        else l.removeAttribute("aria-current");
      });
      var url = new URL(window.location.href);
      url.searchParams.set("show", link.dataset.show);
      window.history.replaceState(null, "", url);
      apply();
    });
  });
  if (query) query.addEventListener("input", apply);

  var next = document.getElementById("next-open");
  if (next) {
    next.addEventListener("click", function (e) {
      e.preventDefault();
      var below = bar.getBoundingClientRect().bottom + 1;
      var open = articles.filter(function (a) { return !a.hidden && a.dataset.state === "open"; });
      var target = open.find(function (a) { return a.getBoundingClientRect().top > below; }) || open[0];
      if (!target) return;
      target.scrollIntoView({ block: "start" });
      var first = target.querySelector("input[type=radio]:not([disabled]), textarea");
      if (first) first.focus({ preventScroll: true });
    });
  }
  apply();
})();
