#!/usr/bin/env node
// `npm start`: runs the five Plantbridge services on the embedded defaults (SQLite in ./.data) against
// the NATS at NATS_URL, or a nats-server spawned from PATH with JetStream in ./.data/nats, and the
// SAP-shaped ERP simulator unless ERP_BASE_URL points at a real ERP.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { nodeArgsFor } = require('../runtime/launch');

const ROOT = path.resolve(__dirname, '../..');
// The first plant's OPC UA line simulator; each further plant takes the next two ports.
const OPCUA_PORT = 4840;
const OPCUA_CONTROL_PORT = 4841;
const SERVICES = [
  ['edge-gateway', 3001],
  ['production-order-sync', 3002],
  ['inventory-movement', 3003],
  ['quality-events', 3004],
  ['maintenance-routing', 3005],
];

const HELP = `Usage: npm start [-- --data-dir DIR] [--plant CODE] [--port-base N] [--erp-port N]
                 [--plants N] [--machines N] [--operation-seconds N] [--no-mes]
                 [--erp-outage AT:FOR] [--broker-restart AT:FOR] [--duration S] [--status-every S]

Runs Plantbridge for --plants plants (default 2: P100 and P200), each with the five services on
embedded defaults, one line of machines and a scripted MES, against one ERP:
  - NATS: the server at NATS_URL (default nats://127.0.0.1:4222) if it answers, else a nats-server
    from PATH with JetStream storing in <data-dir>/nats;
  - ERP: the SAP-shaped simulator (tools/erp-simulator) on --erp-port, releasing two orders to each
    plant at once and one more every minute; set ERP_BASE_URL to use a real SAP S/4HANA instead;
  - machines: per plant an OPC UA line simulator (tools/opcua-simulator, --machines machines) on
    ports 4840 and 4841 (the next plant 4842 and 4843, …), read by that plant's edge-gateway through
    a mapping written from apps/edge-gateway/mappings/simulator-line.json; set TAG_MAPPING_FILE
    (with --plants 1) to read real PLCs instead;
  - each service on SQLite in <data-dir>/<plant> (<data-dir> itself with --plants 1; set
    DATABASE_URL to use PostgreSQL instead), plant n's services on ports port-base + 10·(n-1) + 1…5;
  - a scripted MES (tools/mes-client) that acknowledges released orders and runs their operations
    on the machines, so machine counts become confirmations (AUTO_CONFIRM_COUNTS=true) posted to ERP.
A status line every few seconds shows orders, ERP postings (posted / waiting / in doubt / failed)
and the ERP's state. Ctrl-C drains and stops everything and prints a summary.

Options:
  --data-dir DIR   local state (SQLite files, NATS store); default ./.data
  --plant CODE     code of the first plant; default P100 (or PLANT_ID); the next are P200, P300, …
  --plants N       plants to run, 1 to 9; default 2
  --machines N     machines per line, 1 to 20; default 3
  --port-base N    first HTTP port; the first plant's services take N+1 .. N+5; default 3000
  --erp-port N     port of the ERP simulator; default 4300
  --operation-seconds N
                   how long the MES script runs an operation on a machine; default 60
  --no-mes         do not run the MES script (drive the REST API yourself)
  --erp-outage AT:FOR
                   the ERP simulator answers 503 from AT seconds after start for FOR seconds
                   (watch postings wait and then go through, none lost, none twice)
  --broker-restart AT:FOR
                   stops the nats-server that npm start runs AT seconds after start and starts it
                   again FOR seconds later (services buffer and catch up); needs that server: set
                   NATS_URL to a free port, e.g. nats://127.0.0.1:4333, if one runs on 4222
  --duration S     stop by itself after S seconds (default: run until Ctrl-C)
  --status-every S seconds between status lines; default 5 (0: none)
  --help           this text

Every other setting is an environment variable passed to the services (see README, Configuration).`;

