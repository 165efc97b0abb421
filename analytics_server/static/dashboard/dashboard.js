// Progressive enhancement only: every control also works as a plain form without this file.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("select[data-autosubmit]")) {
      target.form.submit();
    } else if (target.matches("select[data-navigate='site']")) {
      var path = window.location.pathname.replace(/^\/site\/\d+/, "/site/" + encodeURIComponent(target.value));
      if (path === window.location.pathname) { path = "/site/" + encodeURIComponent(target.value) + "/visitors/overview"; }
      window.location.assign(path + window.location.search);
    }
  });
  // The period form must not send the site selector as a parameter of the page.
  document.addEventListener("submit", function (event) {
    var site = event.target.querySelector("select[data-navigate='site']");
    if (site) { site.disabled = true; }
  });
})();
