// Refreshes the real-time view: fetches its fragment from the server every few seconds and
// puts it in place. Without this file the page still works; its "Refresh" link reloads it.
(function () {
  "use strict";
  function start(box) {
    var source = box.getAttribute("data-realtime-src");
    var seconds = parseInt(box.getAttribute("data-refresh-seconds"), 10) || 15;
    var busy = false;
    function refresh() {
      if (busy || document.hidden) { return; }
      busy = true;
      fetch(source, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          // A lost session answers with the sign-in page: stop instead of showing it here.
          if (!response.ok || response.redirected) { throw new Error("no fragment"); }
          return response.text();
        })
        .then(function (html) {
          var parsed = new DOMParser().parseFromString(html, "text/html");
          box.replaceChildren.apply(box, Array.prototype.slice.call(parsed.body.childNodes));
          box.setAttribute("data-refreshed", String(Date.now()));
        })
        .catch(function () { box.setAttribute("data-refresh-failed", String(Date.now())); })
        .then(function () { busy = false; });
    }
    window.setInterval(refresh, Math.min(Math.max(seconds, 10), 30) * 1000);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { refresh(); } });
  }
  var boxes = document.querySelectorAll("[data-realtime-src]");
  for (var i = 0; i < boxes.length; i++) { start(boxes[i]); }
})();
