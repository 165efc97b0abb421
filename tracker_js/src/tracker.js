/*
 * analytics-server JavaScript tracker.
 *
 * Speaks Matomo's Tracking HTTP API and accepts Matomo's `_paq` command queue, so a portal
 * switches by changing the tracker URL. Hits that cannot be delivered (network down, server
 * 5xx/503) are kept in localStorage and sent again later, in order, as bulk requests.
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
  var FIRST = ['addTracker', 'setTrackerUrl', 'setSiteId', 'disableCookies', 'setCookieDomain',
    'setCookiePath', 'setCookieNamePrefix', 'setDomains', 'setUserId', 'setVisitorId',
    'requireConsent', 'requireCookieConsent', 'setConsentGiven', 'setCookieConsentGiven',
    'setDoNotTrack', 'disablePerformanceTracking', 'enableLinkTracking', 'setRequestQueueInterval'];
  var QUEUE_LIMIT = 500;
  var VISITOR_COOKIE_SECONDS = 33696000; // 13 months
  var SESSION_COOKIE_SECONDS = 1800;

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
    for (var key in params) {
      if (Object.prototype.hasOwnProperty.call(params, key) && params[key] !== undefined &&
          params[key] !== null && params[key] !== '') {
        parts.push(encodeURIComponent(key) + '=' + encodeURIComponent(String(params[key])));
      }
    }
    return parts.join('&');
  }

  function getCookie(name) {
    var match = document.cookie.match(new RegExp('(?:^|;)\\s?' + name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '=(.*?)(?:;|$)'));
    return match ? decodeURIComponent(match[1]) : null;
  }

  function setCookie(name, value, seconds, path, domain) {
    var cookie = name + '=' + encodeURIComponent(value) + ';path=' + (path || '/') + ';SameSite=Lax';
    if (seconds !== undefined) {
      cookie += ';expires=' + new Date(now() + seconds * 1000).toUTCString();
    }
    if (domain) {
      cookie += ';domain=' + domain;
    }
    if (window.location.protocol === 'https:') {
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

  function hostOf(url) {
    var a = document.createElement('a');
    a.href = url;
    return (a.hostname || '').toLowerCase();
  }

  function hasClass(element, names) {
    var classes = ' ' + (element.className && element.className.baseVal !== undefined
      ? element.className.baseVal : element.className || '') + ' ';
    for (var i = 0; i < names.length; i++) {
      if (classes.indexOf(' ' + names[i] + ' ') >= 0) {
        return true;
      }
    }
    return false;
  }

  /* ------------------------------------------------------------------ delivery and offline queue */

  var sequence = 0;

  function Sender(trackerUrl) {
    this.url = trackerUrl;
    this.key = '_pk_queue_' + hash(trackerUrl);
    this.store = storage();
    this.memory = [];
    this.flushing = false;
  }

  Sender.prototype.pending = function () {
    if (!this.store) {
      return this.memory;
    }
    try {
      return JSON.parse(this.store.getItem(this.key) || '[]');
    } catch (e) {
      return [];
    }
  };

  Sender.prototype.save = function (items) {
    items = items.slice(-QUEUE_LIMIT);
    if (!this.store) {
      this.memory = items;
      return;
    }
    try {
      if (items.length) {
        this.store.setItem(this.key, JSON.stringify(items));
      } else {
        this.store.removeItem(this.key);
      }
    } catch (e) {
      this.memory = items;
    }
  };

  Sender.prototype.keep = function (query, createdAt) {
    var items = this.pending();
    items.push({q: query, t: createdAt || now()});
    // Failures may come back out of order: keep hits in the order they happened.
    items.sort(function (a, b) { return a.t - b.t; });
    this.save(items);
  };

  Sender.prototype.post = function (body, contentType, done) {
    var xhr = new XMLHttpRequest();
    xhr.open('POST', this.url, true);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Content-Type', contentType);
    xhr.onreadystatechange = function () {
      if (xhr.readyState === 4) {
        done(xhr.status >= 200 && xhr.status < 400);
      }
    };
    xhr.send(body);
  };

  Sender.prototype.send = function (query, onUnload) {
    var self = this;
    var createdAt = now() + (sequence++) / 1000; // unique and ordered, even within a millisecond
    if (this.pending().length) {
      this.keep(query, createdAt); // keep the order: older hits first
      this.flush();
      return;
    }
    if (onUnload && navigator.sendBeacon) {
      var blob = new Blob([query], {type: 'application/x-www-form-urlencoded; charset=UTF-8'});
      if (navigator.sendBeacon(this.url, blob)) {
        return;
      }
    }
    this.post(query, 'application/x-www-form-urlencoded; charset=UTF-8', function (ok) {
      if (!ok) {
        self.keep(query, createdAt);
      }
    });
  };

  Sender.prototype.flush = function () {
    var self = this;
    var items = this.pending();
    if (this.flushing || !items.length) {
      return;
    }
    this.flushing = true;
    var batch = items.slice(0, 50);
    var requests = [];
    for (var i = 0; i < batch.length; i++) {
      var late = Math.floor((now() - batch[i].t) / 1000);
      requests.push('?' + batch[i].q + (late > 0 ? '&cdo=' + late : ''));
    }
    // Form content type, like single hits: a "simple" CORS request needs no preflight; the
    // server recognises a bulk body by its "requests" key.
    this.post(JSON.stringify({requests: requests}), 'application/x-www-form-urlencoded; charset=UTF-8', function (ok) {
      self.flushing = false;
      if (ok) {
        // Drop exactly what was sent; hits queued meanwhile stay, in order.
        self.save(self.pending().slice(batch.length));
        self.flush();
      }
    });
  };

  /* ------------------------------------------------------------------------------- the tracker */

  function Tracker(trackerUrl, siteId) {
    this.trackerUrl = trackerUrl || '';
    this.siteId = siteId || '';
    // A tracker added with its own URL and site keeps them when the page configures the main one.
    this.own = !!(trackerUrl && siteId);
    this.customUrl = null;
    this.title = null;
    this.referrer = document.referrer;
    this.userId = null;
    this.visitorId = null;
    this.cookies = true;
    this.cookieDomain = null;
    this.cookiePath = '/';
    this.prefix = '_pk_';
    this.domains = [];
    this.dimensions = {};
    this.pageVars = {};
    this.visitVars = {};
    this.consentRequired = false;
    this.cookieConsentRequired = false;
    this.consentGiven = false;
    this.respectDnt = false;
    this.performance = true;
    this.pageViewId = null;
    this.held = [];
    this.ecommerceItems = {};
    this.heartbeat = 0;
    this.lastHit = 0;
    this.linkClasses = ['matomo_link', 'piwik_link'];
    this.downloadClasses = ['matomo_download', 'piwik_download'];
    this.ignoreClasses = ['matomo_ignore', 'piwik_ignore'];
    this.extensions = DOWNLOAD_EXTENSIONS.slice();
    this.sender = null;
  }

  Tracker.prototype.cookieName = function (base) {
    return this.prefix + base + '.' + this.siteId + '.' + hash(this.cookieDomain || window.location.hostname).slice(0, 4);
  };

  Tracker.prototype.canStoreCookies = function () {
    if (!this.cookies || getCookie('mtm_consent_removed')) {
      return false;
    }
    if ((this.consentRequired || this.cookieConsentRequired) && !this.hasConsent()) {
      return false;
    }
    return navigator.cookieEnabled !== false;
  };

  Tracker.prototype.hasConsent = function () {
    return this.consentGiven || getCookie('mtm_consent') !== null || getCookie('mtm_cookie_consent') !== null;
  };

  Tracker.prototype.getVisitorId = function () {
    if (this.visitorId) {
      return this.visitorId;
    }
    var stored = this.canStoreCookies() ? getCookie(this.cookieName('id')) : null;
    if (stored) {
      this.visitorId = stored.split('.')[0];
    } else {
      this.visitorId = randomHex(16);
    }
    return this.visitorId;
  };

  Tracker.prototype.getVisitorInfo = function () {
    var parts = (this.canStoreCookies() && getCookie(this.cookieName('id')) || '').split('.');
    return ['0', this.getVisitorId(), parts[1] || Math.floor(now() / 1000)];
  };

  Tracker.prototype.touchCookies = function () {
    if (!this.canStoreCookies()) {
      return;
    }
    var idName = this.cookieName('id');
    var existing = getCookie(idName);
    var created = existing ? existing.split('.')[1] : Math.floor(now() / 1000);
    setCookie(idName, this.getVisitorId() + '.' + created + '.', VISITOR_COOKIE_SECONDS, this.cookiePath, this.cookieDomain);
    setCookie(this.cookieName('ses'), '1', SESSION_COOKIE_SECONDS, this.cookiePath, this.cookieDomain);
  };

  Tracker.prototype.doNotTrack = function () {
    var dnt = navigator.doNotTrack || window.doNotTrack || navigator.msDoNotTrack;
    return this.respectDnt && (dnt === '1' || dnt === 'yes');
  };

  Tracker.prototype.pageUrl = function () {
    return this.customUrl || window.location.href;
  };

  Tracker.prototype.baseParams = function () {
    var date = new Date();
    var params = {
      idsite: this.siteId,
      rec: 1,
      r: randomHex(6),
      h: date.getHours(),
      m: date.getMinutes(),
      s: date.getSeconds(),
      url: this.pageUrl(),
      urlref: this.referrer,
      uid: this.userId,
      pv_id: this.pageViewId,
      send_image: 0,
      res: window.screen ? window.screen.width + 'x' + window.screen.height : '',
      cookie: this.canStoreCookies() ? 1 : 0
    };
    if (this.cookies || this.userId) {
      params._id = this.getVisitorId();
    }
    for (var id in this.dimensions) {
      if (Object.prototype.hasOwnProperty.call(this.dimensions, id)) {
        params['dimension' + id] = this.dimensions[id];
      }
    }
    if (this.consentGiven) {
      params.consent = 1;
    }
    return params;
  };

  Tracker.prototype.request = function (extra, onUnload) {
    if (!this.trackerUrl || !this.siteId) {
      throw new Error('setTrackerUrl and setSiteId are needed before tracking');
    }
    if (this.doNotTrack() || getCookie('mtm_consent_removed')) { // opted out: nothing leaves
      return;
    }
    var params = this.baseParams();
    for (var key in extra) {
      if (Object.prototype.hasOwnProperty.call(extra, key)) {
        params[key] = extra[key];
      }
    }
    var query = encode(params);
    if (this.consentRequired && !this.hasConsent()) {
      this.held.push(query); // sent once consent is given, dropped with the page otherwise
      return;
    }
    this.touchCookies();
    this.lastHit = now();
    if (!this.sender) {
      this.sender = senders[this.trackerUrl] || (senders[this.trackerUrl] = new Sender(this.trackerUrl));
    }
    this.sender.send(query, onUnload);
  };

  Tracker.prototype.performanceParams = function () {
    var timing = window.performance && window.performance.timing;
    if (!this.performance || !timing || !timing.navigationStart) {
      return {};
    }
    var t = timing;
    function span(a, b) {
      return a && b && b >= a ? b - a : undefined;
    }
    this.performance = false; // once per page load
    return {
      pf_net: span(t.fetchStart, t.connectEnd),
      pf_srv: span(t.requestStart, t.responseStart),
      pf_tfr: span(t.responseStart, t.responseEnd),
      pf_dm1: span(t.domLoading, t.domInteractive),
      pf_dm2: span(t.domInteractive, t.domComplete),
      pf_onl: span(t.loadEventStart, t.loadEventEnd)
    };
  };

  /* ------------------------------------------------------------------------ tracking methods */

  var api = {
    setTrackerUrl: function (url) { if (!this.own) { this.trackerUrl = url; this.sender = null; } },
    setSiteId: function (id) { if (!this.own) { this.siteId = id; } },
    setCustomUrl: function (url) { this.customUrl = url; },
    setDocumentTitle: function (title) { this.title = title; },
    setReferrerUrl: function (url) { this.referrer = url; },
    setUserId: function (id) { this.userId = id ? String(id) : null; },
    resetUserId: function () { this.userId = null; },
    getUserId: function () { return this.userId; },
    setVisitorId: function (id) { if (/^[0-9a-fA-F]{16}$/.test(id)) { this.visitorId = id.toLowerCase(); } },
    getVisitorId: function () { return this.getVisitorId(); },
    getVisitorInfo: function () { return this.getVisitorInfo(); },
    getPageViewId: function () { return this.pageViewId; },
    getTrackerUrl: function () { return this.trackerUrl; },
    getSiteId: function () { return this.siteId; },
    setCustomDimension: function (id, value) { if (id > 0) { this.dimensions[id] = value; } },
    getCustomDimension: function (id) { return this.dimensions[id]; },
    deleteCustomDimension: function (id) { delete this.dimensions[id]; },
    setCustomVariable: function (index, name, value, scope) {
      var vars = scope === 'page' ? this.pageVars : this.visitVars;
      vars[index] = [String(name), String(value)];
    },
    deleteCustomVariable: function (index, scope) {
      delete (scope === 'page' ? this.pageVars : this.visitVars)[index];
    },
    disableCookies: function () { this.cookies = false; this.visitorId = null; },
    setCookieDomain: function (domain) { this.cookieDomain = domain.replace(/^\*/, ''); },
    setCookiePath: function (path) { this.cookiePath = path; },
    setCookieNamePrefix: function (prefix) { this.prefix = prefix; },
    setDomains: function (domains) { this.domains = [].concat(domains); },
    setDoNotTrack: function (enable) { this.respectDnt = enable !== false; },
    disablePerformanceTracking: function () { this.performance = false; },
    requireConsent: function () { this.consentRequired = true; },
    requireCookieConsent: function () { this.cookieConsentRequired = true; },
    setConsentGiven: function () {
      this.consentGiven = true;
      var held = this.held;
      this.held = [];
      for (var i = 0; i < held.length; i++) {
        this.touchCookies();
        if (!this.sender) {
          this.sender = senders[this.trackerUrl] || (senders[this.trackerUrl] = new Sender(this.trackerUrl));
        }
        this.sender.send(held[i] + '&consent=1');
      }
    },
    rememberConsentGiven: function (hours) {
      setCookie('mtm_consent', String(now()), (hours || 24 * 365 * 30) * 3600);
      api.setConsentGiven.call(this);
    },
    forgetConsentGiven: function () {
      setCookie('mtm_consent', '', -1);
      this.consentGiven = false;
    },
    setCookieConsentGiven: function () { this.consentGiven = true; },
    rememberCookieConsentGiven: function (hours) {
      setCookie('mtm_cookie_consent', String(now()), (hours || 24 * 365 * 30) * 3600);
      this.consentGiven = true;
    },
    hasConsent: function () { return this.hasConsent(); },
    optUserOut: function () { setCookie('mtm_consent_removed', '1', VISITOR_COOKIE_SECONDS); },
    forgetUserOptOut: function () { setCookie('mtm_consent_removed', '', -1); },
    isUserOptedOut: function () { return getCookie('mtm_consent_removed') !== null; },

    trackPageView: function (title) {
      this.pageViewId = randomHex(6);
      var params = {action_name: title || this.title || document.title};
      var perf = this.performanceParams();
      for (var key in perf) {
        if (Object.prototype.hasOwnProperty.call(perf, key)) {
          params[key] = perf[key];
        }
      }
      if (hasKeys(this.pageVars)) {
        params.cvar = JSON.stringify(this.pageVars);
      }
      if (hasKeys(this.visitVars)) {
        params._cvar = JSON.stringify(this.visitVars);
      }
      this.request(params);
    },
    trackEvent: function (category, action, name, value) {
      if (!category || !action) {
        throw new Error('trackEvent needs a category and an action');
      }
      this.request({e_c: category, e_a: action, e_n: name, e_v: value, ca: 1});
    },
    trackSiteSearch: function (keyword, category, count) {
      this.request({search: keyword, search_cat: category, search_count: count});
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
      query.replace(/([^&=]+)=?([^&]*)/g, function (m, k, v) {
        params[decodeURIComponent(k)] = decodeURIComponent(v.replace(/\+/g, ' '));
      });
      this.request(params);
    },
    ping: function () {
      this.request({ping: 1}, true);
    },
    enableHeartBeatTimer: function (seconds) {
      var tracker = this;
      this.heartbeat = Math.max(seconds || 15, 5) * 1000;
      var beat = safe(function () {
        if (tracker.lastHit && now() - tracker.lastHit >= tracker.heartbeat) {
          tracker.request({ping: 1}, true);
        }
      });
      document.addEventListener('visibilitychange', function () {
        if (document.visibilityState === 'hidden') {
          beat();
        }
      });
      window.addEventListener('blur', beat);
      window.addEventListener('pagehide', beat);
    },
    setEcommerceView: function (sku, name, category, price) {
      this.request({_pks: sku, _pkn: name, _pkc: category instanceof Array ? JSON.stringify(category) : category, _pkp: price, action_name: this.title || document.title});
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
        this.request({c_n: name, c_p: piece, c_t: target, ca: 1});
      }
    },
    trackContentInteraction: function (interaction, name, piece, target) {
      if (name && interaction) {
        this.request({c_i: interaction, c_n: name, c_p: piece, c_t: target, ca: 1});
      }
    },
    trackAllContentImpressions: function () {
      var nodes = contentNodes(document);
      for (var i = 0; i < nodes.length; i++) {
        var c = contentOf(nodes[i]);
        this.request({c_n: c.name, c_p: c.piece, c_t: c.target, ca: 1});
      }
    },
    trackVisibleContentImpressions: function () {
      var nodes = contentNodes(document);
      for (var i = 0; i < nodes.length; i++) {
        var box = nodes[i].getBoundingClientRect();
        if (box.bottom > 0 && box.top < (window.innerHeight || 0) && box.width && box.height) {
          var c = contentOf(nodes[i]);
          this.request({c_n: c.name, c_p: c.piece, c_t: c.target, ca: 1});
        }
      }
    },
    trackContentInteractionNode: function (node, interaction) {
      var block = node && node.closest ? node.closest('[data-track-content]') : null;
      if (block) {
        var c = contentOf(block);
        this.request({c_i: interaction || 'click', c_n: c.name, c_p: c.piece, c_t: c.target, ca: 1});
      }
    },
    setLinkClasses: function (names) { this.linkClasses = this.linkClasses.concat(names); },
    setDownloadClasses: function (names) { this.downloadClasses = this.downloadClasses.concat(names); },
    setIgnoreClasses: function (names) { this.ignoreClasses = this.ignoreClasses.concat(names); },
    setDownloadExtensions: function (list) { this.extensions = typeof list === 'string' ? list.split('|') : list; },
    addDownloadExtensions: function (list) { this.extensions = this.extensions.concat(typeof list === 'string' ? list.split('|') : list); },
    enableLinkTracking: function () {
      var tracker = this;
      document.addEventListener('click', safe(function (event) {
        var node = event.target;
        while (node && node.tagName !== 'A' && node.tagName !== 'AREA') {
          node = node.parentNode;
        }
        if (!node || !node.href || hasClass(node, tracker.ignoreClasses)) {
          return;
        }
        var kind = tracker.linkKind(node);
        if (kind) {
          api.trackLink.call(tracker, node.href, kind);
        }
      }), true);
    },
    setRequestQueueInterval: function () {}
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
    var host = hostOf(link.href);
    if (!/^https?:$/.test(link.protocol)) {
      return null;
    }
    return this.isSiteHost(host) ? null : 'link';
  };

  Tracker.prototype.isSiteHost = function (host) {
    var domains = this.domains.length ? this.domains : [window.location.hostname];
    for (var i = 0; i < domains.length; i++) {
      var domain = String(domains[i]).toLowerCase().replace(/\/.*$/, '');
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

  function hasKeys(object) {
    for (var key in object) {
      if (Object.prototype.hasOwnProperty.call(object, key)) {
        return true;
      }
    }
    return false;
  }

  function values(object) {
    var out = [];
    for (var key in object) {
      if (Object.prototype.hasOwnProperty.call(object, key)) {
        out.push(object[key]);
      }
    }
    return out;
  }

  function contentNodes(root) {
    return root.querySelectorAll ? root.querySelectorAll('[data-track-content]') : [];
  }

  function contentOf(node) {
    var pieceNode = node.querySelector('[data-content-piece]') || node;
    var name = node.getAttribute('data-content-name') || pieceNode.getAttribute('data-content-piece') || 'Unknown';
    var piece = pieceNode.getAttribute('data-content-piece') || (pieceNode.src || '') || 'Unknown';
    var targetNode = node.querySelector('[data-content-target]') || node;
    var target = targetNode.getAttribute('data-content-target') || targetNode.href || '';
    return {name: name, piece: piece, target: target};
  }

  /* --------------------------------------------------------------------------- command queue */

  var senders = {};
  var trackers = [];

  function run(command) {
    if (typeof command === 'function') {
      command.call(trackers[0]);
      return;
    }
    var name = command[0];
    var args = Array.prototype.slice.call(command, 1);
    if (name === 'addTracker') {
      trackers.push(new Tracker(args[0], args[1]));
      return;
    }
    var targets = trackers;
    if (name.indexOf('::') > 0) { // 'trackerName::method' is not supported: all trackers
      name = name.split('::')[1];
    }
    if (!api[name]) {
      throw new Error('unknown tracker method ' + name);
    }
    var result;
    for (var i = 0; i < targets.length; i++) {
      result = api[name].apply(targets[i], args);
    }
    return result;
  }

  function runAll(commands) {
    // Setup calls apply before tracking calls, whatever the order they were pushed in.
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

  trackers.push(new Tracker());
  var queue = window._paq && window._paq.length !== undefined ? window._paq : [];
  window._paq = {push: safe(function () { runAll(Array.prototype.slice.call(arguments)); })};
  runAll(queue);

  function flushAll() {
    for (var url in senders) {
      if (Object.prototype.hasOwnProperty.call(senders, url)) {
        senders[url].flush();
      }
    }
  }
  window.addEventListener('online', safe(flushAll));
  window.setInterval(safe(flushAll), 5000);
  for (var t = 0; t < trackers.length; t++) {
    if (trackers[t].trackerUrl) {
      senders[trackers[t].trackerUrl] = senders[trackers[t].trackerUrl] || new Sender(trackers[t].trackerUrl);
    }
  }
  safe(flushAll)();

  window.AnalyticsTracker = {
    getTracker: function (url, siteId) {
      var tracker = new Tracker(url, siteId);
      var facade = {};
      for (var name in api) {
        if (Object.prototype.hasOwnProperty.call(api, name)) {
          facade[name] = safe((function (method) {
            return function () { return method.apply(tracker, arguments); };
          })(api[name]));
        }
      }
      return facade;
    },
    getAsyncTracker: function () { return trackers[0]; }
  };
  if (!window.Matomo) {
    window.Matomo = window.AnalyticsTracker;
  }
  if (!window.Piwik) {
    window.Piwik = window.AnalyticsTracker;
  }
})(window, document, navigator);
