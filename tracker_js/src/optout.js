/*
 * Opt-out widget: a portal includes
 *   <div id="analytics-opt-out"></div>
 *   <script src="https://ANALYTICS/optout.js?divId=analytics-opt-out&language=auto"></script>
 * and visitors get a checkbox to stop (or resume) being tracked on that portal. The choice is the
 * same cookie the tracker reads (mtm_consent_removed), set on the portal's own domain.
 * The server fills in TEXTS below with the texts of the requested language.
 */
(function (document) {
  'use strict';
  var TEXTS = __TEXTS__;
  var DIV_ID = __DIV_ID__;
  var COOKIE = 'mtm_consent_removed';

  function optedOut() {
    return document.cookie.split(';').some(function (c) {
      return c.replace(/^\s+/, '').indexOf(COOKIE + '=') === 0;
    });
  }

  function setOptOut(out) {
    var expires = out ? new Date(new Date().getTime() + 33696000000).toUTCString()
      : 'Thu, 01 Jan 1970 00:00:00 GMT';
    document.cookie = COOKIE + '=1;path=/;SameSite=Lax;expires=' + expires +
      (location.protocol === 'https:' ? ';secure' : '');
  }

  function render() {
    var div = document.getElementById(DIV_ID);
    if (!div) {
      return;
    }
    while (div.firstChild) {
      div.removeChild(div.firstChild);
    }
    var out = optedOut();
    var intro = document.createElement('p');
    intro.textContent = out ? TEXTS.out : TEXTS.in;
    var label = document.createElement('label');
    var box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = !out;
    box.id = DIV_ID + '-checkbox';
    box.addEventListener('change', function () {
      setOptOut(!box.checked);
      render();
    });
    label.appendChild(box);
    label.appendChild(document.createTextNode(' ' + (out ? TEXTS.boxOut : TEXTS.boxIn)));
    div.appendChild(intro);
    div.appendChild(label);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', render);
  } else {
    render();
  }
})(document);
