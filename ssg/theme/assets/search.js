// wasmsite search: searches the site in the browser with the index the generator
// writes (/search/index.json and its shards). No framework, no request elsewhere. The
// page works without it: the form, and links to the lists of posts.
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!form || !input || !status || !list || !window.fetch) return;
  var MAX = 50; // results shown
  var loading = null;

  // fold lowercases s and removes its accents: "Ünïcode" matches "unicode".
  function fold(s) {
    return (s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function get(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }

  // load fetches the index once: the list of shards, then every shard.
  function load() {
    if (!loading) {
      loading = get("/search/index.json").then(function (m) {
        return Promise.all((m.shards || []).map(get));
      }).then(function (shards) {
        var all = [];
        shards.forEach(function (s) { all = all.concat(s); });
        all.forEach(function (e) {
          e.ft = fold(e.t); e.fg = fold((e.g || []).join(" ")); e.fs = fold(e.s); e.fx = fold(e.x);
        });
        return all;
      });
      loading.catch(function () { loading = null; });
    }
    return loading;
  }

  // score ranks an entry for the terms: every term must occur somewhere; a
  // match in the title counts most, then tags, description and text.
  function score(e, terms) {
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var t = terms[i];
      var s = (e.ft.indexOf(t) >= 0 ? 10 : 0) + (e.fg.indexOf(t) >= 0 ? 5 : 0) +
        (e.fs.indexOf(t) >= 0 ? 3 : 0) + (e.fx.indexOf(t) >= 0 ? 1 : 0);
      if (!s) return 0;
      total += s;
    }
    return total;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  // snippet shows the text around the first term found, the term marked.
  function snippet(e, terms) {
    var text = e.x || e.s || "";
    var folded = fold(text), at = -1, len = 0;
    terms.forEach(function (t) {
      var i = folded.indexOf(t);
      if (i >= 0 && (at < 0 || i < at)) { at = i; len = t.length; }
    });
    var p = el("p", "search-snippet");
    if (at < 0) { p.textContent = text.slice(0, 160); return p; }
    var start = Math.max(0, at - 60), end = Math.min(text.length, at + len + 100);
    p.appendChild(document.createTextNode((start > 0 ? "…" : "") + text.slice(start, at)));
    p.appendChild(el("mark", "", text.slice(at, at + len)));
    p.appendChild(document.createTextNode(text.slice(at + len, end) + (end < text.length ? "…" : "")));
    return p;
  }

  function date(d) {
    if (!d) return "";
    var t = new Date(d + "T00:00:00Z");
    return isNaN(t) ? d : t.toLocaleDateString(document.documentElement.lang || undefined,
      { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  }

  function show(q, entries) {
    var terms = fold(q).split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!terms.length) { status.textContent = ""; return; }
    var found = entries.map(function (e) { return { e: e, s: score(e, terms) }; })
      .filter(function (r) { return r.s > 0; })
      .sort(function (a, b) { return b.s - a.s || (b.e.d || "").localeCompare(a.e.d || ""); });
    status.textContent = found.length === 0 ? "No results for “" + q + "”." :
      (found.length === 1 ? "1 result" : found.length + " results") + " for “" + q + "”" +
      (found.length > MAX ? ", the first " + MAX + " shown." : ".");
    found.slice(0, MAX).forEach(function (r) {
      var li = el("li", "search-result");
      var h = el("h2");
      var a = el("a", "", r.e.t);
      a.href = r.e.u;
      h.appendChild(a);
      li.appendChild(h);
      if (r.e.d) li.appendChild(el("p", "post-meta", date(r.e.d)));
      li.appendChild(snippet(r.e, terms));
      list.appendChild(li);
    });
  }

  var pending = null;
  function run(q) {
    var url = q ? "?q=" + encodeURIComponent(q) : location.pathname;
    history.replaceState(null, "", url);
    if (!q.trim()) { show("", []); return; }
    status.textContent = "Searching…";
    load().then(function (entries) {
      if (input.value === q) show(q, entries);
    }).catch(function (err) {
      status.textContent = "The search index could not be loaded (" + err.message + ").";
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    run(input.value);
  });
  input.addEventListener("input", function () {
    clearTimeout(pending);
    pending = setTimeout(function () { run(input.value); }, 150);
  });
  var q = new URLSearchParams(location.search).get("q");
  if (q) { input.value = q; run(q); }
})();
