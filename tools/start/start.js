#!/usr/bin/env node
// `npm start`: runs the five Plantbridge services on the embedded defaults (SQLite in ./.data) against
// the NATS at NATS_URL, or a nats-server spawned from PATH with JetStream in ./.data/nats, and the
// SAP-shaped ERP simulator unless ERP_BASE_URL points at a real ERP. It supervises what it starts:
// a process that exits on its own is restarted with backoff (supervisor.js); only Ctrl-C or
// --duration stops everything. Each process writes to its log file; the terminal shows status.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { nodeArgsFor } = require('../runtime/launch');
const { localAuth } = require('./local-auth');
const { localNats, provisionStreams } = require('./local-nats');
const { Supervisor } = require('./supervisor');
const { Screen, statusLine, statusBlock, processText, duration } = require('./status-view');

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
// The tokens npm start gives its MES scripts and its status reads last the whole run (a MES script
// keeps its token across restarts), and a demo may run for days.
const TOOL_TOKEN_TTL_S = 30 * 24 * 3600;
const MES_SCOPES = [
  'orders:read',
  'orders:write',
  'confirmations:write',
  'inventory:read',
  'movements:write',
];
const STATUS_SCOPES = ['orders:read', 'management:read', 'inventory:read', 'stock:reconcile'];

