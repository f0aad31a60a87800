// wasmsite likes: progressive enhancement of the <form class="like"> buttons.
// Same-origin only; the API sets an HttpOnly cookie that identifies the reader.
(function () {
  "use strict";
  var API = "/likes";
  var BATCH = 100; // functions/likes MaxBatch
  var status = null;

  function say(msg) {
    if (!status) status = document.getElementById("like-status");
    if (!status) return;
    status.textContent = msg;
    if (msg) setTimeout(function () { if (status.textContent === msg) status.textContent = ""; }, 6000);
  }

  // Page URLs are compared decoded: the API answers the decoded path, while templates
  // may write data-like-url percent-encoded (html/template treats *url attributes as
  // URLs), e.g. "/blog/%c3%bcn%c3%afcode/" for "/blog/ünïcode/".
  function norm(url) {
    try { return decodeURI(url); } catch (e) { return url; }
  }

  function forURL(sel, url) {
    var want = norm(url);
    return Array.prototype.filter.call(document.querySelectorAll(sel), function (el) {
      return norm(el.getAttribute("data-like-url")) === want;
    });
  }

  function apply(url, count, liked) {
    forURL(".like-count", url).forEach(function (el) {
      el.textContent = typeof count === "number" ? String(count) : "";
    });
    if (typeof liked === "boolean") {
      forURL(".like-button", url).forEach(function (b) {
        b.setAttribute("aria-pressed", liked ? "true" : "false");
        var label = b.querySelector(".like-label");
        if (label) label.textContent = liked ? "Liked" : "Like";
      });
    }
  }

  function state(url) {
    var b = forURL(".like-button", url)[0];
    var c = forURL(".like-count", url)[0];
    var n = c ? parseInt(c.textContent, 10) : NaN;
    return { liked: !!b && b.getAttribute("aria-pressed") === "true", count: isNaN(n) ? null : n };
  }

  function entries(data) {
    if (data && Array.isArray(data.likes)) return data.likes;
    if (data && typeof data.url === "string") return [data];
    return [];
  }

  function request(method, url, body) {
    var opts = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (body) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(url, opts).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          var msg = (data && data.error) || ("HTTP " + res.status);
          if (res.status === 429) {
            var ra = res.headers.get("Retry-After");
            msg = "Too many likes, try again" + (ra ? " in " + ra + " s" : " later");
          }
          throw new Error(msg);
        }
        return data;
      });
    });
  }

  function load() {
    var urls = [];
    Array.prototype.forEach.call(document.querySelectorAll("[data-like-url]"), function (el) {
      var u = norm(el.getAttribute("data-like-url"));
      if (urls.indexOf(u) < 0) urls.push(u);
    });
    // The API answers at most BATCH urls per GET (more is a 400): long lists such as
    // "All posts" are fetched in several batches.
    for (var i = 0; i < urls.length; i += BATCH) loadBatch(urls.slice(i, i + BATCH));
  }

  function loadBatch(urls) {
    var q = urls.map(function (u) { return "url=" + encodeURIComponent(u); }).join("&");
    request("GET", API + "?" + q).then(function (data) {
      entries(data).forEach(function (e) { apply(e.url, e.count, e.liked); });
    }).catch(function () {
      // Counts are optional decoration: an unknown one shows a dash, not the placeholder.
      urls.forEach(function (u) {
        forURL(".like-count", u).forEach(function (el) {
          if (!el.textContent) { el.textContent = "–"; el.title = "Likes are unavailable"; }
        });
      });
    });
  }

  function toggle(form, ev) {
    ev.preventDefault();
    var button = form.querySelector(".like-button");
    var input = form.querySelector("input[name=url]");
    if (!button || !input || button.disabled) return;
    var url = input.value;
    var before = state(url);
    var like = !before.liked;
    var optimistic = before.count === null ? null : Math.max(0, before.count + (like ? 1 : -1));
    apply(url, optimistic, like);
    button.disabled = true;
    request(like ? "POST" : "DELETE", API, { url: url }).then(function (data) {
      entries(data).forEach(function (e) { apply(e.url, e.count, e.liked); });
      say(like ? "Thanks for the like!" : "Like removed.");
    }).catch(function (err) {
      apply(url, before.count, before.liked);
      say("Could not save your like: " + err.message);
    }).then(function () {
      button.disabled = false;
      button.focus();
    });
  }

  function init() {
    // Without JS the button is a plain form submit; with JS it is a toggle.
    Array.prototype.forEach.call(document.querySelectorAll(".like-button"), function (b) {
      if (!b.hasAttribute("aria-pressed")) b.setAttribute("aria-pressed", "false");
    });
    Array.prototype.forEach.call(document.querySelectorAll("form.like"), function (form) {
      form.addEventListener("submit", function (ev) { toggle(form, ev); });
    });
    load();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
