// The NATS users of `npm start` when it runs its own nats-server (tools/nats-config): an
// administrator that provisions the streams, and for each plant one least-privilege user per
// service. Like local-auth.js, a short-lived node process of its own writes the server's
// configuration and prints the credentials, so npm start does not keep the TypeScript libraries.
'use strict';
const { execFile } = require('node:child_process');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const RUNTIME = path.join(__dirname, '../runtime/register.js');

function run(args, env = {}) {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['-r', RUNTIME, ...args],
      { cwd: ROOT, timeout: 60_000, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(stderr.trim() || error.message));
        resolve(stdout);
      },
    ),
  );
}

/**
 * Writes `<natsDir>/server.conf` (port, JetStream in `store`, the users; mode 0600) and returns
 * { admin: { user, password }, services: { [plant]: { [service]: { NATS_USER, NATS_PASSWORD } } },
 *   subscribers: [name] }. Passwords are made once and kept in `natsDir`, so a restarted broker
 * and services agree. `subscribersFile` (optional) adds the SaaS subscribers' users.
 */
async function localNats(natsDir, port, store, plants, subscribersFile) {
  const out = await run([
    __filename,
    natsDir,
    String(port),
    store,
    JSON.stringify(plants),
    subscribersFile ?? '',
  ]);
  return JSON.parse(out);
}

/**
 * `npm run provision` as the administrator: the streams least-privilege services may not make, and
 * the subscribers' consumers.
 */
function provisionStreams(url, admin, subscribersFile) {
  return run(
    [
      path.join(ROOT, 'tools/provision/main.ts'),
      ...(subscribersFile ? ['--subscribers', subscribersFile] : []),
    ],
    { NATS_URL: url, NATS_USER: admin.user, NATS_PASSWORD: admin.password },
  );
}

function configure(natsDir, port, store, plants, subscribersFile) {
  const fs = require('node:fs');
  const { PlantNatsUsers, readSubscribersFile } = require('@plantbridge/nats-config');
  const users = new PlantNatsUsers(natsDir);
  const services = {};
  for (const plant of plants) services[plant] = users.addPlant(plant);
  const subscribers = subscribersFile ? users.addSubscribers(readSubscribersFile(subscribersFile)) : [];
  fs.writeFileSync(path.join(natsDir, 'server.conf'), users.serverConfig({ port, storeDir: store }), {
    mode: 0o600,
  });
  return {
    admin: { user: users.admin.user, password: users.admin.password },
    services,
    subscribers: subscribers.map((s) => s.user),
  };
}

if (require.main === module) {
  const [natsDir, port, store, plants, subscribersFile] = process.argv.slice(2);
  try {
    const users = configure(natsDir, Number(port), store, JSON.parse(plants), subscribersFile || undefined);
    process.stdout.write(JSON.stringify(users));
  } catch (error) {
    process.stderr.write(`${error.message || error}\n`);
    process.exit(1);
  }
}

module.exports = { localNats, provisionStreams };
