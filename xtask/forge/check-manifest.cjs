// Checks Dwell's Forge manifest the way `forge lint` would, with Atlassian's own validator
// (@forge/manifest, installed by `cargo xtask test --only setup`), then Dwell's own rules:
//
// - no endpoint and no remote declares `auth` (appSystemToken / appUserToken): the remote must
//   never receive a token that can read Jira;
// - the only content permission is `unsafe-eval` for scripts (WebAssembly needs it);
// - the scopes are read-only, besides `report:personal-data` (the personal data function's
//   reportPersonalData, which reads nothing).
//
// Usage: node check-manifest.cjs path/to/manifest.yml   (NODE_PATH pointing at the packages)
// Exits 0 when the manifest passes; otherwise prints every problem and exits 1.
'use strict';

const fs = require('fs');
const path = require('path');
const { validate } = require('@forge/manifest');
const YAML = require('yaml');

async function main() {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: check-manifest.cjs MANIFEST');
    process.exit(2);
  }
  const problems = [];
  // The validator resolves resource paths against the working directory.
  process.chdir(path.dirname(path.resolve(file)));
  const result = await validate(false, path.basename(file));
  for (const e of result.errors || []) {
    if (e.level === 'error') {
      problems.push(`@forge/manifest: ${e.message} (line ${e.line})`);
    }
  }
  if (!result.success && problems.length === 0) {
    problems.push('@forge/manifest: validation failed without an error message');
  }

  const manifest = YAML.parse(fs.readFileSync(path.basename(file), 'utf8'));
  const endpoints = (manifest.modules && manifest.modules.endpoint) || [];
  for (const e of endpoints) {
    if ('auth' in e) {
      problems.push(`endpoint ${e.key} declares auth: the remote would receive a Jira token`);
    }
  }
  for (const r of manifest.remotes || []) {
    if ('auth' in r) {
      problems.push(`remote ${r.key} declares auth: the remote would receive a Jira token`);
    }
  }
  const permissions = manifest.permissions || {};
  const content = permissions.content || {};
  const scripts = content.scripts || [];
  if (JSON.stringify(scripts) !== JSON.stringify(['unsafe-eval'])) {
    problems.push(`content.scripts must be exactly [unsafe-eval], found ${JSON.stringify(scripts)}`);
  }
  for (const key of Object.keys(content)) {
    if (key !== 'scripts') {
      problems.push(`content.${key} is declared: Dwell's page needs no other relaxation`);
    }
  }
  for (const scope of permissions.scopes || []) {
    if (!scope.startsWith('read:') && scope !== 'report:personal-data') {
      problems.push(`scope ${scope} is not read-only`);
    }
  }
  if (permissions.external) {
    problems.push('permissions.external is declared: the page talks to Jira and Dwell only');
  }

  if (problems.length > 0) {
    for (const p of problems) console.error(p);
    process.exit(1);
  }
  const pkg = path.join(path.dirname(require.resolve('@forge/manifest')), '..', 'package.json');
  const version = JSON.parse(fs.readFileSync(pkg, 'utf8')).version;
  console.log(`${file}: valid (@forge/manifest ${version})`);
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
