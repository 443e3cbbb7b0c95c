// jira-sim's global-bridge.js: the simulator's stand-in for the script Forge's CDN serves at
// https://forge.cdn.prod.atlassian-dev.net/global-bridge.js and the Forge CLI prepends to a
// Custom UI's index.html. Like Atlassian's, it defines globalThis.__bridge.callBridge(command,
// payload) (only if absent), through which every @forge/bridge call goes. Atlassian's wire
// protocol to the Jira page is unpublished, so this one is the simulator's own: a postMessage
// to the parent page at the simulator's origin only, answered by the host page, whose replies
// are accepted only from the parent window at that origin.
(function () {
  'use strict';
  if (globalThis.__bridge !== undefined) return;
  var HOST_ORIGIN = '__JIRA_SIM_HOST_ORIGIN__';
  var pending = new Map();
  var next = 1;
  window.addEventListener('message', function (event) {
    if (event.source !== window.parent || event.origin !== HOST_ORIGIN) return;
    var m = event.data;
    if (!m || m.type !== 'jira-sim:forge-bridge:reply') return;
    var p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) {
      p.resolve(m.value);
    } else {
      var e = new Error(m.error && m.error.message ? m.error.message : 'bridge call failed');
      if (m.error && m.error.name) e.name = m.error.name;
      p.reject(e);
    }
  });
  function callBridge(command, payload) {
    return new Promise(function (resolve, reject) {
      var id = next++;
      pending.set(id, { resolve: resolve, reject: reject });
      try {
        window.parent.postMessage(
          { type: 'jira-sim:forge-bridge:call', id: id, command: command, payload: payload },
          HOST_ORIGIN
        );
      } catch (e) {
        pending.delete(id);
        reject(e);
      }
    });
  }
  globalThis.__bridge = { callBridge: callBridge, __SEMVER: 'jira-sim' };
})();