const HELP = `Usage: npm start [-- --data-dir DIR] [--plant CODE] [--port-base N] [--erp-port N]
                 [--plants N] [--machines N] [--operation-seconds N] [--no-mes] [--logs]
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
    on the machines, so machine counts become confirmations (AUTO_CONFIRM_COUNTS=true) posted to ERP;
  - auth: the services take the bearer tokens of a local issuer whose keys npm start makes in
    <data-dir>/auth (the MES scripts and the status reads get theirs from it); a token for curl:
    npm run -s token -- --plant P100 --scope orders:read (see npm run token -- --help). /docs,
    /openapi.json and /metrics need none here (MANAGEMENT_ACCESS=open), so the services listen on
    127.0.0.1 only (HTTP_BIND_ADDRESS).

Supervision: a service, simulator or MES script that exits without being asked to is started
again after 1 s, then 2, 4, … up to 30 s while it keeps crashing (1 s again after a minute of
running), and a line says which process of which plant exited (code or signal) and when it
restarts. The ERP simulator keeps its ledger in memory: restarted, it starts with an empty ledger
and releases its orders again, and says so. Only Ctrl-C (SIGINT; also SIGTERM, SIGHUP) or
--duration stops everything: the MES scripts first, then the services drain, then the simulators;
a summary per plant follows (orders, postings, whether every accepted confirmation reached ERP,
what crashed). The exit code is 1 if a process crashed during the run or did not stop cleanly.

Logs and status: each process's output is appended to <data-dir>/<plant>/logs/<process>.log
(<data-dir>/logs with --plants 1, and for the ERP simulator and nats-server), with a line per
start and exit; --logs also streams it here. On a terminal a status block per plant is kept up to
date in place (read every --status-every seconds): orders by state, ERP postings (posted / waiting
/ in doubt / failed), ERP up or down, and each process (up / starting / restarting in N s, restarts
so far). Elsewhere (a pipe, CI) and with --logs, one status line per plant is printed instead.

Options:
  --data-dir DIR   local state (SQLite files, NATS store); default ./.data
  --plant CODE     SAP code of the first plant (up to 4 characters); default P100 (or PLANT_ID); the next are P200, P300, …
  --plants N       plants to run, 1 to 9; default 2
  --machines N     machines per line, 1 to 20; default 3
  --port-base N    first HTTP port; the first plant's services take N+1 .. N+5; default 3000
  --erp-port N     port of the ERP simulator; default 4300
  --operation-seconds N
                   how long the MES script runs an operation on a machine; default 60
  --no-mes         do not run the MES script (drive the REST API yourself)
  --logs           also stream each process's log here, as "P100 edge-gateway  INFO message"
  --erp-outage AT:FOR
                   the ERP simulator answers 503 from AT seconds after start for FOR seconds
                   (watch postings wait and then go through, none lost, none twice)
  --broker-restart AT:FOR
                   stops the nats-server that npm start runs AT seconds after start and starts it
                   again FOR seconds later (services buffer and catch up); needs that server: set
                   NATS_URL to a free port, e.g. nats://127.0.0.1:4333, if one runs on 4222
  --duration S     stop by itself after S seconds (default: run until Ctrl-C)
  --status-every S seconds between status updates; default 5 (0: none)
  --help           this text

SUBSCRIBERS_FILE names a JSON file of SaaS subscribers (README, Security): each becomes a NATS user
of the nats-server npm start runs, reading only through the consumers made for it.

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
    logs: false,
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
    else if (arg === '--logs') options.logs = true;
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
  // inventory-movement's material documents carry the plant: SAP's plant codes have 4 characters.
  if (!/^[A-Za-z0-9_-]{1,4}$/.test(options.plant))
    fail('--plant must be a SAP plant code (1 to 4 letters, digits, _ or -)');
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

async function resolveNats(dataDir, plants) {
  const url = process.env.NATS_URL || 'nats://127.0.0.1:4222';
  const subscribersFile = process.env.SUBSCRIBERS_FILE
    ? path.resolve(process.env.SUBSCRIBERS_FILE)
    : undefined;
  if (await answers(url.split(',')[0].trim())) {
    console.log(`NATS: using ${url} (its users are its own; the services make their streams)`);
    if (subscribersFile)
      console.log(
        `  SUBSCRIBERS_FILE is for the nats-server npm start runs; provision it here with npm run provision`,
      );
    return { url, serviceEnv: () => ({}), stop: async () => undefined };
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
  const logFile = path.join(dataDir, 'logs', 'nats-server.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  // No anonymous access: an administrator and one least-privilege user per service and plant.
  const natsDir = path.join(dataDir, 'nats-auth');
  const users = await localNats(natsDir, port, store, plants, subscribersFile);
  const launch = async () => {
    const log = fs.openSync(logFile, 'a');
    fs.writeSync(log, `\n===== ${new Date().toISOString()} nats-server starts =====\n`);
    // detached: Ctrl-C reaches npm start alone, which stops the broker last, after the services drained.
    const child = spawn(found, ['-c', path.join(natsDir, 'server.conf')], {
      stdio: ['ignore', log, log],
      detached: true,
    });
    fs.closeSync(log);
    for (let i = 0; i < 100 && !(await answers(local)); i++) await new Promise((r) => setTimeout(r, 100));
    if (!(await answers(local))) fail(`nats-server did not start on port ${port}`);
    return child;
  };
  const halt = (child) =>
    new Promise((resolve) =>
      child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')),
    );
  let child = await launch();
  await provisionStreams(local, users.admin, subscribersFile);
  console.log(
    `NATS: started ${found} on ${local} (JetStream in ${store}, log ${shown(logFile)}), ` +
      `a least-privilege user per service (${shown(natsDir)}), streams provisioned`,
  );
  if (users.subscribers.length)
    console.log(
      `  SaaS subscribers ${users.subscribers.join(', ')} with their consumers (passwords in ` +
        `${shown(path.join(natsDir, 'nats-passwords.json'))})`,
    );
  return {
    url: local,
    /** A service's NATS user; it only checks that its streams exist. */
    serviceEnv: (plant, service) => ({ ...users.services[plant][service], NATS_STREAMS: 'check' }),
    stop: () => halt(child),
    /** Stops the broker and starts it again on the same store after `downMs` (--broker-restart). */
    restart: async (downMs) => {
      await halt(child);
      await new Promise((r) => setTimeout(r, downMs));
      child = await launch();
    },
  };
}

const LABEL_WIDTH = 27;
const LEVELS = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };

/** A pino JSON line as `LEVEL [context] message`; any other line as it is. */
function compact(line) {
  try {
    const entry = JSON.parse(line);
    if (entry && typeof entry === 'object' && 'msg' in entry)
      return `${LEVELS[entry.level] || entry.level} ${entry.context ? `[${entry.context}] ` : ''}${entry.msg}`;
  } catch {}
  return line;
}

/** Calls `onLine` with each complete line of `stream`. */
function eachLine(stream, onLine) {
  let buffer = '';
  stream.on('data', (chunk) => {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
    }
  });
}

/** A path as `npm run` sees it (relative to the repository root when inside it), quoted for a shell. */
function relativeToRoot(file) {
  const relative = path.relative(ROOT, file);
  const shown = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? `./${relative}` : file;
  return /^[\w./-]+$/.test(shown) ? shown : `'${shown.replaceAll("'", "'\\''")}'`;
}

/** A path as the user would type it: relative to the current folder when inside it. */
function shown(file) {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? `./${relative}` : file;
}

function exitText({ code, signal }) {
  if (signal) return `signal ${signal}`;
  // 78 (EX_CONFIG) is what a service exits with when it refuses its settings (service-runtime).
  return code === 78 ? 'exit 78: refused its configuration' : `exit ${code}`;
}

/**
 * One process `npm start` runs and supervises: restarted with backoff when it exits on its own
 * (supervisor.js), stdout and stderr appended to `logFile` with a line per start and exit, and with
 * --logs also printed as `label  LEVEL message`. Detached (its own process group): Ctrl-C reaches
 * npm start alone, which then stops everything in order, so services drain while NATS is still up
 * and the summary can still be read from them.
 */
function supervised({
  plant = null,
  name,
  label,
  entry,
  args = [],
  env = process.env,
  logFile,
  say,
  streamLogs,
}) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.createWriteStream(logFile, { flags: 'a' });
  log.on('error', (error) => say(`plantbridge: cannot write ${shown(logFile)}: ${error.message}`));
  const proc = { plant, name, label, logFile, log, child: null, ready: false, wasReady: false, crashes: [] };
  proc.sup = new Supervisor((start) => {
    const child = spawn(process.execPath, nodeArgsFor(entry, args, env.NODE_OPTIONS), {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    log.write(`\n===== ${new Date().toISOString()} ${label}: start ${start}, pid ${child.pid} =====\n`);
    for (const stream of [child.stdout, child.stderr]) {
      stream.pipe(log, { end: false });
      if (streamLogs)
        eachLine(stream, (line) => line.trim() && say(`${label.padEnd(LABEL_WIDTH)}  ${compact(line)}`));
    }
    // 'close' comes after the last output, so this line is the last of this run in the file.
    const closed = new Promise((resolve) =>
      child.once('close', (code, signal) => {
        log.write(
          `===== ${new Date().toISOString()} ${label}: exited (${exitText({ code, signal })}) =====\n`,
        );
        resolve();
      }),
    );
    Object.assign(proc, { child, closed, ready: false, wasReady: false });
    return child;
  });
  return proc;
}

/** Resolves once the running process of `proc` prints `text`; rejects if it exits or time runs out. */
function waitForOutput(proc, text, timeoutMs = 30_000) {
  const { child } = proc;
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk) => (output += chunk).includes(text) && done();
    const onExit = (code, signal) => done(new Error(`it exited (${exitText({ code, signal })})`));
    const timer = setTimeout(() => done(new Error(`it did not print "${text}" within 30 s`)), timeoutMs);
    function done(error) {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    }
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', onExit);
  });
}

/** The last lines of a log file (its last run), for a message that says why something did not start. */
function tailOf(file) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
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
/**
 * The mapping a plant's edge gateway reads the line simulator through, written from the template
 * apps/edge-gateway/mappings/simulator-line.json (machine M01's tags, repeated per machine).
 */
function writeMapping(plant) {
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
  return mappingFile;
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

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const plants = plantsOf(options);
  if (process.env.TAG_MAPPING_FILE && plants.length > 1)
    fail('TAG_MAPPING_FILE names the machines of one plant; run it with --plants 1');
  await checkPorts(options, plants);
  const releaseLock = takeLock(options.dataDir);
  // One issuer for every plant: its keys stay in <data-dir>/auth, so `npm run token` works any time.
  const authDir = path.join(options.dataDir, 'auth');
  const auth = await localAuth(authDir, {
    status: {
      subject: 'plantbridge-start',
      scopes: STATUS_SCOPES,
      plants: plants.map((p) => p.code),
      ttlS: TOOL_TOKEN_TTL_S,
    },
    ...Object.fromEntries(
      plants.map((p) => [
        `mes-${p.code}`,
        { subject: 'mes-script', scopes: MES_SCOPES, plants: [p.code], ttlS: TOOL_TOKEN_TTL_S },
      ]),
    ),
  }).catch((error) => {
    releaseLock();
    fail(`could not make the local token issuer in ${authDir}: ${error.message}`);
  });
  // Streamed logs and a block redrawn in place do not mix: with --logs, status comes as lines.
  const screen = new Screen(process.stdout, Boolean(process.stdout.isTTY) && !options.logs);
  const say = (line) => screen.log(line);
  const event = (line) => say(`${new Date().toTimeString().slice(0, 8)} ${line}`);
  // A closed terminal (SIGHUP) must not crash npm start with EIO and leave the detached processes.
  process.stdout.on('error', () => undefined);
  const nats = await resolveNats(
    options.dataDir,
    plants.map((p) => p.code),
  ).catch((error) => fail(`could not start NATS with its users: ${error.message}`));
  if (options.brokerRestart && !nats.restart)
    fail(
      `--broker-restart needs the nats-server that npm start runs, but one already answers at ${nats.url}; ` +
        'set NATS_URL to a free port, e.g. nats://127.0.0.1:4333',
    );

  const procs = [];
  let stopping = false;
  const start = (spec) => {
    const proc = supervised({ ...spec, say, streamLogs: options.logs });
    proc.sup.on('crash', ({ code, signal, uptimeMs, delayMs }) => {
      proc.crashes.push(exitText({ code, signal }));
      event(
        `${proc.label} exited (${exitText({ code, signal })}) after ${duration(uptimeMs)}; ` +
          `restarting in ${delayMs / 1000} s (restart ${proc.sup.restarts + 1}); log ${shown(proc.logFile)}` +
          (proc.crashNote || ''),
      );
    });
    proc.sup.on('start', ({ pid, start: n }) => n > 1 && event(`${proc.label} restarted (pid ${pid})`));
    procs.push(proc);
    proc.sup.start();
    return proc;
  };
  /** Stops what started so far and exits with `message` (a simulator that did not come up). */
  const abort = async (message) => {
    // Ctrl-C during the start: stop() is exiting already; this start waits for it forever.
    if (stopping) return new Promise(() => undefined);
    stopping = true;
    await Promise.all(procs.map((p) => p.sup.stop()));
    await nats.stop();
    releaseLock();
    fail(message);
  };
  const startAndWait = async (spec) => {
    const proc = start(spec);
    await waitForOutput(proc, 'listening').catch((error) =>
      abort(
        `the ${proc.label} did not start: ${error.message}; its log ${shown(proc.logFile)} ends:\n${tailOf(proc.logFile)}`,
      ),
    );
    return proc;
  };

  const erp = { url: process.env.ERP_BASE_URL, proc: null, restartedAt: null };
  for (const plant of plants) plant.procs = [];
  const services = () => procs.filter((p) => p.port);
  const orderSyncPort = (plant) => plant.services.find((s) => s.name === 'production-order-sync').port;
  const inventoryPort = (plant) => plant.services.find((s) => s.name === 'inventory-movement').port;

  const logDirs = [...new Set([options.dataDir, ...plants.map((p) => p.dataDir)])].map(
    (d) => `${shown(path.join(d, 'logs'))}/`,
  );
  say(
    `Logs: one file per process in ${logDirs.join(', ')}${options.logs ? '' : ' (--logs streams them here too)'}`,
  );

  /** Asks inventory-movement to compare its stock projection with ERP's now: what the summary says. */
  const checkStock = (plant) =>
    fetch(`http://127.0.0.1:${inventoryPort(plant)}/v1/plants/${plant.code}/stock/reconciliations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${auth.tokens.status}`,
        'content-type': 'application/json',
        'idempotency-key': `npm-start-summary-${Date.now()}`,
      },
      body: '{}',
      signal: AbortSignal.timeout(10_000),
    })
      .then(async (r) =>
        r.ok ? r.json() : { error: `inventory-movement answers ${r.status}: ${await r.text()}` },
      )
      .catch((error) => ({ error: `inventory-movement does not answer (${error.message})` }));
  const refreshAll = () =>
    Promise.all([
      ...procs.map(refreshReadiness),
      ...plants.map(async (plant) => {
        try {
          plant.last = { status: await readStatus(plant, erp, auth.tokens.status), at: Date.now() };
          plant.error = null;
        } catch (error) {
          // An answer that refuses (401, 403, 429) is not a service away: say which it is.
          plant.error = error.status
            ? `production-order-sync answers ${error.status}`
            : 'production-order-sync does not answer';
        }
      }),
    ]);
  const startedAt = Date.now();
  const render = () =>
    screen.show(
      statusBlock({
        plants: plants.map((p) => ({ code: p.code, last: p.last, error: p.error, processes: p.procs })),
        shared: [...(erp.proc ? [erp.proc] : [])],
        startedAt,
        width: (process.stdout.columns || 120) - 1,
      }),
    );
  const printLines = () => {
    for (const plant of plants) {
      const notUp = plant.procs
        .filter((p) => !(p.sup.state === 'running' && p.ready))
        .map((p) => processText(p));
      const line =
        plant.last && !plant.error
          ? statusLine(plant.code, plant.last.status)
          : `${plant.code} status  ${plant.error || 'no status yet'}`;
      say(`${line}${notUp.length ? ` | ${notUp.join(', ')}` : ''}`);
    }
  };

  const timers = [];
  const stop = async (reason) => {
    if (stopping) return;
    stopping = true;
    // At once, before any await: a process that exits while the others drain stays stopped.
    for (const p of procs) p.sup.hold();
    timers.forEach(clearInterval);
    if (screen.live) render();
    screen.detach();
    say(`\nplantbridge: ${reason}; draining the services`);
    // The MES first, so nothing new comes in; the summary is read while the services still answer.
    await Promise.all(procs.filter((p) => p.name === 'mes-script').map((p) => p.sup.stop()));
    await refreshAll();
    await Promise.all(plants.map(async (plant) => (plant.stockCheck = await checkStock(plant))));
    const results = await Promise.all(services().map((p) => p.sup.stop()));
    await Promise.all(procs.map((p) => p.sup.stop()));
    await nats.stop();
    releaseLock();
    // Each log ends after the last output of its process ('close'), and is flushed before the exit.
    await Promise.all(procs.map((p) => p.closed.then(() => new Promise((resolve) => p.log.end(resolve)))));
    const unclean = services().filter((p, i) => {
      const r = results[i];
      // null: it was not running at the stop (waiting to restart), its crash is reported already.
      return r && !(r.code === 0 || r.signal === 'SIGTERM' || r.signal === 'SIGINT');
    });
    for (const plant of plants) say(summaryOf(plant, unclean));
    if (erp.restartedAt)
      say(
        `\nThe ERP simulator restarted ${erp.proc.sup.restarts}× (its ledger is in memory): what was posted ` +
          `before ${new Date(erp.restartedAt).toTimeString().slice(0, 8)} is not in its ledger any more.`,
      );
    say(`Logs: ${logDirs.join(', ')}`);
    process.exit(unclean.length || procs.some((p) => p.crashes.length) ? 1 : 0);
  };
  process.on('SIGINT', () => void stop('Ctrl-C'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGHUP', () => void stop('SIGHUP (terminal closed)'));
  if (options.duration)
    setTimeout(() => void stop(`--duration ${options.duration} s reached`), options.duration * 1000);

  if (!erp.url) {
    erp.url = `http://127.0.0.1:${options.erpPort}`;
    erp.proc = await startAndWait({
      name: 'ERP simulator',
      label: 'ERP simulator',
      entry: 'tools/erp-simulator/src/main.ts',
      args: [
        ...['--port', String(options.erpPort), '--plants', plants.map((p) => p.code).join(',')],
        // Enough per order for a few minutes of the line's counts (a confirmation above the order
        // quantity plus tolerance is refused).
        ...['--orders', '2', '--release-every', '60000', '--quantity', '5000'],
        // Stock of the orders' components to issue from: 1,000 orders' worth.
        ...['--opening-stock', '10000000'],
      ],
      logFile: path.join(options.dataDir, 'logs', 'erp-simulator.log'),
    });
    // Restarted rather than left down: the plants keep posting, as they would to a real ERP that
    // came back, but its ledger was in memory, and the engineer has to know that it is now empty.
    erp.proc.crashNote = '. Its ledger is in memory: the new one starts EMPTY and releases its orders again';
    erp.proc.sup.on('start', ({ start: n }) => {
      if (n === 1) return;
      erp.restartedAt = Date.now();
      erp.proc.note = `ledger empty since ${new Date().toTimeString().slice(0, 8)}`;
    });
  }
  for (const plant of plants) {
    plant.mappingFile = process.env.TAG_MAPPING_FILE;
    if (!plant.mappingFile) {
      plant.simulator = await startAndWait({
        plant,
        name: 'opcua-simulator',
        label: `${plant.code} opcua-simulator`,
        entry: 'tools/opcua-simulator/src/main.ts',
        args: [
          ...['--port', String(plant.opcuaPort), '--control-port', String(plant.opcuaControlPort)],
          ...[
            '--machines',
            String(options.machines),
            '--data-dir',
            path.join(plant.dataDir, 'opcua-simulator'),
          ],
        ],
        logFile: path.join(plant.dataDir, 'logs', 'opcua-simulator.log'),
      });
      plant.mappingFile = writeMapping(plant);
    }
  }
  for (const plant of plants) {
    // What the status shows for the plant: its services, its line simulator, later its MES script.
    plant.procs.push(
      ...plant.services.map(({ name, port }) => {
        const proc = start({
          plant,
          name,
          label: `${plant.code} ${name}`,
          entry: `apps/${name}/src/main.ts`,
          env: {
            ...process.env,
            NATS_URL: nats.url,
            ...nats.serviceEnv(plant.code, name),
            ERP_BASE_URL: erp.url,
            // The simulator commits a write before it answers, so an answer lost in an outage is
            // settled at once; a real SAP may commit up to its work-process limit later (the default).
            ...(process.env.ERP_BASE_URL
              ? {}
              : { ERP_REQUEST_LIMIT_MS: process.env.ERP_REQUEST_LIMIT_MS || '5000' }),
            TAG_MAPPING_FILE: plant.mappingFile,
            HTTP_PORT: String(port),
            DATA_DIR: plant.dataDir,
            PLANT_ID: plant.code,
            AUTO_CONFIRM_COUNTS: process.env.AUTO_CONFIRM_COUNTS || 'true',
            // inventory-movement backflushes what ERP marks for it; the MES issues and receives the rest.
            AUTO_BACKFLUSH: process.env.AUTO_BACKFLUSH || 'true',
            // Often, so a short run's summary compares positions opened by an earlier reconciliation.
            STOCK_RECONCILE_EVERY_MS: process.env.STOCK_RECONCILE_EVERY_MS || '30000',
            // Tokens of the local issuer; /docs and /metrics open, for a browser on this machine,
            // so the services listen on this machine only.
            ...auth.env,
            MANAGEMENT_ACCESS: process.env.MANAGEMENT_ACCESS || 'open',
            HTTP_BIND_ADDRESS: process.env.HTTP_BIND_ADDRESS || '127.0.0.1',
          },
          logFile: path.join(plant.dataDir, 'logs', `${name}.log`),
        });
        proc.port = port;
        return proc;
      }),
    );
    if (plant.simulator) plant.procs.push(plant.simulator);
  }
  if (screen.live && options.statusEvery) {
    // Redrawn every second from what was last read, so "restarting in N s" counts down.
    timers.push(setInterval(render, 1000));
    render();
  }

  // Report when every service is ready; one that is not within 90 s is named, and supervision goes on.
  say(`Starting ${services().length} services…`);
  const deadline = Date.now() + 90_000;
  while (!stopping && Date.now() < deadline) {
    await Promise.all(procs.map(refreshReadiness));
    if (services().every((s) => s.ready)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (stopping) return;
  for (const s of services().filter((s) => !s.ready))
    event(`${s.label} is not ready after 90 s; see ${shown(s.logFile)}`);
  for (const plant of plants) {
    say(
      `\nPlantbridge is up for plant ${plant.code} (data in ${plant.dataDir}, logs in ${shown(path.join(plant.dataDir, 'logs'))}):`,
    );
    for (const s of plant.procs.filter((p) => p.port))
      say(`  ${s.name.padEnd(LABEL_WIDTH)}  http://127.0.0.1:${s.port}  (/health/ready, /metrics)`);
    say(
      `  ${'OPC UA'.padEnd(LABEL_WIDTH)}  ${process.env.TAG_MAPPING_FILE ? `machines of ${plant.mappingFile}` : `opc.tcp://127.0.0.1:${plant.opcuaPort}/UA/PlantbridgeLine  (line simulator; control API http://127.0.0.1:${plant.opcuaControlPort}/__sim)`}`,
    );
    say(
      `  ${'MES API'.padEnd(LABEL_WIDTH)}  http://127.0.0.1:${orderSyncPort(plant)}/docs (OpenAPI at /openapi.json)`,
    );
  }
  say(
    `\n  ${'ERP'.padEnd(LABEL_WIDTH)}  ${erp.url}${erp.proc ? '  (simulator; control API /__sim, see --help of tools/erp-simulator)' : ''}`,
  );
  // `npm run token` reads the keys from ./.data/auth unless told otherwise (npm runs it in the root).
  const data =
    authDir === path.join(ROOT, '.data', 'auth') ? '' : ` --data ${relativeToRoot(options.dataDir)}`;
  const tokenCommand = `npm run -s token -- --scope orders:read --plant ${plants[0].code}${data}`;
  say(`\nThe API takes bearer tokens; one for curl: ${tokenCommand} (--help for scopes), e.g.`);
  say(
    `  curl -H "Authorization: Bearer $(${tokenCommand})" http://127.0.0.1:${orderSyncPort(plants[0])}/v1/plants/${plants[0].code}/production-orders`,
  );
  say('Ctrl-C to stop.\n');

  if (options.mes) {
    for (const plant of plants) {
      plant.procs.push(
        start({
          plant,
          name: 'mes-script',
          label: `${plant.code} mes-script`,
          entry: 'tools/mes-client/src/main.ts',
          env: { ...process.env, MES_TOKEN: auth.tokens[`mes-${plant.code}`] },
          args: [
            ...['--url', `http://127.0.0.1:${orderSyncPort(plant)}`, '--plant', plant.code],
            ...['--inventory-url', `http://127.0.0.1:${inventoryPort(plant)}`],
            ...[
              '--equipment',
              plant.equipment.join(','),
              '--operation-seconds',
              String(options.operationSeconds),
            ],
          ],
          logFile: path.join(plant.dataDir, 'logs', 'mes-script.log'),
        }),
      );
    }
  }
  if (options.erpOutage) {
    const { atS, forS } = options.erpOutage;
    setTimeout(() => {
      event(`ERP outage for ${forS} s starts now (--erp-outage)`);
      void fetch(`${erp.url}/__sim/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outageMs: forS * 1000 }),
      }).catch((error) => event(`could not start the ERP outage: ${error.message}`));
    }, atS * 1000).unref();
  }
  if (options.brokerRestart) {
    const { atS, forS } = options.brokerRestart;
    setTimeout(() => {
      event(`NATS goes away for ${forS} s now (--broker-restart)`);
      void nats.restart(forS * 1000).then(() => event('NATS is back'));
    }, atS * 1000).unref();
  }
  if (options.statusEvery) {
    const tick = () =>
      void refreshAll().then(() => {
        if (stopping) return;
        if (screen.live) render();
        else printLines();
      });
    timers.push(setInterval(tick, options.statusEvery * 1000));
  }
}

/** Whether a process is up: a service when its /health/ready says so, another when it runs. */
async function refreshReadiness(proc) {
  if (proc.sup.state !== 'running') return void (proc.ready = false);
  proc.ready = proc.port
    ? await get(`http://127.0.0.1:${proc.port}/health/ready`).then(
        () => true,
        () => false,
      )
    : true;
  if (proc.ready) proc.wasReady = true;
}

/** GET with a time limit: a hung service must not hang the status, nor the shutdown. */
async function get(url, as = 'text', token = undefined) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(3000) });
  if (!response.ok) throw Object.assign(new Error(`${url}: ${response.status}`), { status: response.status });
  return as === 'json' ? response.json() : response.text();
}

/**
 * What the status and the summary show, read from the services' and the ERP's own APIs.
 * production-order-sync must answer; the edge gateway and the ERP simulator may be away.
 */
async function readStatus(plant, erp, token) {
  const portOf = (name) => plant.services.find((s) => s.name === name).port;
  const base = `http://127.0.0.1:${portOf('production-order-sync')}`;
  const [orderList, metrics, edgeMetrics, inventoryMetrics, faults] = await Promise.all([
    get(`${base}/v1/plants/${plant.code}/production-orders`, 'json', token),
    get(`${base}/metrics`, 'text', token),
    get(`http://127.0.0.1:${portOf('edge-gateway')}/metrics`, 'text', token).catch(() => null),
    get(`http://127.0.0.1:${portOf('inventory-movement')}/metrics`, 'text', token).catch(() => null),
    erp.proc ? get(`${erp.url}/__sim/faults`, 'json').catch(() => null) : null,
  ]);
  const orders = {};
  for (const order of orderList) orders[order.status] = (orders[order.status] || 0) + 1;
  const postingsIn = (text) => {
    const byState = {};
    for (const match of text.matchAll(/^plantbridge_erp_postings\{state="([a-z-]+)"\} (\d+)/gm))
      byState[match[1]] = Number(match[2]);
    return byState;
  };
  const postings = postingsIn(metrics);
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
    movements: inventoryMetrics === null ? null : postingsIn(inventoryMetrics),
    edgeEventsOut:
      edgeMetrics === null ? null : sum(edgeMetrics, /^plantbridge_outbox_relayed_total (\d+)/gm),
    eventsIn: sum(metrics, /^plantbridge_messages_settled_total\{[^}]*settlement="ack"[^}]*\} (\d+)/gm),
    postingAvgMs: postingCount ? Math.round((1000 * postingSeconds) / postingCount) : null,
    outageS: faults ? Math.ceil(faults.outageRemainingMs / 1000) : 0,
    erpSimulated: Boolean(erp.proc),
    erpAnswers: !erp.proc || faults !== null,
  };
}

