import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { LineSimulator } from './line-simulator';
import { MACHINERY_ITEM_STATES, type MachineryItemState } from './machine-model';

/**
 * HTTP control of a running line, for tests, the demo and a curious operator:
 *   GET  /__sim/machines                      every machine's state, counters, temperature, alarm
 *   POST /__sim/machines/{id}/state           {"state":"NotExecuting"}  (OPC 40001 MachineryItemState)
 *   POST /__sim/machines/{id}/alarm           {"code":"A-17","severity":800,"message":"…"}
 *   POST /__sim/machines/{id}/alarm/clear
 *   POST /__sim/machines/{id}/condition       {"severity":800,"message":"…"}  (OPC UA alarm condition)
 *   POST /__sim/machines/{id}/condition/clear
 *   POST /__sim/machines/{id}/condition/acknowledge
 *   POST /__sim/machines/{id}/condition/suppress  {"suppressed":true}
 *   POST /__sim/machines/{id}/condition/shelve    {"shelved":true}
 *   POST /__sim/machines/{id}/counters        {"kind":"good","value":0}  (reset, or near the maximum)
 *   POST /__sim/restart                       {"downMs":2000}  (the OPC UA server goes away and comes back)
 *   GET  /__sim/load                          bulk tags: offered and achieved changes/s
 *   POST /__sim/load                          {"changesPerSecond":50000}  (0 stops)
 */
export function startControlApi(simulator: LineSimulator, port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((req, res) => void handle(simulator, req, res));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

async function handle(simulator: LineSimulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  try {
    const path = new URL(req.url ?? '/', 'http://sim').pathname;
    const body = req.method === 'POST' ? await readJson(req) : {};
    if (req.method === 'GET' && path === '/__sim/machines') {
      return send(200, { endpointUrl: simulator.endpointUrl, machines: simulator.machines });
    }
    if (path === '/__sim/load') {
      if (req.method === 'POST') {
        const rate = Number(body.changesPerSecond);
        if (!Number.isInteger(rate) || rate < 0) {
          return send(400, { error: 'changesPerSecond must be a whole number, 0 or more' });
        }
        simulator.load.drive(rate);
      }
      return send(200, simulator.load.stats());
    }
    if (req.method === 'POST' && path === '/__sim/restart') {
      await simulator.restart(Number(body.downMs ?? 0));
      return send(200, { restarted: true });
    }
    const match =
      /^\/__sim\/machines\/(\w+)\/(state|alarm|alarm\/clear|counters|condition(?:\/(?:clear|acknowledge|suppress|shelve))?)$/.exec(
        path,
      );
    if (req.method !== 'POST' || !match) return send(404, { error: `unknown control ${req.method} ${path}` });
    const [, id, action] = match;
    switch (action) {
      case 'state': {
        const state = body.state as MachineryItemState;
        if (!MACHINERY_ITEM_STATES.includes(state)) {
          return send(400, { error: `state must be one of ${MACHINERY_ITEM_STATES.join(', ')}` });
        }
        simulator.setState(id, state);
        break;
      }
      case 'alarm':
        simulator.raiseAlarm(id, {
          code: String(body.code ?? 'A-1'),
          severity: Number(body.severity ?? 500),
          message: String(body.message ?? 'Simulated alarm'),
        });
        break;
      case 'alarm/clear':
        simulator.clearAlarm(id);
        break;
      case 'counters':
        simulator.setCounter(id, body.kind === 'scrap' ? 'scrap' : 'good', Number(body.value ?? 0));
        break;
      case 'condition':
        simulator.raiseCondition(id, {
          severity: Number(body.severity ?? 500),
          message: String(body.message ?? 'Simulated alarm'),
        });
        break;
      case 'condition/clear':
        simulator.clearCondition(id);
        break;
      case 'condition/acknowledge':
        simulator.acknowledgeCondition(id);
        break;
      case 'condition/suppress':
        simulator.suppressCondition(id, body.suppressed !== false);
        break;
      case 'condition/shelve':
        simulator.shelveCondition(id, body.shelved !== false);
        break;
    }
    send(200, simulator.machine(id));
  } catch (error) {
    send(error instanceof RangeError || error instanceof SyntaxError ? 400 : 500, {
      error: (error as Error).message,
    });
  }
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      try {
        resolve(text ? (JSON.parse(text) as Record<string, unknown>) : {});
      } catch (error) {
        reject(error instanceof Error ? error : new SyntaxError(String(error)));
      }
    });
    req.on('error', reject);
  });
}
