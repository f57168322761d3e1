// The local token issuer of `npm start` (tools/token-issuer): its ES256 keys in <data-dir>/auth,
// made on the first start and kept, so a token from `npm run token` works with every later start.
// The issuer is TypeScript and loads @plantbridge/service-runtime (NestJS and all), about 100 MB
// that npm start would keep for its whole run; so a short-lived node process of its own makes the
// keys and the tokens, and npm start reads them from its output.
'use strict';
const { execFile } = require('node:child_process');
const path = require('node:path');

const RUNTIME = path.join(__dirname, '../runtime/register.js');

/**
 * The env services need to accept the issuer's tokens (AUTH_MODE, AUTH_ISSUER, AUTH_AUDIENCE,
 * AUTH_JWKS_FILE), and a token per entry of `requests` ({ name: { subject, scopes, plants, ttlS } }).
 */
function localAuth(authDir, requests) {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['-r', RUNTIME, __filename, authDir, JSON.stringify(requests)],
      { cwd: path.resolve(__dirname, '../..'), timeout: 60_000 },
      (error, stdout, stderr) => {
        // The first line the issuer printed is its error's message; the rest is the stack.
        if (error) return reject(new Error(stderr.trim().split('\n')[0] || error.message));
        try {
          resolve(JSON.parse(stdout));
        } catch {
          reject(new Error(`the token issuer printed no result: ${stdout.slice(0, 200)} ${stderr}`));
        }
      },
    ),
  );
}

async function issue(authDir, requests) {
  const { LocalIssuer } = require('@plantbridge/token-issuer');
  const issuer = await LocalIssuer.inFolder(authDir);
  const tokens = {};
  for (const [name, request] of Object.entries(requests)) tokens[name] = await issuer.token(request);
  return { env: issuer.env(), tokens };
}

if (require.main === module) {
  const [authDir, requests] = process.argv.slice(2);
  issue(authDir, JSON.parse(requests)).then(
    (result) => process.stdout.write(JSON.stringify(result)),
    (error) => {
      process.stderr.write(`${error.stack || error}\n`);
      process.exit(1);
    },
  );
}

module.exports = { localAuth };
