// A Custom UI that exercises Atlassian's own @forge/bridge (7.2.0, bundled by esbuild in
// jira-sim's browser test) inside the simulator's Forge host page, and reports what it saw
// through showFlag, which the host page renders where the test can read it.
import { invokeRemote, requestJira, requestRemote, showFlag, view } from '@forge/bridge';

async function run() {
  const out = {};
  const ctx = await view.getContext();
  out.context = {
    accountId: ctx.accountId,
    moduleKey: ctx.moduleKey,
    timezone: ctx.timezone,
    extensionType: ctx.extension && ctx.extension.type,
    cloudId: ctx.cloudId,
  };
  const me = await requestJira('/rest/api/3/myself');
  out.jira = { status: me.status, accountId: (await me.json()).accountId };
  const search = await requestJira('/rest/api/3/search/jql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jql: 'project = WEB ORDER BY key', fields: ['created'], maxResults: 1 }),
  });
  const page = await search.json();
  out.search = { status: search.status, created: page.issues[0].fields.created };
  out.invoke = await invokeRemote({ path: '/api/echo', method: 'POST', body: { hello: 'forge' } });
  const remote = await requestRemote('config-api', { path: '/api/remote', method: 'GET' });
  out.remote = { status: remote.status, body: await remote.text() };
  try {
    await globalThis.__bridge.callBridge('notACommand', {});
    out.unknown = 'answered';
  } catch (e) {
    out.unknown = 'rejected: ' + e.message;
  }
  return out;
}

run()
  .catch((e) => ({ error: String((e && e.stack) || e) }))
  .then((out) => showFlag({ id: 'bridge-test', title: 'bridge-test', description: JSON.stringify(out) }));