function parseArgs(argv) {
  const options = {
    dataDir: path.join(ROOT, '.data'),
    plant: process.env.PLANT_ID || 'P100',
    portBase: 3000,
    erpPort: 4300,
    operationSeconds: 60,
    plants: 2,
    machines: 3,
    mes: true,
    erpOutage: null,
    brokerRestart: null,
    duration: 0,
    statusEvery: 5,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (argv[i + 1] === undefined) fail(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--help' || arg === '-h') {
      console.log(HELP);
      process.exit(0);
    } else if (arg === '--data-dir') options.dataDir = path.resolve(value());
    else if (arg === '--plant') options.plant = value();
    else if (arg === '--port-base') options.portBase = Number(value());
    else if (arg === '--erp-port') options.erpPort = Number(value());
    else if (arg === '--operation-seconds') options.operationSeconds = Number(value());
    else if (arg === '--no-mes') options.mes = false;
    else if (arg === '--plants') options.plants = Number(value());
    else if (arg === '--machines') options.machines = Number(value());
    else if (arg === '--duration') options.duration = Number(value());
    else if (arg === '--status-every') options.statusEvery = Number(value());
    else if (arg === '--erp-outage') options.erpOutage = schedule(arg, value());
    else if (arg === '--broker-restart') options.brokerRestart = schedule(arg, value());
    else fail(`unknown option ${arg}; see npm start -- --help`);
  }
  if (!Number.isInteger(options.portBase) || options.portBase < 1 || options.portBase > 65530)
    fail('--port-base must be a port number');
  if (!Number.isInteger(options.erpPort) || options.erpPort < 1 || options.erpPort > 65535)
    fail('--erp-port must be a port number');
  if (!Number.isInteger(options.plants) || options.plants < 1 || options.plants > 9)
    fail('--plants must be a whole number from 1 to 9');
  if (!Number.isInteger(options.machines) || options.machines < 1 || options.machines > 20)
    fail('--machines must be a whole number from 1 to 20');
  if (!(options.operationSeconds > 0)) fail('--operation-seconds must be a positive number');
  if (!(options.duration >= 0)) fail('--duration must be a number of seconds');
  if (!(options.statusEvery >= 0)) fail('--status-every must be a number of seconds');
  if (options.erpOutage && process.env.ERP_BASE_URL)
    fail('--erp-outage needs the ERP simulator; unset ERP_BASE_URL');
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(options.plant))
    fail('--plant must be a plant code (letters, digits, _ or -)');
  return options;
}

/** `AT:FOR` in seconds: a fault that starts AT seconds after start and lasts FOR seconds. */
function schedule(flag, text) {
  const match = /^(\d+):(\d+)$/.exec(text);
  if (!match) fail(`${flag} takes AT:FOR in seconds, e.g. 60:30`);
  return { atS: Number(match[1]), forS: Number(match[2]) };
}

function fail(message) {
  console.error(`plantbridge: ${message}`);
  process.exit(2);
}

function answers(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port || 4222), hostname);
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

function portFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/** One `npm start` per data folder: a second one would share the SQLite files and the NATS store. */
function takeLock(dataDir) {
  fs.mkdirSync(dataDir, { recursive: true });
  const lock = path.join(dataDir, 'plantbridge.pid');
  try {
    fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
  } catch {
    const pid = Number(fs.readFileSync(lock, 'utf8'));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {}
    if (alive)
      fail(`Plantbridge is already running from ${dataDir} (pid ${pid}); stop it first or use --data-dir`);
    fs.writeFileSync(lock, String(process.pid));
  }
  return () => fs.rmSync(lock, { force: true });
}

async function resolveNats(dataDir) {
  const url = process.env.NATS_URL || 'nats://127.0.0.1:4222';
  if (await answers(url.split(',')[0].trim())) {
    console.log(`NATS: using ${url}`);
    return { url, stop: async () => undefined };
  }
  const found = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).stdout.trim();
  if (!found) {
    fail(
      `no NATS server answers at ${url} and nats-server is not on PATH.\n` +
        '  Install one: `apt-get install nats-server` (Debian/Ubuntu), `brew install nats-server` (macOS),\n' +
        '  or download it from the NATS project; or set NATS_URL to a server with JetStream enabled.',
    );
  }
  const port = Number(new URL(url.split(',')[0].trim()).port || 4222);
  const store = path.join(dataDir, 'nats');
  fs.mkdirSync(store, { recursive: true });
  const local = `nats://127.0.0.1:${port}`;
  const launch = async () => {
    const child = spawn(found, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 100 && !(await answers(local)); i++) await new Promise((r) => setTimeout(r, 100));
    if (!(await answers(local))) fail(`nats-server did not start on port ${port}`);
    return child;
  };
  const halt = (child) =>
    new Promise((resolve) =>
      child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')),
    );
  let child = await launch();
  console.log(`NATS: started ${found} on ${local} (JetStream in ${store})`);
  return {
    url: local,
    stop: () => halt(child),
    /** Stops the broker and starts it again on the same store after `downMs` (--broker-restart). */
    restart: async (downMs) => {
      await halt(child);
      await new Promise((r) => setTimeout(r, downMs));
      child = await launch();
    },
  };
}

