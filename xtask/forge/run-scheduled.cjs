// Runs a Forge app's scheduled function as the Forge runtime would, against jira-sim: fires the
// manifest's scheduledTrigger on the simulator, then calls the function's real handler (the
// app's own JS, with Atlassian's real @forge/api) with the event and context jira-sim handed
// out. The runtime's one network global, `__forge_fetch__(target, path, init)`, sends every
// call @forge/api makes to jira-sim over HTTP with the run's token: `invokeRemote` (target
// type `frc`) to the simulator's remote proxy, which adds a Forge Invocation Token, and the
// app's calls to Atlassian's API (type `fpp`, remote `stargate`, e.g. reportPersonalData's
// POST /app/report-accounts) to the simulator itself.
//
// Usage: node run-scheduled.cjs APP_DIR SIM_URL TRIGGER_KEY   (NODE_PATH: the Forge packages)
// Prints the handler's result as JSON on the last line and exits 0; exits 1 if it threw.
'use strict';

const path = require('path');

async function main() {
  const [appDir, sim, trigger] = process.argv.slice(2);
  if (!appDir || !sim || !trigger) {
    console.error('usage: run-scheduled.cjs APP_DIR SIM_URL TRIGGER_KEY');
    process.exit(2);
  }
  const fired = await fetch(`${sim}/_sim/forge/scheduled/${encodeURIComponent(trigger)}`, {
    method: 'POST',
  });
  if (!fired.ok) {
    throw new Error(`jira-sim did not fire ${trigger}: ${fired.status} ${await fired.text()}`);
  }
  const run = await fired.json();

  const noop = { incr() {}, measure() { return { stop() {} }; } };
  global.__forge_runtime__ = {
    appContext: { moduleKey: run.trigger },
    metrics: { counter: () => noop, timing: () => noop },
    lambdaContext: { getRemainingTimeInMillis: () => 900000 },
  };
  global.__forge_fetch__ = async (target, to, init = {}) => {
    let url;
    if (target.type === 'frc') {
      url = `${sim}/_sim/forge/runtime/remote/${encodeURIComponent(target.remote)}${to}`;
    } else if (target.type === 'fpp' && target.provider === 'app' && target.remote === 'stargate') {
      url = `${sim}${to}`;
    } else {
      throw new Error(`jira-sim's runtime does not play ${JSON.stringify(target)}`);
    }
    const headers = new Headers(init.headers || {});
    headers.set('authorization', `Bearer ${run.token}`);
    return fetch(url, { ...init, headers });
  };

  const [file, name] = run.function.handler.split('.');
  const handler = require(path.resolve(appDir, 'src', `${file}.js`))[name];
  if (typeof handler !== 'function') {
    throw new Error(`${run.function.handler} is not a function of the app`);
  }
  const result = await handler(run.event, run.context);
  console.log(JSON.stringify(result === undefined ? null : result));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
