/*
 * analytics-server JavaScript tracker.
 *
 * Speaks Matomo's Tracking HTTP API and accepts Matomo's `_paq` command queue, so a portal
 * switches by changing the tracker URL. Hits that cannot be delivered (network down, server
 * 5xx/503) are kept in localStorage and sent again later, in order, as bulk requests; each tab
 * keeps its own, and a page that is left hands them to the next one, so each leaves once.
 * Nothing here may break the host page: every entry point swallows its own errors.
 */
(function (window, document, navigator) {
  'use strict';

  if (window.AnalyticsTracker) {
    return;
  }

  var DOWNLOAD_EXTENSIONS = ('7z aac apk arc arj asf asx avi azw3 bin csv deb dmg doc docx epub exe ' +
    'flv gif gz gzip hqx ibooks jar jpg jpeg js mobi mp2 mp3 mp4 mpg mpeg mov movie msi msp odb ' +
    'odf odg ods odt ogg ogv pdf phps png ppt pptx qt qtm ra ram rar rpm rtf sea sit tar tbz tbz2 ' +
    'bz bz2 tgz torrent txt wav wma wmv wpd xls xlsx xml xz z zip').split(' ');
  // Setup calls run before tracking calls pushed in the same batch, whatever their order.
  var FIRST = ('addTracker setTrackerUrl setSiteId disableCookies setCookieDomain setCookiePath ' +
    'setCookieNamePrefix setSecureCookie setCookieSameSite setVisitorCookieTimeout ' +
    'setSessionCookieTimeout setDomains setUserId setVisitorId requireConsent ' +
    'requireCookieConsent setConsentGiven setCookieConsentGiven setDoNotTrack ' +
    'disablePerformanceTracking setExcludedQueryParams discardHashTag appendToTrackingUrl ' +
    'enableLinkTracking').split(' ');
  // Matomo methods that tune its own delivery; ours needs none of them, so they do nothing.
  var NO_OPS = ('setRequestMethod setRequestContentType alwaysUseSendBeacon disableAlwaysUseSendBeacon ' +
    'setLinkTrackingTimer setGenerationTimeMs disableQueueRequest setRequestQueueInterval ' +
    'enableFileTracking disableBrowserFeatureDetection enableBrowserFeatureDetection ' +
    'setCountPreRendered addPlugin setApiUrl setAPIUrl').split(' ');
  var QUEUE_LIMIT = 500; // hits kept per tracker URL while the server is unreachable
  var BULK_SIZE = 50;
  var RETRY_MS = 5000;
  // A tab that has not said it is alive for this long is gone; its kept hits are adopted.
  // Generous, because browsers run the timers of background tabs once a minute.
  var ORPHAN_MS = 180000;
  var XHR_TIMEOUT_MS = 10000;
  var LOAD_WAIT_MS = 5000; // the first page view waits this long at most for onload timings
  var HINTS_WAIT_MS = 1000;

  function safe(fn) {
    return function () {
      try {
        return fn.apply(this, arguments);
      } catch (e) {
        if (window.console && window.console.warn) {
          window.console.warn('analytics tracker:', e);
        }
      }
    };
  }

  function now() {
    return new Date().getTime();
  }

  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  function each(object, fn) {
    for (var key in object) {
      if (has(object, key)) {
        fn(key, object[key]);
      }
    }
  }

  function hash(text) {
    var h = 5381;
    for (var i = 0; i < text.length; i++) {
      h = ((h << 5) + h + text.charCodeAt(i)) >>> 0;
    }
    return h.toString(16);
  }

  function randomHex(length) {
    var out = '';
    var crypto = window.crypto || window.msCrypto;
    if (crypto && crypto.getRandomValues) {
      var bytes = new Uint8Array(Math.ceil(length / 2));
      crypto.getRandomValues(bytes);
      for (var i = 0; i < bytes.length; i++) {
        out += ('0' + bytes[i].toString(16)).slice(-2);
      }
      return out.slice(0, length);
    }
    while (out.length < length) {
      out += Math.floor(Math.random() * 16).toString(16);
    }
    return out;
  }

  function encode(params) {
    var parts = [];
    each(params, function (key, value) {
      if (value !== undefined && value !== null && value !== '') {
        parts.push(encodeURIComponent(key) + '=' + encodeURIComponent(String(value)));
      }
    });
    return parts.join('&');
  }

  function once(fn) {
    var done = false;
    return function () {
      if (!done) {
        done = true;
        fn.apply(this, arguments);
      }
    };
  }

  function on(target, type, fn) {
    target.addEventListener(type, safe(fn), true);
  }

  /* ------------------------------------------------------------------------------- cookies */

  function cookieList() {
    var out = [];
    var parts = document.cookie ? document.cookie.split(';') : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf('=');
      out.push([parts[i].slice(0, eq).replace(/^\s+/, ''), parts[i].slice(eq + 1)]);
    }
    return out;
  }

  function getCookie(name) {
    var list = cookieList();
    for (var i = 0; i < list.length; i++) {
      if (list[i][0] === name) {
        try {
          return decodeURIComponent(list[i][1]);
        } catch (e) {
          return list[i][1];
        }
      }
    }
    return null;
  }

  // A cookie whose name starts with `prefix`: keeps the visitor id of a Matomo tracker that the
  // portal used before ours (its names end with a hash we do not need to know).
  function findCookieName(prefix) {
    var list = cookieList();
    for (var i = 0; i < list.length; i++) {
      if (list[i][0].indexOf(prefix) === 0) {
        return list[i][0];
      }
    }
    return null;
  }

  function setCookie(name, value, seconds, options) {
    options = options || {};
    var cookie = name + '=' + encodeURIComponent(value) + ';path=' + (options.path || '/') +
      ';SameSite=' + (options.sameSite || 'Lax');
    if (seconds !== undefined) {
      cookie += ';expires=' + new Date(now() + seconds * 1000).toUTCString();
    }
    if (options.domain) {
      cookie += ';domain=' + options.domain;
    }
    if (options.secure || window.location.protocol === 'https:') {
      cookie += ';secure';
    }
    document.cookie = cookie;
  }

  function storage() {
    try {
      var probe = '_pk_probe';
      window.localStorage.setItem(probe, '1');
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  function hasClass(element, names) {
    var name = element.className;
    var classes = ' ' + (name && name.baseVal !== undefined ? name.baseVal : name || '') + ' ';
    for (var i = 0; i < names.length; i++) {
      if (classes.indexOf(' ' + names[i] + ' ') >= 0) {
        return true;
      }
    }
    return false;
  }

  /* ----------------------------------------------------- client hints, page load (shared gates) */

  // A gate holds hits until something the first ones should carry is known. It opens when that
  // happens, after a time limit, or when the page is being left (the hits then go by beacon).
  function Gate(limitMs) {
    var self = this;
    this.open = false;
    this.waiters = [];
    this.release = once(function (leaving) {
      self.open = true;
      var waiters = self.waiters;
      self.waiters = [];
      for (var i = 0; i < waiters.length; i++) {
        safe(waiters[i])(leaving === true);
      }
    });
    window.setTimeout(this.release, limitMs);
    on(window, 'pagehide', function () { self.release(true); });
  }

  Gate.prototype.then = function (fn) {
    if (this.open) {
      fn(false);
    } else {
      this.waiters.push(fn);
    }
  };

  var clientHints = null;
  var hintsGate = new Gate(HINTS_WAIT_MS);
  safe(function () {
    var ua = navigator.userAgentData;
    if (!ua || !ua.getHighEntropyValues) {
      hintsGate.release();
      return;
    }
    ua.getHighEntropyValues(['platformVersion', 'model', 'fullVersionList', 'formFactors'])
      .then(function (values) {
        clientHints = JSON.stringify(values);
        hintsGate.release();
      }, function () { hintsGate.release(); });
  })();

  var loadGate = null;

  function pageLoad() {
    if (!loadGate) {
      var gate = loadGate = new Gate(LOAD_WAIT_MS);
      if (document.readyState === 'complete') {
        gate.release();
      } else {
        // After the load handlers, so that loadEventEnd is known.
        on(window, 'load', function () { window.setTimeout(gate.release, 0); });
      }
    }
    return loadGate;
  }

  /* ----------------------------------------------------------------- delivery and offline queue */

  // Hits that could not be delivered are kept in localStorage, one key per tab and tracker URL:
  // only its tab writes a key, so tabs never overwrite each other's hits. A tab being left marks
  // its key as orphaned; another tab (or the next page) adopts it and sends those hits.
  var TAB = randomHex(12);
  var senders = {};

  function senderFor(url) {
    return senders[url] || (senders[url] = new Sender(url));
  }

  function Sender(trackerUrl) {
    this.url = trackerUrl;
    this.prefix = '_pk_queue_' + hash(trackerUrl) + '_';
    this.key = this.prefix + TAB;
    this.store = storage();
    this.memory = [];
    this.outbox = [];
    this.flushing = false;
    this.failedAt = 0;
  }

  Sender.prototype.read = function (key) {
    try {
      var data = JSON.parse(this.store.getItem(key) || 'null');
      return data && data.items ? data : null;
    } catch (e) {
      return null;
    }
  };

  Sender.prototype.pending = function () {
    if (!this.store) {
      return this.memory;
    }
    var data = this.read(this.key);
    return data ? data.items : [];
  };

  // `alive` false marks the key as orphaned: this tab will not send its hits any more.
  Sender.prototype.save = function (items, alive) {
    items = items.slice(-QUEUE_LIMIT);
    if (!this.store) {
      this.memory = items;
      return;
    }
    try {
      if (items.length) {
        this.store.setItem(this.key, JSON.stringify({t: alive === false ? 0 : now(), items: items}));
      } else {
        this.store.removeItem(this.key);
      }
    } catch (e) {
      // Storage full or forbidden: these hits are lost, the page goes on.
    }
  };

  Sender.prototype.keep = function (kept) {
    var items = this.pending();
    for (var i = 0; i < kept.length; i++) {
      items.push({id: kept[i].id, q: kept[i].q, t: kept[i].t});
    }
    // Failures may come back out of order: keep hits in the order they happened.
    items.sort(function (a, b) { return a.t - b.t; });
    this.save(items);
  };

  // Take over the hits of tabs that are gone: claim their keys, and move what is still claimed
  // by this tab a moment later (two tabs claiming at once: the last claim wins).
  Sender.prototype.adopt = function () {
    var self = this;
    var store = this.store;
    var claimed = [];
    if (!store) {
      return;
    }
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      var data = key && key.indexOf(this.prefix) === 0 && key !== this.key ? this.read(key) : null;
      if (data && now() - data.t > ORPHAN_MS) {
        claimed.push([key, data.items]);
      }
    }
    for (var j = 0; j < claimed.length; j++) {
      store.setItem(claimed[j][0], JSON.stringify({t: now(), by: TAB, items: claimed[j][1]}));
    }
    if (claimed.length) {
      window.setTimeout(safe(function () {
        for (var k = 0; k < claimed.length; k++) {
          var data = self.read(claimed[k][0]);
          if (data && data.by === TAB) {
            store.removeItem(claimed[k][0]);
            self.keep(data.items);
          }
        }
        self.flush();
      }), 50);
    }
  };

  Sender.prototype.post = function (body, done) {
    var xhr = new XMLHttpRequest();
    try {
      xhr.open('POST', this.url, true);
      xhr.withCredentials = true;
      xhr.timeout = XHR_TIMEOUT_MS; // a server that never answers must not stall the queue
      // A form body is a "simple" CORS request: no preflight, for single hits and bulks alike.
      xhr.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded; charset=UTF-8');
      xhr.onreadystatechange = function () {
        if (xhr.readyState === 4) {
          done(xhr.status >= 200 && xhr.status < 400);
        }
      };
      xhr.send(body);
    } catch (e) {
      done(false); // a tracker URL the browser refuses: keep the hit, like a network error
    }
  };

  // One request in flight per tracker URL: hits made meanwhile (a page view and its events,
  // hits released by consent) wait and leave together as one bulk request, so they reach the
  // server in the order they were made. A page being left sends at once, by beacon.
  Sender.prototype.send = function (item, leaving) {
    var self = this;
    this.outbox.push(item);
    if (leaving) {
      this.drain(true);
    } else if (!this.scheduled) {
      this.scheduled = true;
      window.setTimeout(safe(function () {
        self.scheduled = false;
        self.drain(false);
      }), 0);
    }
  };

  Sender.prototype.drain = function (leaving) {
    if (this.busy && !leaving) {
      return; // sent when the request in flight is answered
    }
    var items = this.outbox;
    this.outbox = [];
    if (!items.length) {
      return;
    }
    if (this.pending().length) {
      this.keep(items); // older hits are waiting: these go after them
      if (now() - this.failedAt >= RETRY_MS) { // a struggling server gets a breather
        this.flush();
      }
      return;
    }
    while (leaving && items.length > BULK_SIZE) {
      this.deliver(items.splice(0, BULK_SIZE), true);
    }
    this.outbox = items.splice(BULK_SIZE);
    this.deliver(items, leaving);
  };

  Sender.prototype.deliver = function (items, leaving) {
    var self = this;
    var body = items.length > 1 ? bulk(items, false) : items[0].q;
    if (leaving && navigator.sendBeacon) {
      var blob = new Blob([body], {type: 'application/x-www-form-urlencoded; charset=UTF-8'});
      if (navigator.sendBeacon(this.url, blob)) {
        return;
      }
    }
    this.busy = true;
    this.post(body, safe(function (ok) {
      self.busy = false;
      if (!ok) {
        self.failedAt = now();
        self.keep(items);
      }
      self.drain(false);
    }));
  };

  function bulk(items, late) {
    var requests = [];
    for (var i = 0; i < items.length; i++) {
      // How late a kept hit is; past a day the server wants a token and lists it as rejected.
      var age = late ? Math.floor((now() - items[i].t) / 1000) : 0;
      requests.push('?' + items[i].q + (age > 0 ? '&cdo=' + age : ''));
    }
    return JSON.stringify({requests: requests});
  }

  Sender.prototype.flush = function () {
    var self = this;
    var batch = this.pending().slice(0, BULK_SIZE);
    if (this.flushing || !batch.length) {
      return;
    }
    this.flushing = true;
    this.post(bulk(batch, true), safe(function (ok) {
      self.flushing = false;
      if (!ok) {
        self.failedAt = now();
      } else {
        var sent = {};
        for (var j = 0; j < batch.length; j++) {
          sent[batch[j].id] = true;
        }
        // Drop exactly what was sent; hits kept meanwhile stay, in order.
        self.save(self.pending().filter(function (item) { return !sent[item.id]; }));
        self.flush();
      }
    }));
  };

  // Every few seconds: say this tab is alive, take over orphaned hits, send kept ones.
  function retryAll() {
    each(senders, function (url, sender) {
      var items = sender.pending();
      if (items.length) {
        sender.save(items);
      }
      sender.adopt();
      sender.flush();
    });
  }

  function orphanAll() {
    each(senders, function (url, sender) {
      var items = sender.pending();
      if (items.length) {
        sender.save(items, false);
      }
    });
  }

  /* ------------------------------------------------------------------------------- the tracker */

  var trackers = [];

  function Tracker(trackerUrl, siteId) {
    var main = trackers[0];
    // A tracker added with its own URL or site keeps them when the page configures the main one.
    this.ownUrl = !!trackerUrl;
    this.ownSite = !!siteId;
    this.trackerUrl = trackerUrl || (main ? main.trackerUrl : '');
    this.siteId = siteId || (main ? main.siteId : '');
    this.customUrl = null;
    this.title = null;
    this.referrer = document.referrer;
    this.userId = null;
    this.visitorId = null;
    this.fixedVisitorId = false;
    this.cookies = true;
    this.cookie = {path: '/', domain: null, secure: false, sameSite: 'Lax'};
    this.visitorSeconds = 33696000; // 13 months
    this.sessionSeconds = 1800;
    this.prefix = '_pk_';
    this.domains = [];
    this.excludedParams = [];
    this.discardHash = false;
    this.appendix = '';
    this.dimensions = {};
    this.vars = {page: {}, visit: {}, event: {}};
    this.customData = null;
    this.consentRequired = false;
    this.cookieConsentRequired = false;
    this.consentGiven = false;
    this.cookieConsentGiven = false;
    this.respectDnt = false;
    this.performance = true;
    this.customTimings = null;
    this.pageViewId = null;
    this.pageViews = 0;
    this.held = []; // hits waiting for consent
    this.waiting = []; // hits waiting for a gate (client hints, onload timings)
    this.gates = 0;
    this.ecommerceItems = {};
    this.heartbeat = 0;
    this.lastHit = 0;
    this.linkTracking = false;
    this.seenContent = {};
    this.errors = {};
    this.linkClasses = ['matomo_link', 'piwik_link'];
    this.downloadClasses = ['matomo_download', 'piwik_download'];
    this.ignoreClasses = ['matomo_ignore', 'piwik_ignore'];
    this.extensions = DOWNLOAD_EXTENSIONS.slice();
    this.facade = null;
    this.hold(hintsGate);
  }

  Tracker.prototype.hold = function (gate) {
    var self = this;
    this.gates++;
    gate.then(function (leaving) {
      self.gates--;
      if (!self.gates) {
        var waiting = self.waiting;
        self.waiting = [];
        for (var i = 0; i < waiting.length; i++) {
          self.deliver(waiting[i], leaving);
        }
      }
    });
  };

  Tracker.prototype.cookieName = function (base) {
    var prefix = this.prefix + base + '.' + this.siteId + '.';
    return findCookieName(prefix) ||
      prefix + hash((this.cookie.domain || window.location.hostname) + this.cookie.path).slice(0, 4);
  };

  Tracker.prototype.optedOut = function () {
    return getCookie('mtm_consent_removed') !== null;
  };

  Tracker.prototype.hasConsent = function () {
    return this.consentGiven || getCookie('mtm_consent') !== null;
  };

  Tracker.prototype.hasCookieConsent = function () {
    return this.cookieConsentGiven || getCookie('mtm_cookie_consent') !== null || this.hasConsent();
  };

  Tracker.prototype.canStoreCookies = function () {
    return this.cookies && !this.optedOut() && navigator.cookieEnabled !== false &&
      (!this.consentRequired || this.hasConsent()) &&
      (!this.cookieConsentRequired || this.hasCookieConsent());
  };

  Tracker.prototype.getVisitorId = function () {
    if (!this.visitorId) {
      var stored = this.canStoreCookies() ? getCookie(this.cookieName('id')) : null;
      this.visitorId = stored && /^[0-9a-f]{16}/.test(stored) ? stored.slice(0, 16) : randomHex(16);
    }
    return this.visitorId;
  };

  Tracker.prototype.getVisitorInfo = function () {
    var stored = (this.canStoreCookies() && getCookie(this.cookieName('id')) || '').split('.');
    var created = parseInt(stored[1], 10) || Math.floor(now() / 1000);
    return [stored[1] ? '0' : '1', this.getVisitorId(), created];
  };

  Tracker.prototype.touchCookies = function () {
    if (!this.canStoreCookies()) {
      return;
    }
    var idName = this.cookieName('id');
    var existing = (getCookie(idName) || '').split('.');
    var created = existing[1] || Math.floor(now() / 1000);
    setCookie(idName, this.getVisitorId() + '.' + created + '.', this.visitorSeconds, this.cookie);
    setCookie(this.cookieName('ses'), '1', this.sessionSeconds, this.cookie);
  };

  Tracker.prototype.deleteCookies = function () {
    var options = this.cookie;
    each({id: 1, ses: 1}, function (base) {
      var name = findCookieName(this.prefix + base + '.' + this.siteId + '.');
      if (name) {
        setCookie(name, '', -1, options);
      }
    }.bind(this));
  };

  Tracker.prototype.doNotTrack = function () {
    var dnt = navigator.doNotTrack || window.doNotTrack || navigator.msDoNotTrack;
    return this.respectDnt && (dnt === '1' || dnt === 'yes' || navigator.globalPrivacyControl === true);
  };

  Tracker.prototype.pageUrl = function () {
    var url = String(this.customUrl || window.location.href);
    var at = url.indexOf('#');
    var fragment = at >= 0 && !this.discardHash ? url.slice(at) : '';
    url = at >= 0 ? url.slice(0, at) : url;
    var excluded = this.excludedParams;
    var q = url.indexOf('?');
    if (q >= 0 && excluded.length) {
      var kept = url.slice(q + 1).split('&').filter(function (pair) {
        return excluded.indexOf(pair.split('=')[0]) < 0;
      });
      url = url.slice(0, q) + (kept.length ? '?' + kept.join('&') : '');
    }
    return url + fragment;
  };

  Tracker.prototype.baseParams = function () {
    var date = new Date();
    var params = {
      idsite: this.siteId,
      rec: 1,
      // Unique per hit and unchanged when the hit is sent again: the hit's identity.
      r: randomHex(16),
      h: date.getHours(),
      m: date.getMinutes(),
      s: date.getSeconds(),
      url: this.pageUrl(),
      urlref: this.referrer,
      uid: this.userId,
      pv_id: this.pageViewId,
      send_image: 0,
      res: window.screen ? window.screen.width + 'x' + window.screen.height : ''
    };
    each(this.dimensions, function (id, value) { params['dimension' + id] = value; });
    if (this.customData) {
      params.data = JSON.stringify(this.customData);
    }
    return params;
  };

  Tracker.prototype.request = function (extra, leaving, pageView) {
    if (!this.trackerUrl || !this.siteId) {
      throw new Error('setTrackerUrl and setSiteId are needed before tracking');
    }
    if (this.doNotTrack() || this.optedOut()) { // nothing leaves the browser
      return;
    }
    var params = this.baseParams();
    each(extra, function (key, value) { params[key] = value; });
    this.dispatch({id: params.r, q: encode(params) + this.appendix, t: now(), u: leaving, pv: pageView});
  };

  Tracker.prototype.dispatch = function (item) {
    if (this.consentRequired && !this.hasConsent()) {
      this.held.push(item); // sent once consent is given, dropped with the page otherwise
    } else if (this.gates) {
      this.waiting.push(item);
    } else {
      this.deliver(item);
    }
  };

  // What depends on consent and on the page's state is added when the hit leaves, not when it
  // was made: a hit held until consent joins the visit of the hits after it.
  Tracker.prototype.deliver = function (item, leaving) {
    var extra = {cookie: this.canStoreCookies() ? 1 : 0, uadata: clientHints};
    if (this.canStoreCookies() || this.fixedVisitorId) {
      extra._id = this.getVisitorId();
    }
    if (this.consentGiven) {
      extra.consent = 1;
    }
    if (item.pv) {
      var timings = this.timings();
      each(timings, function (key, value) { extra[key] = value; });
    }
    this.touchCookies();
    this.lastHit = now();
    senderFor(this.trackerUrl).send({id: item.id, q: item.q + '&' + encode(extra), t: item.t},
      leaving || item.u);
  };

  Tracker.prototype.timings = function () {
    var t = window.performance && window.performance.timing;
    if (!this.performance) {
      return {};
    }
    if (this.customTimings) {
      var custom = this.customTimings;
      this.customTimings = null;
      return custom;
    }
    if (!t || !t.navigationStart) {
      return {};
    }
    function span(a, b) {
      return a && b && b >= a ? b - a : undefined;
    }
    return {
      pf_net: span(t.fetchStart, t.connectEnd),
      pf_srv: span(t.requestStart, t.responseStart),
      pf_tfr: span(t.responseStart, t.responseEnd),
      pf_dm1: span(t.domLoading, t.domInteractive),
      pf_dm2: span(t.domInteractive, t.domComplete),
      pf_onl: span(t.loadEventStart, t.loadEventEnd)
    };
  };

  Tracker.prototype.releaseHeld = function () {
    var held = this.held;
    this.held = [];
    for (var i = 0; i < held.length; i++) {
      this.dispatch(held[i]);
    }
  };

  Tracker.prototype.linkKind = function (link) {
    if (hasClass(link, this.downloadClasses) || link.hasAttribute('download')) {
      return 'download';
    }
    var path = link.pathname || '';
    var dot = path.lastIndexOf('.');
    if (dot >= 0 && this.extensions.indexOf(path.slice(dot + 1).toLowerCase()) >= 0) {
      return 'download';
    }
    if (hasClass(link, this.linkClasses)) {
      return 'link';
    }
    if (!/^https?:$/.test(link.protocol)) {
      return null;
    }
    return this.isSiteHost((link.hostname || '').toLowerCase()) ? null : 'link';
  };

  Tracker.prototype.isSiteHost = function (host) {
    var domains = this.domains.concat([window.location.hostname]);
    for (var i = 0; i < domains.length; i++) {
      var domain = String(domains[i]).toLowerCase().replace(/\/.*$/, '').replace(/^\./, '*.');
      if (domain.indexOf('*.') === 0) {
        domain = domain.slice(2);
        if (host === domain || host.slice(-domain.length - 1) === '.' + domain) {
          return true;
        }
      } else if (host === domain) {
        return true;
      }
    }
    return false;
  };

  Tracker.prototype.onClick = function (event) {
    if (!this.linkTracking) {
      return;
    }
    var node = event.target;
    while (node && node.tagName !== 'A' && node.tagName !== 'AREA') {
      node = node.parentNode;
    }
    if (!node || !node.href || hasClass(node, this.ignoreClasses)) {
      return;
    }
    var kind = this.linkKind(node);
    if (kind) {
      // A beacon survives the page being left; a link opened elsewhere leaves this page alive,
      // so the hit can take the path that is retried on failure.
      var elsewhere = event.button === 1 || event.ctrlKey || event.metaKey || event.shiftKey ||
        (node.target && node.target !== '_self');
      var params = {};
      params[kind] = node.href;
      this.request(params, !elsewhere);
    }
  };

  /* ------------------------------------------------------------------------- content tracking */

  function contentNodes(root) {
    var nodes = root && root.querySelectorAll ? [].slice.call(root.querySelectorAll('[data-track-content]')) : [];
    if (root && root.hasAttribute && root.hasAttribute('data-track-content')) {
      nodes.unshift(root);
    }
    return nodes;
  }

  function contentOf(node) {
    var pieceNode = node.querySelector('[data-content-piece]') || node;
    var name = node.getAttribute('data-content-name') || pieceNode.getAttribute('data-content-piece') || 'Unknown';
    var piece = pieceNode.getAttribute('data-content-piece') || pieceNode.src || 'Unknown';
    var targetNode = node.querySelector('[data-content-target]') || node;
    var target = targetNode.getAttribute('data-content-target') || targetNode.href || '';
    return {c_n: name, c_p: piece, c_t: target, ca: 1};
  }

  function isVisible(node) {
    var box = node.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0 &&
      box.top < (window.innerHeight || document.documentElement.clientHeight) &&
      box.left < (window.innerWidth || document.documentElement.clientWidth);
  }

  // One impression per content block and page; a click on a block is its interaction.
  Tracker.prototype.impressions = function (nodes, visibleOnly) {
    var tracker = this;
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      if (visibleOnly && !isVisible(node)) {
        continue;
      }
      var content = contentOf(node);
      var key = content.c_n + '\n' + content.c_p + '\n' + content.c_t;
      if (!this.seenContent[key]) {
        this.seenContent[key] = true;
        this.request(content);
      }
      if (!node.analyticsContent) {
        node.analyticsContent = true;
        on(node, 'click', function () {
          api.trackContentInteractionNode.call(tracker, this, 'click');
        });
      }
    }
  };

  /* --------------------------------------------------------------------------- the _paq API */

  var api = {
    setTrackerUrl: function (url) { if (!this.ownUrl) { this.trackerUrl = url; } },
    setSiteId: function (id) { if (!this.ownSite) { this.siteId = id; } },
    getTrackerUrl: function () { return this.trackerUrl; },
    getMatomoUrl: function () { return this.trackerUrl.replace(/[^/]*$/, ''); },
    getSiteId: function () { return this.siteId; },
    setCustomUrl: function (url) { this.customUrl = url; },
    getCurrentUrl: function () { return this.pageUrl(); },
    setDocumentTitle: function (title) { this.title = title; },
    setReferrerUrl: function (url) { this.referrer = url; },
    setDomains: function (domains) { this.domains = [].concat(domains); },
    setExcludedQueryParams: function (names) { this.excludedParams = [].concat(names); },
    discardHashTag: function (enable) { this.discardHash = enable !== false; },
    appendToTrackingUrl: function (query) { this.appendix = query ? '&' + String(query).replace(/^&/, '') : ''; },
    setCustomData: function (key, value) {
      if (typeof key === 'object') {
        this.customData = key;
      } else {
        this.customData = this.customData || {};
        this.customData[key] = value;
      }
    },
    getCustomData: function () { return this.customData; },
    setUserId: function (id) { this.userId = id ? String(id) : null; },
    resetUserId: function () { this.userId = null; },
    getUserId: function () { return this.userId; },
    setVisitorId: function (id) {
      if (/^[0-9a-fA-F]{16}$/.test(id)) {
        this.visitorId = id.toLowerCase();
        this.fixedVisitorId = true;
      }
    },
    getVisitorId: function () { return this.getVisitorId(); },
    getVisitorInfo: function () { return this.getVisitorInfo(); },
    getPageViewId: function () { return this.pageViewId; },
    getNumTrackedPageViews: function () { return this.pageViews; },
    setCustomDimension: function (id, value) { if (id > 0) { this.dimensions[id] = String(value); } },
    getCustomDimension: function (id) { return this.dimensions[id]; },
    deleteCustomDimension: function (id) { delete this.dimensions[id]; },
    setCustomVariable: function (index, name, value, scope) {
      (this.vars[scope] || this.vars.visit)[index] = [String(name), String(value)];
    },
    getCustomVariable: function (index, scope) { return (this.vars[scope] || this.vars.visit)[index]; },
    deleteCustomVariable: function (index, scope) { delete (this.vars[scope] || this.vars.visit)[index]; },
    deleteCustomVariables: function (scope) { this.vars[scope || 'visit'] = {}; },

    disableCookies: function () {
      this.cookies = false;
      this.deleteCookies();
      if (!this.fixedVisitorId) {
        this.visitorId = null;
      }
    },
    deleteCookies: function () { this.deleteCookies(); },
    hasCookies: function () { return this.canStoreCookies(); },
    areCookiesEnabled: function () { return this.canStoreCookies(); },
    setCookieDomain: function (domain) { this.cookie.domain = String(domain).replace(/^\*/, ''); },
    setCookiePath: function (path) { this.cookie.path = path; },
    setCookieNamePrefix: function (prefix) { this.prefix = prefix; },
    setSecureCookie: function (enable) { this.cookie.secure = !!enable; },
    setCookieSameSite: function (value) {
      this.cookie.sameSite = value;
      if (String(value).toLowerCase() === 'none') {
        this.cookie.secure = true; // browsers drop SameSite=None cookies that are not secure
      }
    },
    setVisitorCookieTimeout: function (seconds) { this.visitorSeconds = +seconds; },
    setSessionCookieTimeout: function (seconds) { this.sessionSeconds = +seconds; },

    setDoNotTrack: function (enable) { this.respectDnt = enable !== false; },
    requireConsent: function () { this.consentRequired = true; },
    isConsentRequired: function () { return this.consentRequired; },
    setConsentGiven: function () {
      this.consentGiven = true;
      this.releaseHeld();
    },
    rememberConsentGiven: function (hours) {
      setCookie('mtm_consent', String(now()), (hours || 24 * 365 * 30) * 3600, this.cookie);
      api.setConsentGiven.call(this);
    },
    forgetConsentGiven: function () {
      setCookie('mtm_consent', '', -1, this.cookie);
      this.consentGiven = false;
      this.deleteCookies();
    },
    hasConsent: function () { return this.hasConsent(); },
    hasRememberedConsent: function () { return getCookie('mtm_consent') !== null; },
    requireCookieConsent: function () { this.cookieConsentRequired = true; },
    setCookieConsentGiven: function () { this.cookieConsentGiven = true; },
    rememberCookieConsentGiven: function (hours) {
      setCookie('mtm_cookie_consent', String(now()), (hours || 24 * 365 * 30) * 3600, this.cookie);
      this.cookieConsentGiven = true;
    },
    forgetCookieConsentGiven: function () {
      setCookie('mtm_cookie_consent', '', -1, this.cookie);
      this.cookieConsentGiven = false;
      this.deleteCookies();
    },
    optUserOut: function () {
      setCookie('mtm_consent_removed', '1', this.visitorSeconds, this.cookie);
      this.deleteCookies();
    },
    forgetUserOptOut: function () { setCookie('mtm_consent_removed', '', -1, this.cookie); },
    isUserOptedOut: function () { return this.optedOut(); },

    trackPageView: function (title) {
      this.pageViewId = randomHex(6);
      this.pageViews++;
      var params = {action_name: title || this.title || document.title};
      if (hasKeys(this.vars.page)) {
        params.cvar = JSON.stringify(this.vars.page);
      }
      if (hasKeys(this.vars.visit)) {
        params._cvar = JSON.stringify(this.vars.visit);
      }
      // The first page view carries the page's timings. It waits for the end of onload to have
      // them all; hits made meanwhile wait behind it, so they keep their order.
      var timed = this.performance && !this.timingsClaimed;
      if (timed) {
        this.timingsClaimed = true;
        if (!this.customTimings) {
          this.hold(pageLoad());
        }
      }
      this.request(params, false, timed);
    },
    setPagePerformanceTiming: function (net, srv, tfr, dm1, dm2, onl) {
      // For the next page view, e.g. an SPA route that measured itself.
      this.customTimings = {pf_net: net, pf_srv: srv, pf_tfr: tfr, pf_dm1: dm1, pf_dm2: dm2, pf_onl: onl};
      this.timingsClaimed = false;
    },
    disablePerformanceTracking: function () { this.performance = false; },
    trackEvent: function (category, action, name, value) {
      if (!category || !action) {
        throw new Error('trackEvent needs a category and an action');
      }
      var params = {e_c: category, e_a: action, e_n: name, e_v: value, ca: 1};
      if (hasKeys(this.vars.event)) {
        params.e_cvar = JSON.stringify(this.vars.event);
      }
      this.request(params);
    },
    trackSiteSearch: function (keyword, category, count) {
      this.request({search: keyword, search_cat: category instanceof Array ? JSON.stringify(category) : category,
        search_count: count});
    },
    trackGoal: function (idGoal, revenue) {
      this.request({idgoal: idGoal, revenue: revenue});
    },
    trackLink: function (url, type) {
      var params = {};
      params[type === 'download' ? 'download' : 'link'] = url;
      this.request(params, true);
    },
    trackRequest: function (query) {
      var params = {};
      String(query).replace(/([^&=?]+)=?([^&]*)/g, function (m, k, v) {
        params[decodeURIComponent(k)] = decodeURIComponent(v.replace(/\+/g, ' '));
      });
      this.request(params);
    },
    ping: function () {
      this.request({ping: 1});
    },
    enableHeartBeatTimer: function (seconds) {
      var tracker = this;
      var first = !this.heartbeat;
      this.heartbeat = Math.max(seconds || 15, 5) * 1000;
      if (!first) {
        return;
      }
      // When the visitor leaves the tab, a ping tells how long the page was read.
      var beat = function (leaving) {
        if (tracker.lastHit && now() - tracker.lastHit >= tracker.heartbeat) {
          tracker.request({ping: 1}, leaving === true);
        }
      };
      on(document, 'visibilitychange', function () {
        if (document.visibilityState === 'hidden') {
          beat(true);
        }
      });
      on(window, 'blur', beat);
      on(window, 'pagehide', function () { beat(true); });
    },
    disableHeartBeatTimer: function () { this.heartbeat = Infinity; },
    enableJSErrorTracking: function () {
      var tracker = this;
      if (this.errorTracking) {
        return;
      }
      this.errorTracking = true;
      window.addEventListener('error', safe(function (event) {
        if (event.message === undefined) {
          return; // a resource that failed to load, not a script error
        }
        var where = (event.filename || window.location.href) + ':' + event.lineno + ':' + event.colno;
        var message = event.error && event.error.message || event.message;
        if (!tracker.errors[where + message]) { // one event per distinct error and page
          tracker.errors[where + message] = true;
          api.trackEvent.call(tracker, 'JavaScript Errors', where, message);
        }
      }));
    },

    setEcommerceView: function (sku, name, category, price) {
      this.request({_pks: sku, _pkn: name, _pkc: category instanceof Array ? JSON.stringify(category) : category,
        _pkp: price, action_name: this.title || document.title});
    },
    addEcommerceItem: function (sku, name, category, price, quantity) {
      if (sku) {
        this.ecommerceItems[sku] = [String(sku), name || '', category || '', price || 0, quantity || 1];
      }
    },
    removeEcommerceItem: function (sku) { delete this.ecommerceItems[sku]; },
    clearEcommerceCart: function () { this.ecommerceItems = {}; },
    getEcommerceItems: function () { return JSON.parse(JSON.stringify(this.ecommerceItems)); },
    trackEcommerceCartUpdate: function (total) {
      this.request({idgoal: 0, revenue: total, ec_items: JSON.stringify(values(this.ecommerceItems))});
    },
    trackEcommerceOrder: function (orderId, total, subtotal, tax, shipping, discount) {
      this.request({idgoal: 0, ec_id: orderId, revenue: total, ec_st: subtotal, ec_tx: tax,
        ec_sh: shipping, ec_dt: discount, ec_items: JSON.stringify(values(this.ecommerceItems))});
      this.ecommerceItems = {};
    },

    trackContentImpression: function (name, piece, target) {
      if (name) {
        this.request({c_n: name, c_p: piece || 'Unknown', c_t: target, ca: 1});
      }
    },
    trackContentInteraction: function (interaction, name, piece, target) {
      if (name && interaction) {
        this.request({c_i: interaction, c_n: name, c_p: piece || 'Unknown', c_t: target, ca: 1});
      }
    },
    trackAllContentImpressions: function () {
      this.impressions(contentNodes(document), false);
    },
    trackContentImpressionsWithinNode: function (node) {
      this.impressions(contentNodes(node), false);
    },
    trackVisibleContentImpressions: function (checkOnScroll, intervalMs) {
      var tracker = this;
      this.impressions(contentNodes(document), true);
      if (checkOnScroll === false || this.watchingContent) {
        return;
      }
      this.watchingContent = true;
      var timer = null;
      var check = function () {
        if (!timer) { // at most one check per interval while the visitor scrolls
          timer = window.setTimeout(safe(function () {
            timer = null;
            tracker.impressions(contentNodes(document), true);
          }), intervalMs || 750);
        }
      };
      on(window, 'scroll', check);
      on(window, 'resize', check);
    },
    trackContentInteractionNode: function (node, interaction) {
      var block = node && node.closest ? node.closest('[data-track-content]') : null;
      if (block) {
        var content = contentOf(block);
        content.c_i = interaction || 'click';
        this.request(content, true);
      }
    },

    enableLinkTracking: function () {
      var tracker = this;
      this.linkTracking = true;
      if (this.linkListening) {
        return; // SPAs call it after each route change; one listener sees every link
      }
      this.linkListening = true;
      on(document, 'click', function (event) { tracker.onClick(event); });
      on(document, 'auxclick', function (event) {
        if (event.button === 1) {
          tracker.onClick(event);
        }
      });
    },
    disableLinkTracking: function () { this.linkTracking = false; },
    setLinkClasses: function (names) { this.linkClasses = this.linkClasses.concat(names); },
    setDownloadClasses: function (names) { this.downloadClasses = this.downloadClasses.concat(names); },
    setIgnoreClasses: function (names) { this.ignoreClasses = this.ignoreClasses.concat(names); },
    setDownloadExtensions: function (list) { this.extensions = typeof list === 'string' ? list.split('|') : list; },
    addDownloadExtensions: function (list) {
      this.extensions = this.extensions.concat(typeof list === 'string' ? list.split('|') : list);
    },
    removeDownloadExtensions: function (list) {
      var drop = typeof list === 'string' ? list.split('|') : list;
      this.extensions = this.extensions.filter(function (e) { return drop.indexOf(e) < 0; });
    }
  };
  for (var n = 0; n < NO_OPS.length; n++) {
    api[NO_OPS[n]] = function () {};
  }

  function hasKeys(object) {
    for (var key in object) {
      if (has(object, key)) {
        return true;
      }
    }
    return false;
  }

  function values(object) {
    var out = [];
    each(object, function (key, value) { out.push(value); });
    return out;
  }

  /* ---------------------------------------------------------------------------- command queue */

  // What pages get from Matomo.getTracker(), getAsyncTracker() and `this` in a pushed function.
  function facadeOf(tracker) {
    if (!tracker.facade) {
      var facade = {};
      each(api, function (name, method) {
        facade[name] = safe(function () { return method.apply(tracker, arguments); });
      });
      tracker.facade = facade;
    }
    return tracker.facade;
  }

  function addTracker(url, siteId) {
    var tracker = new Tracker(url, siteId);
    trackers.push(tracker);
    return facadeOf(tracker);
  }

  function run(command) {
    // Matomo's form is _paq.push([function () { ... }]); a bare function works too.
    var fn = typeof command === 'function' ? command : command[0];
    if (typeof fn === 'function') {
      fn.apply(facadeOf(trackers[0]), fn === command ? [] : Array.prototype.slice.call(command, 1));
      return undefined;
    }
    var name = String(command[0]);
    var args = Array.prototype.slice.call(command, 1);
    if (name === 'addTracker') {
      return addTracker(args[0], args[1]);
    }
    if (name.indexOf('::') > 0) { // 'trackerName::method': trackers have no names here, so all
      name = name.split('::')[1];
    }
    if (!has(api, name)) {
      throw new Error('unknown tracker method ' + name);
    }
    var result;
    for (var i = 0; i < trackers.length; i++) {
      result = api[name].apply(trackers[i], args);
    }
    return result;
  }

  function runAll(commands) {
    var first = [];
    var rest = [];
    for (var i = 0; i < commands.length; i++) {
      var c = commands[i];
      (c && typeof c !== 'function' && FIRST.indexOf(c[0]) >= 0 ? first : rest).push(c);
    }
    var all = first.concat(rest);
    for (var j = 0; j < all.length; j++) {
      safe(run)(all[j]);
    }
  }

  addTracker();
  var queue = window._paq && window._paq.length !== undefined ? window._paq : [];
  window._paq = {push: safe(function () { runAll(Array.prototype.slice.call(arguments)); return 0; })};
  runAll(queue);

  on(window, 'online', retryAll);
  on(window, 'pagehide', orphanAll);
  on(window, 'pageshow', retryAll); // back from the page cache: alive again
  window.setInterval(safe(retryAll), RETRY_MS);
  for (var t = 0; t < trackers.length; t++) {
    if (trackers[t].trackerUrl) {
      senderFor(trackers[t].trackerUrl); // hits kept by an earlier page go out now
    }
  }
  safe(retryAll)();

  window.AnalyticsTracker = {
    getTracker: safe(function (url, siteId) { return facadeOf(new Tracker(url, siteId)); }),
    getAsyncTracker: safe(function (url, siteId) {
      for (var i = 0; i < trackers.length; i++) {
        if ((!url || trackers[i].trackerUrl === url) && (!siteId || String(trackers[i].siteId) === String(siteId))) {
          return facadeOf(trackers[i]);
        }
      }
      return url ? undefined : facadeOf(trackers[0]);
    }),
    addTracker: safe(addTracker),
    initialized: true
  };
  if (!window.Matomo) {
    window.Matomo = window.AnalyticsTracker;
  }
  if (!window.Piwik) {
    window.Piwik = window.AnalyticsTracker;
  }
  each({matomoAsyncInit: 1, piwikAsyncInit: 1}, function (name) {
    if (typeof window[name] === 'function') {
      safe(window[name])();
    }
  });
})(window, document, navigator);
