import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runFuzz } from './src/fuzz-run';
import { fullReport, writeFuzzResult } from './src/report';
import { ROUTES } from './src/routes';
import { SUBJECTS } from './src/subjects';

const HELP = `npm run fuzz -- [options]

Fuzzes every REST route and every consumed subject of production-order-sync and edge-gateway (as
processes, on PostgreSQL and the shared NATS, with the ERP and OPC UA simulators) with hostile
input, interleaved with valid input, and checks the invariants of issue 25: no 5xx, every refusal
names its field or rule, every bad event is in the DLQ with its reason, valid input is still
processed, /health/live answers throughout, memory returns to its level. Prints a table of
statuses and outcomes, writes bench/results/fuzz-latest.json, exits 1 if an invariant broke.

Options:
  --seed <n>         the run's seed (default: random, printed); the same seed sends the same inputs
  --runs <n>         inputs per route and per subject (default 10000)
  --event-runs <n>   inputs per subject, if not --runs
  --out <file>       write the result there instead of bench/results/fuzz-latest.json
  --routes <list>    only routes whose name contains one of these, comma separated ("none" for none)
  --subjects <list>  only subjects whose name contains one of these ("none" for none)
  -h, --help         this text
`;

const select = <T extends { name: string }>(items: T[], filter?: string) =>
  filter === undefined
    ? items
    : items.filter((i) => filter.split(',').some((f) => i.name.includes(f.trim())));

// As in the integration tests (jest.setup.js): node-opcua's warnings (certificate dumps, the Node 20
// RSA notice) of the OPC UA simulator and the gateway stay out of the table's way.
process.env.NODEOPCUA_LOG_LEVEL ??= '2';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      runs: { type: 'string', default: '10000' },
      'event-runs': { type: 'string' },
      out: { type: 'string' },
      routes: { type: 'string' },
      subjects: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return void process.stdout.write(HELP);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  const runs = Number(values.runs);
  const eventRuns = Number(values['event-runs'] ?? runs);
  if (![seed, runs, eventRuns].every(Number.isInteger) || runs < 1 || eventRuns < 1)
    throw new Error('--seed, --runs and --event-runs must be integers');
  const progress = (message: string) =>
    process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
  progress(`seed ${seed} (rerun with --seed ${seed}), ${runs} inputs per route, ${eventRuns} per subject`);
  const result = await runFuzz({
    seed,
    runs,
    eventRuns,
    routes: select(ROUTES, values.routes),
    subjects: select(SUBJECTS, values.subjects),
    // A stuck message is redelivered every ack wait (8 s here): 12 s without change means it stays.
    settle: { quietMs: 12_000, timeoutMs: 300_000 },
    // Time for the services to collect their garbage before memory is read: longer after a long run.
    quietMs: runs >= 5000 ? 15_000 : 5000,
    log: progress,
  });
  process.stdout.write(`${fullReport(result)}\n`);
  progress(
    `written to ${writeFuzzResult(result, values.out ?? join(__dirname, '../../bench/results/fuzz-latest.json'))}`,
  );
  process.exitCode = result.ok ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(2);
});