/**
 * A plant's summary after the stop: its last status (the one read at the stop, or the last one read
 * before if production-order-sync did not answer then), whether every accepted confirmation reached
 * ERP, and the processes that crashed during the run or did not stop cleanly.
 */
function summaryOf(plant, unclean) {
  const lines = [];
  if (!plant.last) lines.push(`\n${plant.code} summary  no status: production-order-sync never answered`);
  else {
    const { status, at } = plant.last;
    const asOf = plant.error
      ? ` (as of ${new Date(at).toTimeString().slice(0, 8)}; at the stop ${plant.error})`
      : '';
    lines.push(
      `\n${plant.code} summary  ${statusLine(plant.code, status).replace(/^\S+ status\s+/, '')}${asOf}`,
    );
    const open =
      (status.postings.pending || 0) +
      (status.postings['in-flight'] || 0) +
      (status.postings['in-doubt'] || 0);
    lines.push(
      open
        ? `  ${open} confirmations not yet in ERP stay in the ledger and are posted on the next start.`
        : '  every accepted confirmation is in ERP.',
    );
  }
  lines.push(stockCheckText(plant.stockCheck));
  for (const p of plant.procs.filter((p) => p.crashes.length))
    lines.push(
      `  ${p.name} crashed ${p.crashes.length}× (${p.crashes.join(', ')}); restarted ${p.sup.restarts}×.`,
    );
  for (const p of unclean.filter((p) => p.plant === plant))
    lines.push(
      `  ${p.name} did not stop cleanly (${p.sup.lastExit ? exitText(p.sup.lastExit) : 'unknown'}).`,
    );
  return lines.join('\n');
}

/** The summary's line on the stock projection against ERP's stock (see checkStock). */
function stockCheckText(check) {
  if (!check) return "  ERP's stock was not compared with the projection.";
  if (check.error)
    return `  ERP's stock could not be compared with the projection: ${check.error.slice(0, 200)}`;
  const skipped = check.materialsSkipped.length
    ? `; ${check.materialsSkipped.length} material(s) left out, their movements still on the way (${check.materialsSkipped.join(', ')})`
    : '';
  const opened = check.positionsOpened ? `, ${check.positionsOpened} opened from ERP's stock` : '';
  if (check.discrepancies.length)
    return (
      `  ERP's stock differs from the projection in ${check.discrepancies.length} of ${check.positionsCompared} position(s)${skipped}: ` +
      check.discrepancies
        .slice(0, 5)
        .map(
          (d) =>
            `${d.material} ${d.storageLocation}${d.batch ? `/${d.batch}` : ''} ERP ${d.erpQuantity} vs ${d.projectedQuantity} ${d.unit}`,
        )
        .join(', ')
    );
  return `  ERP's stock matches the projection in all ${check.positionsCompared} position(s) compared${opened}${skipped}.`;
}

void main();
