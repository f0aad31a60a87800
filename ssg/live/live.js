// wasmsite development mode (ssg -live): reloads this page when a rebuild changed it,
// and shows a failed build's errors over the page until a build succeeds again.
// Written into the site only in development mode; production builds have no trace of it.
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !window.EventSource) return;
  var url = "http://" + location.hostname + ":" + me.getAttribute("data-port") + "/events";
  var OVERLAY = "ssg-error-overlay";
  var seen = null; // {session, build} of the last state this page knows

  // The page's site path as the generator names it: /blog/x/ for /blog/x/index.html.
  function here() {
    var p = location.pathname;
    try { p = decodeURI(p); } catch (e) { /* keep it encoded */ }
    return p.replace(/\/index\.html$/, "/");
  }

  function hide() {
    var o = document.getElementById(OVERLAY);
    if (o) o.parentNode.removeChild(o);
  }

  function el(tag, css, text) {
    var e = document.createElement(tag);
    e.style.cssText = css;
    if (text) e.textContent = text;
    return e;
  }

  // show puts the problems of a failed build over the page: file:line:col and reason.
  function show(problems) {
    hide();
    if (!problems || !problems.length) return;
    var box = el("div", "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:#0d1117;color:#f0f3f6;" +
      "font:15px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:2rem;text-align:left");
    box.id = OVERLAY;
    box.setAttribute("role", "alert");
    box.appendChild(el("h2", "margin:0 0 .5rem;font-size:1.3rem;color:#ffa198", "Build failed"));
    box.appendChild(el("p", "margin:0 0 1.5rem;color:#c9d1d9",
      "The site still serves the last good build. Fix the file and save: this page updates by itself."));
    problems.forEach(function (p) {
      var item = el("div", "margin:0 0 1rem;padding:.75rem 1rem;border-left:4px solid #f85149;background:#161b22");
      var where = p.file ? p.file + (p.line ? ":" + p.line + ":" + (p.col || 1) : "") : "";
      if (where) item.appendChild(el("div", "font-weight:700;color:#ffa198", where));
      item.appendChild(el("div", "white-space:pre-wrap;word-break:break-word", p.message));
      item.className = "ssg-problem";
      box.appendChild(item);
    });
    var close = el("button", "font:inherit;color:#0d1117;background:#f0f3f6;border:0;border-radius:4px;padding:.3rem .8rem;cursor:pointer", "Close");
    close.type = "button";
    close.addEventListener("click", hide);
    box.appendChild(close);
    (document.body || document.documentElement).appendChild(box);
  }

  function data(ev) {
    try { return JSON.parse(ev.data); } catch (e) { return {}; }
  }

  function connect() {
    var es = new EventSource(url);
    es.addEventListener("hello", function (ev) {
      var d = data(ev);
      // Reconnected to a newer state (the generator restarted, or built meanwhile):
      // this page may be stale.
      if (seen && (d.session !== seen.session || d.build !== seen.build)) return location.reload();
      seen = { session: d.session, build: d.build };
      show(d.problems);
    });
    es.addEventListener("built", function (ev) {
      var d = data(ev);
      if (seen) seen.build = d.build;
      hide();
      if (d.all || (d.pages || []).indexOf(here()) >= 0) location.reload();
    });
    es.addEventListener("failed", function (ev) {
      var d = data(ev);
      if (seen) seen.build = d.build;
      show(d.problems);
    });
  }

  connect();
})();
