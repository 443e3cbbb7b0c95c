// Computes the Content-Security-Policy Atlassian's @forge/csp gives a Custom UI resource, for
// jira-sim's test that pins and checks its own implementation (src/forge/csp.rs).
// Usage: node csp.js INDEX_HTML PERMISSIONS_JSON HOSTNAME  (NODE_PATH = the node_modules with
// @forge/csp and cheerio). Prints the policy's directives as a JSON array.
const fs = require('fs');
const { CSPProcessingService, CSPInjectionService } = require('@forge/csp');
const cheerio = require('cheerio');

const [html, permissions, hostname] = process.argv.slice(2);
const logger = { info() {}, warn() {}, debug() {}, error() {} };
const details = new CSPProcessingService(logger, cheerio.load).getCspDetails(
  fs.readFileSync(html, 'utf8'),
  JSON.parse(fs.readFileSync(permissions, 'utf8'))
);
const csp = new CSPInjectionService().getInjectableCSP({
  existingCSPDetails: details,
  microsEnv: 'prod',
  hostname,
});
process.stdout.write(JSON.stringify(csp, null, 1) + '\n');