/** Prints a service's JSON log lines compactly: `service  LEVEL message`. */
function relayLogs(name, stream, width) {
  let buffer = '';
  const levels = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
  stream.on('data', (chunk) => {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      let text = line;
      try {
        const entry = JSON.parse(line);
        text = `${levels[entry.level] || entry.level} ${entry.context ? `[${entry.context}] ` : ''}${entry.msg}`;
      } catch {}
      if (text.trim()) console.log(`${name.padEnd(width)}  ${text}`);
    }
  });
}

/** Starts one of the helpers in tools/ and waits until it prints `readyText`. */
async function startTool(label, entry, args, readyText = 'listening') {
  const child = spawn(process.execPath, nodeArgsFor(entry, args), {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk) => (output += chunk);
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const deadline = Date.now() + 30_000;
  while (!output.includes(readyText)) {
    if (child.exitCode !== null || Date.now() > deadline) fail(`the ${label} did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  child.stdout.off('data', collect);
  child.stderr.off('data', collect);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The ERP the services talk to: ERP_BASE_URL when set (a real SAP), else the simulator, started here. */
async function resolveErp(options, plants) {
  if (process.env.ERP_BASE_URL) return { url: process.env.ERP_BASE_URL, child: null, stop: async () => {} };
  const simulator = await startTool('ERP simulator', 'tools/erp-simulator/src/main.ts', [
    ...['--port', String(options.erpPort), '--plants', plants.map((p) => p.code).join(',')],
    // Enough per order for a few minutes of the line's counts (a confirmation above the order
    // quantity plus tolerance is refused).
    ...['--orders', '2', '--release-every', '60000', '--quantity', '5000'],
  ]);
  return { url: `http://127.0.0.1:${options.erpPort}`, ...simulator };
}

/**
 * The plants to run: codes (the first from --plant, then P200, P300, …), their ports (services at
 * port-base + 10 × index + 1 … 5, OPC UA simulator at 4840 + 2 × index and the next port for its
 * control API) and data folders.
 */
function plantsOf(options) {
  const codes = [options.plant];
  for (let n = 2; codes.length < options.plants; n++) if (!codes.includes(`P${n}00`)) codes.push(`P${n}00`);
  return codes.map((code, index) => ({
    code,
    dataDir: options.plants === 1 ? options.dataDir : path.join(options.dataDir, code),
    services: SERVICES.map(([name], i) => ({ name, port: options.portBase + 10 * index + i + 1 })),
    opcuaPort: OPCUA_PORT + 2 * index,
    opcuaControlPort: OPCUA_CONTROL_PORT + 2 * index,
    equipment: Array.from(
      { length: options.machines },
      (_, m) => `${code}-L1-M${String(m + 1).padStart(2, '0')}`,
    ),
  }));
}

/**
 * The machines a plant's edge gateway reads: TAG_MAPPING_FILE when set (real PLCs), else an OPC UA
 * line simulator started here, with a mapping written for it from the template
 * apps/edge-gateway/mappings/simulator-line.json (machine M01's tags, repeated per machine).
 */
async function resolveMachines(options, plant) {
  if (process.env.TAG_MAPPING_FILE) {
    return { mappingFile: process.env.TAG_MAPPING_FILE, child: null, stop: async () => {} };
  }
  const simulator = await startTool(
    `OPC UA line simulator of ${plant.code}`,
    'tools/opcua-simulator/src/main.ts',
    [
      ...['--port', String(plant.opcuaPort), '--control-port', String(plant.opcuaControlPort)],
      ...['--machines', String(options.machines), '--data-dir', path.join(plant.dataDir, 'opcua-simulator')],
    ],
  );
  const template = JSON.parse(
    fs.readFileSync(path.join(ROOT, 'apps/edge-gateway/mappings/simulator-line.json'), 'utf8'),
  );
  const endpoint = template.endpoints[0];
  const firstMachine = endpoint.tags.filter((t) => t.equipmentId === 'P100-L1-M01');
  const mapping = {
    ...template,
    endpoints: [
      {
        ...endpoint,
        url: endpoint.url.replace(':4840/', `:${plant.opcuaPort}/`),
        tags: plant.equipment.flatMap((equipmentId, m) => {
          const machine = `M${String(m + 1).padStart(2, '0')}`;
          return firstMachine.map((tag) =>
            JSON.parse(JSON.stringify(tag).replaceAll('P100-L1-M01', equipmentId).replaceAll('M01', machine)),
          );
        }),
      },
    ],
  };
  const mappingFile = path.join(plant.dataDir, 'simulator-line.json');
  fs.mkdirSync(plant.dataDir, { recursive: true });
  fs.writeFileSync(mappingFile, JSON.stringify(mapping, null, 2));
  return { mappingFile, ...simulator };
}

/** Fails with one message naming the first port something else already uses. */
async function checkPorts(options, plants) {
  for (const plant of plants) {
    for (const { name, port } of plant.services) {
      if (!(await portFree(port)))
        fail(`port ${port} (for ${name} of ${plant.code}) is already in use; use --port-base`);
    }
    if (!process.env.TAG_MAPPING_FILE) {
      for (const port of [plant.opcuaPort, plant.opcuaControlPort]) {
        if (!(await portFree(port)))
          fail(
            `port ${port} (for the OPC UA line simulator of ${plant.code}) is already in use; stop what uses it or set TAG_MAPPING_FILE`,
          );
      }
    }
  }
  if (!process.env.ERP_BASE_URL && !(await portFree(options.erpPort)))
    fail(
      `port ${options.erpPort} (for the ERP simulator) is already in use; use --erp-port or set ERP_BASE_URL`,
    );
}

function spawnService(name, plant, port, env, label) {
  const child = spawn(process.execPath, nodeArgsFor(`apps/${name}/src/main.ts`), {
    cwd: ROOT,
    env: {
      ...process.env,
      ...env,
      HTTP_PORT: String(port),
      DATA_DIR: plant.dataDir,
      PLANT_ID: plant.code,
      AUTO_CONFIRM_COUNTS: process.env.AUTO_CONFIRM_COUNTS || 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  relayLogs(label, child.stdout, LABEL_WIDTH);
  relayLogs(label, child.stderr, LABEL_WIDTH);
  return {
    name,
    label,
    plant,
    port,
    child,
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  };
}

const LABEL_WIDTH = 27;

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const plants = plantsOf(options);
  if (process.env.TAG_MAPPING_FILE && plants.length > 1)
    fail('TAG_MAPPING_FILE names the machines of one plant; run it with --plants 1');
  await checkPorts(options, plants);
  const releaseLock = takeLock(options.dataDir);
  const nats = await resolveNats(options.dataDir);
  if (options.brokerRestart && !nats.restart)
    fail(
      `--broker-restart needs the nats-server that npm start runs, but one already answers at ${nats.url}; ` +
        'set NATS_URL to a free port, e.g. nats://127.0.0.1:4333',
    );
  const erp = await resolveErp(options, plants);
  const machines = [];
  for (const plant of plants) machines.push(await resolveMachines(options, plant));
  const children = plants.flatMap((plant, p) =>
    plant.services.map(({ name, port }) =>
      spawnService(
        name,
        plant,
        port,
        { NATS_URL: nats.url, ERP_BASE_URL: erp.url, TAG_MAPPING_FILE: machines[p].mappingFile },
        plants.length > 1 ? `${plant.code} ${name}` : name,
      ),
    ),
  );
  const orderSyncOf = (plant) =>
    children.find((c) => c.plant === plant && c.name === 'production-order-sync');

  const mesScripts = [];
  let statusTimer;
  let stopping = false;
  const stop = async (reason) => {
    if (stopping) return;
    stopping = true;
    clearInterval(statusTimer);
    console.log(`\nplantbridge: ${reason}; draining the services`);
    await Promise.all(mesScripts.map((m) => m.stop()));
    const last = await Promise.all(plants.map((plant) => readStatus(plant, erp).catch(() => null)));
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGTERM');
    const results = await Promise.all(children.map((c) => c.exited));
    await Promise.all([erp.stop(), ...machines.map((m) => m.stop())]);
    await nats.stop();
    releaseLock();
    children.forEach((c, i) =>
      console.log(
        `  ${c.label.padEnd(LABEL_WIDTH)}  stopped (${results[i].signal || `exit ${results[i].code}`})`,
      ),
    );
    plants.forEach((plant, i) => last[i] && console.log(summaryOf(plant, last[i])));
    process.exit(
      results.every((r) => r.code === 0 || r.signal === 'SIGTERM' || r.signal === 'SIGINT') ? 0 : 1,
    );
  };
  process.on('SIGINT', () => void stop('Ctrl-C'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  for (const c of children)
    void c.exited.then(({ code }) => !stopping && stop(`${c.label} exited with code ${code}`));

  // Report when every service is ready.
  const deadline = Date.now() + 90_000;
  for (const c of children) {
    while (!stopping) {
      const ok = await fetch(`http://127.0.0.1:${c.port}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) return void stop(`${c.label} was not ready within 90 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  if (stopping) return;
  for (const [p, plant] of plants.entries()) {
    console.log(`\nPlantbridge is up for plant ${plant.code} (data in ${plant.dataDir}):`);
    for (const c of children.filter((c) => c.plant === plant))
      console.log(`  ${c.name.padEnd(LABEL_WIDTH)}  http://127.0.0.1:${c.port}  (/health/ready, /metrics)`);
    console.log(
      `  ${'OPC UA'.padEnd(LABEL_WIDTH)}  ${machines[p].child ? `opc.tcp://127.0.0.1:${plant.opcuaPort}/UA/PlantbridgeLine  (line simulator; control API http://127.0.0.1:${plant.opcuaControlPort}/__sim)` : `machines of ${machines[p].mappingFile}`}`,
    );
    console.log(
      `  ${'MES API'.padEnd(LABEL_WIDTH)}  http://127.0.0.1:${orderSyncOf(plant).port}/docs (OpenAPI at /openapi.json)`,
    );
  }
  console.log(
    `\n  ${'ERP'.padEnd(LABEL_WIDTH)}  ${erp.url}${erp.child ? '  (simulator; control API /__sim, see --help of tools/erp-simulator)' : ''}`,
  );
  console.log(
    `\ne.g. curl http://127.0.0.1:${orderSyncOf(plants[0]).port}/v1/plants/${plants[0].code}/production-orders`,
  );
  console.log('Ctrl-C to stop.\n');

  if (options.mes) {
    for (const plant of plants) {
      const mes = await startTool(
        `MES script of ${plant.code}`,
        'tools/mes-client/src/main.ts',
        [
          ...['--url', `http://127.0.0.1:${orderSyncOf(plant).port}`, '--plant', plant.code],
          ...[
            '--equipment',
            plant.equipment.join(','),
            '--operation-seconds',
            String(options.operationSeconds),
          ],
        ],
        'MES script started',
      );
      mesScripts.push(mes);
      relayLogs(plants.length > 1 ? `${plant.code} mes` : 'mes', mes.child.stdout, LABEL_WIDTH);
    }
  }
  if (options.erpOutage) {
    const { atS, forS } = options.erpOutage;
    setTimeout(() => {
      console.log(`plantbridge: ERP outage for ${forS} s starts now (--erp-outage)`);
      void fetch(`${erp.url}/__sim/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outageMs: forS * 1000 }),
      }).catch((error) => console.log(`plantbridge: could not start the ERP outage: ${error.message}`));
    }, atS * 1000).unref();
  }
  if (options.brokerRestart) {
    const { atS, forS } = options.brokerRestart;
    setTimeout(() => {
      console.log(`plantbridge: NATS goes away for ${forS} s now (--broker-restart)`);
      void nats.restart(forS * 1000).then(() => console.log('plantbridge: NATS is back'));
    }, atS * 1000).unref();
  }
  if (options.duration)
    setTimeout(() => void stop(`--duration ${options.duration} s reached`), options.duration * 1000);
  if (options.statusEvery) {
    statusTimer = setInterval(() => {
      for (const plant of plants) {
        void readStatus(plant, erp).then(
          (status) => !stopping && console.log(statusLine(plant, status)),
          () => undefined,
        );
      }
    }, options.statusEvery * 1000);
  }
}

/** What the status line and the summary show, read from the services' and the ERP's own APIs. */
async function readStatus(plant, erp) {
  const portOf = (name) => plant.services.find((s) => s.name === name).port;
  const base = `http://127.0.0.1:${portOf('production-order-sync')}`;
  const [orderList, metrics, edgeMetrics, faults] = await Promise.all([
    fetch(`${base}/v1/plants/${plant.code}/production-orders`).then((r) => r.json()),
    fetch(`${base}/metrics`).then((r) => r.text()),
    fetch(`http://127.0.0.1:${portOf('edge-gateway')}/metrics`).then((r) => r.text()),
    erp.child ? fetch(`${erp.url}/__sim/faults`).then((r) => r.json()) : Promise.resolve(null),
  ]);
  const orders = {};
  for (const order of orderList) orders[order.status] = (orders[order.status] || 0) + 1;
  const postings = {};
  for (const match of metrics.matchAll(/^plantbridge_erp_postings\{state="([a-z-]+)"\} (\d+)/gm))
    postings[match[1]] = Number(match[2]);
  const sum = (text, pattern) => [...text.matchAll(pattern)].reduce((total, m) => total + Number(m[1]), 0);
  // Posting: from the operation-confirmed delivery to its settlement (posted in ERP, or retry later).
  const postingSeconds = sum(
    metrics,
    /^plantbridge_message_handle_seconds_sum\{durable="[^"]*operation-confirmed"\} ([\d.e+-]+)/gm,
  );
  const postingCount = sum(
    metrics,
    /^plantbridge_message_handle_seconds_count\{durable="[^"]*operation-confirmed"\} (\d+)/gm,
  );
  return {
    orders,
    postings,
    edgeEventsOut: sum(edgeMetrics, /^plantbridge_outbox_relayed_total (\d+)/gm),
    eventsIn: sum(metrics, /^plantbridge_messages_settled_total\{[^}]*settlement="ack"[^}]*\} (\d+)/gm),
    postingAvgMs: postingCount ? Math.round((1000 * postingSeconds) / postingCount) : null,
    outageS: faults ? Math.ceil(faults.outageRemainingMs / 1000) : 0,
    erpSimulated: Boolean(erp.child),
  };
}

function statusLine(plant, status) {
  const { orders, postings, outageS, erpSimulated } = status;
  const orderText = Object.entries(orders)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  const waiting = (postings.pending || 0) + (postings['in-flight'] || 0);
  const erpText = !erpSimulated ? 'ERP real' : outageS > 0 ? `ERP DOWN (${outageS} s left)` : 'ERP up';
  const latency = status.postingAvgMs === null ? '' : `, ${status.postingAvgMs} ms per posting`;
  return (
    `${plant.code} status  orders: ${orderText || 'none yet'} | events: edge out ${status.edgeEventsOut}, ` +
    `order-sync in ${status.eventsIn} | ERP postings: ${postings.posted || 0} posted, ${waiting} waiting, ` +
    `${postings['in-doubt'] || 0} in doubt, ${postings.failed || 0} failed${latency} | ${erpText}`
  );
}

function summaryOf(plant, status) {
  const open =
    (status.postings.pending || 0) + (status.postings['in-flight'] || 0) + (status.postings['in-doubt'] || 0);
  return (
    `\n${plant.code} summary  ${statusLine(plant, status).replace(/^\S+ status\s+/, '')}\n` +
    (open
      ? `  ${open} confirmations not yet in ERP stay in the ledger and are posted on the next start.`
      : '  every accepted confirmation is in ERP.')
  );
}

void main();
