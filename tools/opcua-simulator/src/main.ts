import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startControlApi } from './control-api';
import { LineSimulator } from './line-simulator';

const HELP = `OPC UA line simulator: a line of machines behind a real node-opcua server (test equipment, the demo's PLC).

Usage: node -r ./tools/runtime/register.js tools/opcua-simulator/src/main.ts [options]

Options:
  --port <n>           OPC UA port (default 4840); endpoint opc.tcp://127.0.0.1:<port>/UA/PlantbridgeLine
  --control-port <n>   HTTP control API port (default 4841)
  --machines <n>       machines on the line, M01 … (default 3)
  --seed <n>           the same seed gives the same line (default 1)
  --tick-ms <n>        every machine advances one step this often (default 100)
  --line <name>        line name in node ids (default Line1)
  --data-dir <dir>     PKI folder lives in <dir>/pki (default ./.data/opcua-simulator)
  --load-tags <n>      bulk Double tags for benchmarks, ns=1;s=<line>.Load.T00001 … (default 0)
  --user <name>        also accept this user name … (with --password)
  --password <secret>
  -h, --help           this text

Node ids: ns=1;s=<line>.<machine>.<signal>, signals State (OPC 40001 MachineryItemState 0..3),
StateName, GoodParts, ScrapParts (UInt32, roll over after 65535), Temperature, AlarmActive,
AlarmCode, AlarmSeverity, AlarmMessage. Security: None, or Sign / SignAndEncrypt with Basic256Sha256.
Alarms & Conditions: one AlarmConditionType per machine, ns=1;s=<line>.<machine>.Alarm, source the
machine object, events on the Server object (ConditionRefresh supported).

Control API:
  GET  /__sim/machines                  POST /__sim/machines/M01/state {"state":"NotExecuting"}
  POST /__sim/machines/M01/alarm {...}  POST /__sim/machines/M01/alarm/clear
  POST /__sim/machines/M01/counters {"kind":"good","value":0}
  POST /__sim/machines/M01/condition {"severity":800,"message":"..."}
  POST /__sim/machines/M01/condition/clear   POST /__sim/machines/M01/condition/acknowledge
  POST /__sim/machines/M01/condition/suppress {"suppressed":true}
  POST /__sim/machines/M01/condition/shelve {"shelved":true}
  POST /__sim/restart {"downMs":2000}
  GET  /__sim/load                      POST /__sim/load {"changesPerSecond":50000}
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4840' },
      'control-port': { type: 'string', default: '4841' },
      machines: { type: 'string', default: '3' },
      seed: { type: 'string', default: '1' },
      'tick-ms': { type: 'string', default: '100' },
      line: { type: 'string', default: 'Line1' },
      'data-dir': { type: 'string', default: './.data/opcua-simulator' },
      'load-tags': { type: 'string', default: '0' },
      user: { type: 'string' },
      password: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return void process.stdout.write(HELP);
  const dataDir = resolve(values['data-dir']);
  mkdirSync(dataDir, { recursive: true });
  const simulator = new LineSimulator({
    port: Number(values.port),
    dataDir,
    machines: Number(values.machines),
    seed: Number(values.seed),
    tickMs: Number(values['tick-ms']),
    line: values.line,
    user: values.user ? { name: values.user, password: values.password ?? '' } : undefined,
    loadTags: Number(values['load-tags']),
  });
  await simulator.start();
  const control = await startControlApi(simulator, Number(values['control-port']));
  process.stdout.write(
    `OPC UA line simulator listening on ${simulator.endpointUrl} (${values.machines} machines); control API http://127.0.0.1:${values['control-port']}/__sim/machines\n`,
  );
  const stop = () => {
    control.close();
    void simulator.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`OPC UA line simulator cannot start: ${(error as Error).message}\n`);
  process.exit(1);
});
