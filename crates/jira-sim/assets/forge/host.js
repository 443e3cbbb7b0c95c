// jira-sim's Forge host page script: the Jira side of the simulator's own bridge. The app's
// iframe (on the simulated Forge CDN's origin) runs global-bridge.js, whose callBridge posts
// {type: 'jira-sim:forge-bridge:call', id, command, payload} here; this page answers each
// command as Jira's Forge host does, and accepts messages only from that iframe's window at
// the CDN's origin. The command and reply shapes are @forge/bridge 7.2.0's (forge-notes §1.2).
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('jira-sim-forge').textContent);
  var frame = document.getElementById('forge-app');

  function post(path, body) {
    return fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(j.error || 'jira-sim answered ' + r.status);
        return j;
      });
    });
  }

  function headersObject(h) {
    var out = {};
    h.forEach(function (v, k) { out[k] = v; });
    return out;
  }

  // requestJira: the call goes to the site as the signed-in user, through the same gate as
  // any REST call (latency, faults, rate limits).
  function fetchProduct(p) {
    if (!p || p.product !== 'jira') {
      return Promise.reject(new Error('jira-sim plays Jira only, not ' + (p && p.product)));
    }
    var path = String(p.restPath || '');
    if (path.charAt(0) !== '/') return Promise.reject(new Error('restPath must start with /'));
    var init = p.fetchRequestInit || {};
    return fetch(path, {
      method: init.method || 'GET',
      headers: init.headers || [],
      body: init.body === null || init.body === undefined ? undefined : init.body,
      credentials: 'same-origin',
    }).then(function (r) {
      return r.text().then(function (body) {
        return { status: r.status, statusText: r.statusText, headers: headersObject(r.headers), body: body };
      });
    });
  }

  function flag(options) {
    var box = document.getElementById('flags');
    var el = document.createElement('div');
    el.className = 'flag';
    el.setAttribute('data-flag-id', String(options && options.id));
    el.textContent = String((options && options.title) || '') + (options && options.description ? ': ' + options.description : '');
    box.appendChild(el);
    return { id: options && options.id };
  }

  var handlers = {
    getContext: function () { return Promise.resolve(cfg.context); },
    fetchProduct: fetchProduct,
    invoke: function (p) { return post('/_sim/forge/bridge/invoke', { moduleKey: cfg.moduleKey, payload: p }); },
    fetchRemote: function (p) { return post('/_sim/forge/bridge/fetch-remote', { moduleKey: cfg.moduleKey, payload: p }); },
    navigate: function (p) {
      var url = new URL(p.url, location.origin);
      if (p.type === 'new-tab') window.open(url.href, '_blank', 'noopener');
      else location.assign(url.href);
      return Promise.resolve(null);
    },
    getUrl: function (p) { return Promise.resolve(new URL((p && p.url) || location.href, location.origin).href); },
    enableTheming: function () {
      document.documentElement.setAttribute('data-color-mode', 'light');
      return Promise.resolve(null);
    },
    showFlag: function (p) { return Promise.resolve(flag(p)); },
    closeFlag: function (p) {
      var el = document.querySelector('[data-flag-id="' + String(p && p.id).replace(/"/g, '') + '"]');
      if (el) el.remove();
      return Promise.resolve(null);
    },
  };

  window.addEventListener('message', function (event) {
    if (event.origin !== cfg.cdnOrigin || event.source !== frame.contentWindow) return;
    var m = event.data;
    if (!m || m.type !== 'jira-sim:forge-bridge:call') return;
    var handler = handlers[m.command];
    var answer = handler
      ? Promise.resolve().then(function () { return handler(m.payload); })
      : post('/_sim/forge/bridge/unknown', { command: String(m.command) }).then(function () {
          throw new Error('jira-sim: unknown bridge command ' + JSON.stringify(m.command));
        });
    answer.then(
      function (value) {
        event.source.postMessage({ type: 'jira-sim:forge-bridge:reply', id: m.id, ok: true, value: value }, cfg.cdnOrigin);
      },
      function (e) {
        if (!handler) console.error(e.message);
        event.source.postMessage(
          { type: 'jira-sim:forge-bridge:reply', id: m.id, ok: false, error: { name: e.name, message: e.message } },
          cfg.cdnOrigin
        );
      }
    );
  });
})();
