import { Agent, request } from 'node:http';
import { percentile } from './stats';

export interface HttpCall {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  body: string;
  /** Milliseconds from sending to the full answer. */
  ms: number;
  /** Wall clock when it was sent (ms since epoch), to join with times other processes record. */
  sentAt: number;
  /** The answer's Retry-After header, if any (admission control sends it with a 503). */
  retryAfter?: string;
}

/** Keep-alive HTTP/1.1 to one host: what an MES integration client does. */
export class HttpLoad {
  private readonly agent: Agent;

  /** `headers` go with every call (the bearer token); a call's own headers come on top. */
  constructor(
    private readonly host: string,
    private readonly port: number,
    maxSockets = 256,
    private readonly headers: Record<string, string> = {},
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  call(c: HttpCall): Promise<CallResult> {
    const sentAt = Date.now();
    const started = performance.now();
    return new Promise((resolve) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          method: c.method,
          path: c.path,
          agent: this.agent,
          headers: { 'content-type': 'application/json', ...this.headers, ...c.headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString(),
              ms: performance.now() - started,
              sentAt,
              retryAfter: res.headers['retry-after'],
            }),
          );
        },
      );
      req.on('error', (error) =>
        resolve({ status: 0, body: error.message, ms: performance.now() - started, sentAt }),
      );
      req.end(c.body);
    });
  }

  /**
   * Open loop: sends `rate` calls per second for `durationMs` whatever the answers do (a closed
   * loop would slow down with the server and hide its latency). Returns every result.
   */
  async openLoop(rate: number, durationMs: number, next: (i: number) => HttpCall): Promise<CallResult[]> {
    const tickMs = 5;
    const pending: Promise<CallResult>[] = [];
    const start = performance.now();
    let sent = 0;
    while (performance.now() - start < durationMs) {
      const due = Math.floor(((performance.now() - start) / 1000) * rate);
      while (sent < due) pending.push(this.call(next(sent++)));
      await new Promise((resolve) => setTimeout(resolve, tickMs));
    }
    return Promise.all(pending);
  }

  /**
   * Closed loop: `concurrency` callers back to back for `durationMs`; the server's ceiling. Only
   * 2xx answers count: a server that fails fast must not look fast.
   */
  async closedLoop(
    concurrency: number,
    durationMs: number,
    next: () => HttpCall,
  ): Promise<{ perSecond: number; p99: number }> {
    const latencies: number[] = [];
    let failed: CallResult | undefined;
    const until = performance.now() + durationMs;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < until) {
          const result = await this.call(next());
          if (result.status >= 200 && result.status < 300) latencies.push(result.ms);
          else failed ??= result;
        }
      }),
    );
    if (failed && latencies.length === 0)
      throw new Error(`every call failed, e.g. ${failed.status}: ${failed.body.slice(0, 200)}`);
    return {
      perSecond: latencies.length / ((performance.now() - started) / 1000),
      p99: percentile(latencies, 99),
    };
  }

  close(): void {
    this.agent.destroy();
  }
}
