// Dwell's one Forge function: Atlassian's personal data reporting for the account ids Dwell's
// remote stores about this site. The manifest's scheduledTrigger runs it every day; the remote
// says whether the site is due (once a cycle, 7 days by default), so a failed report is tried
// again the next day rather than a week later.
//
// 1. GET /forge/personal-data/accounts from the remote (invokeRemote: Forge adds a Forge
//    Invocation Token naming this installation and no user): {due: false} when the site was
//    reported within the cycle (the run ends there), else {due: true, accounts:
//    [{accountId, updatedAt}]}.
// 2. privacy.reportPersonalData from @forge/api, 90 accounts a call (Atlassian's limit), one
//    call at a time; a 429 is waited out as its Retry-After says (at most 10 s, three times).
// 3. POST /forge/personal-data/closed with the ids Atlassian answered `closed`: the remote
//    erases them and records the site as reported.
//
// The design decision: the remote never gets a token that could read Jira, so the reporting
// runs here, and the remote only lists and erases. Any failure throws before step 3: nothing
// is erased on a report that did not complete, and the site stays due for the next day's run
// (Forge does not retry a function that throws). `updated` needs nothing: Dwell copies no
// personal data (no names, no e-mail addresses). Forge may invoke a scheduled function twice:
// the second run finds the site reported and not due, and does nothing.
'use strict';

const { invokeRemote, privacy } = require('@forge/api');

/** The manifest's remote. */
const REMOTE = 'dwell';
/** The most accounts one reportPersonalData request may carry. */
const BATCH = 90;
const MAX_WAITS = 3;
const MAX_WAIT_MS = 10000;
const DEFAULT_WAIT_MS = 5000;

async function remote(path, init) {
  const res = await invokeRemote(REMOTE, { path, ...init });
  if (!res.ok) {
    throw new Error(`the remote answered ${init.method} ${path} with ${res.status}`);
  }
  return res.json();
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long a 429 asks to wait, in milliseconds. */
function retryAfter(res) {
  const value = res.headers && typeof res.headers.get === 'function'
    ? res.headers.get('retry-after')
    : null;
  const seconds = value === null ? NaN : Number(value);
  const ms = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : DEFAULT_WAIT_MS;
  return Math.min(ms, MAX_WAIT_MS);
}

/** One batch's answer: the accounts that need action. Throws when the report fails. */
async function report(batch) {
  for (let waits = 0; ; waits += 1) {
    try {
      return await privacy.reportPersonalData(batch);
    } catch (e) {
      // reportPersonalData rejects with the Response on any status but 200 and 204.
      const status = e && typeof e.status === 'number' ? e.status : null;
      if (status === 429 && waits < MAX_WAITS) {
        await pause(retryAfter(e));
        continue;
      }
      if (status !== null) {
        throw new Error(`the personal data report was answered ${status}`);
      }
      throw e;
    }
  }
}

/** The function's handler: `personal-data.run` in the manifest. */
async function run() {
  const { due, accounts } = await remote('/forge/personal-data/accounts', { method: 'GET' });
  if (due === false) {
    const summary = { due: false };
    console.log('personal data not due: the site was reported within its cycle');
    return { statusCode: 200, body: JSON.stringify(summary) };
  }
  if (due !== true || !Array.isArray(accounts)) {
    throw new Error('the remote did not say whether the site is due, or did not list accounts');
  }
  const closed = [];
  let updated = 0;
  for (let at = 0; at < accounts.length; at += BATCH) {
    const batch = accounts.slice(at, at + BATCH);
    const asked = new Set(batch.map((a) => a.accountId));
    for (const answer of (await report(batch)) || []) {
      if (!asked.has(answer.accountId)) {
        throw new Error('the report answered about an account it was not asked about');
      }
      if (answer.status === 'closed') {
        closed.push(answer.accountId);
      } else if (answer.status === 'updated') {
        updated += 1;
      }
    }
  }
  const { erased } = await remote('/forge/personal-data/closed', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ closed }),
  });
  const summary = {
    due: true,
    reported: accounts.length,
    closed: closed.length,
    erased,
    updated,
  };
  console.log(`personal data reported: ${JSON.stringify(summary)}`);
  // The answer a scheduled trigger's function gives the platform (Forge records a 424 for
  // any other shape).
  return { statusCode: 200, body: JSON.stringify(summary) };
}

exports.run = run;
