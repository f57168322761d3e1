import { parseArgs } from 'node:util';
import { MesClient } from './mes-client';
import { MesScript } from './mes-script';

const HELP = `Usage: node -r ./tools/runtime/register.js tools/mes-client/src/main.ts [options]

A scripted MES for the demo: every --every-ms it acknowledges the orders ERP released to the plant,
starts the next pending operation on each free machine (production-order-sync tells the edge
gateway, so the machine's counts belong to that order operation) and completes operations after
--operation-seconds. With --inventory-url it moves material too: at an operation's start it issues
the order's components staged for it that ERP does not backflush (261), and when an order's last
operation completes it receives the yield (101). Every call carries an Idempotency-Key, so a
repeated step changes nothing.

Every call also carries the bearer token in the environment variable MES_TOKEN, with the scopes
orders:read and orders:write for the plant (npm run token -- --scope orders:read --scope
orders:write --plant P100), and inventory:read and movements:write with --inventory-url; the
services refuse calls without one (401).

Options:
  --url URL                 production-order-sync (default http://127.0.0.1:3002)
  --inventory-url URL       inventory-movement, for the material flow (default: none, no movements)
  --plant CODE              plant (default P100)
  --equipment LIST          machines, comma separated (default P100-L1-M01,P100-L1-M02,P100-L1-M03)
  --operation-seconds N     how long an operation runs (default 60)
  --every-ms N              how often the script looks at the orders (default 2000)
  -h, --help                this text
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:3002' },
      'inventory-url': { type: 'string' },
      plant: { type: 'string', default: 'P100' },
      equipment: { type: 'string', default: 'P100-L1-M01,P100-L1-M02,P100-L1-M03' },
      'operation-seconds': { type: 'string', default: '60' },
      'every-ms': { type: 'string', default: '2000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return void process.stdout.write(HELP);
  const operationSeconds = Number(values['operation-seconds']);
  const everyMs = Number(values['every-ms']);
  if (!(operationSeconds > 0)) throw new Error('--operation-seconds must be a positive number');
  if (!(everyMs >= 100)) throw new Error('--every-ms must be at least 100');
  const log = (line: string) => process.stdout.write(`${line}\n`);
  // From the environment, not an option: a command line is visible to every user of the machine.
  const token = process.env.MES_TOKEN || undefined;
  if (!token) log('MES_TOKEN is not set: production-order-sync will refuse every call (401)');
  const script = new MesScript(
    new MesClient(values.url, values.plant, 'mes-script', token, values['inventory-url']),
    {
      equipment: values.equipment.split(',').filter(Boolean),
      operationMs: operationSeconds * 1000,
      log,
    },
  );
  log(`MES script started against ${values.url} for plant ${values.plant}`);
  let stopped = false;
  const stop = () => (stopped = true);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let lastError = '';
  while (!stopped) {
    try {
      await script.step();
      lastError = '';
    } catch (error) {
      // Say it once, not every round, while the service is away.
      const message = (error as Error).message;
      if (message !== lastError) log(`waiting: ${message}`);
      lastError = message;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`mes-client: ${(error as Error).message}\n`);
  process.exit(2);
});
