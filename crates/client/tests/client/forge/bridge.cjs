// Runs Atlassian's @forge/bridge (from .tools/forge/node_modules) under node against a
// `__bridge` that records every callBridge(command, payload) and answers with canned replies,
// so the client's test can require that Dwell's own payloads are the package's. Reads
// {jira: [{method, path, body}], remote: [{method, path, body}], productReply, invokeReply}
// from stdin; prints {calls, jiraAnswers, remoteAnswers} as JSON.
'use strict';
const modules = process.argv[2];
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
// @forge/bridge builds `new Request('', init)`, which a page resolves against its own address;
// node has none, so give it one.
const PageRequest = class extends globalThis.Request {
  constructor(url, init) {
    super(new URL(url, 'https://forge-cdn.invalid/'), init);
  }
};
globalThis.Request = PageRequest;
const calls = [];
globalThis.__bridge = {
  callBridge: async (command, payload) => {
    calls.push({ command, payload: payload === undefined ? null : JSON.parse(JSON.stringify(payload)) });
    if (command === 'fetchProduct') return input.productReply;
    if (command === 'invoke') return input.invokeReply;
    if (command === 'getContext') return { siteUrl: 'https://acme.atlassian.net', locale: 'en-US' };
    throw new Error('unexpected command ' + command);
  },
};
const { requestJira } = require(modules + '/@forge/bridge/out/fetch');
const { invokeRemote } = require(modules + '/@forge/bridge/out/invoke-endpoint');
const { view } = require(modules + '/@forge/bridge/out/view');

(async () => {
  const jiraAnswers = [];
  for (const r of input.jira) {
    const headers = { Accept: 'application/json' };
    if (r.body !== null) headers['Content-Type'] = 'application/json';
    const init = { method: r.method, headers };
    if (r.body !== null) init.body = r.body;
    const res = await requestJira(r.path, init);
    jiraAnswers.push({ status: res.status, retryAfter: res.headers.get('Retry-After'), body: await res.text() });
  }
  const remoteAnswers = [];
  for (const r of input.remote) {
    const headers = { Accept: 'application/json' };
    if (r.body !== null) headers['Content-Type'] = 'application/json';
    if (r.ifMatch !== null) headers['If-Match'] = r.ifMatch;
    const req = { path: r.path, method: r.method, headers };
    if (r.body !== null) req.body = r.body;
    remoteAnswers.push(await invokeRemote(req));
  }
  await view.getContext();
  process.stdout.write(JSON.stringify({ calls, jiraAnswers, remoteAnswers }));
})().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
