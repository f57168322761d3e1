import { Agent, request } from 'node:http';
import type { HttpInput } from './http-request';

export type HttpOutcome =
  | { kind: 'response'; status: number; body: string; contentType?: string; ms: number }
  | { kind: 'timeout'; ms: number }
  | { kind: 'connection-error'; code: string; ms: number };

/**
 * Sends fuzz inputs to one service exactly as built: node:http checks neither header values (beyond
 * what HTTP/1.1 forbids) nor paths, and writes both as latin1, so every byte goes out as generated.
 * Keep-alive, as an MES client would; a connection the server closes after a refusal is replaced.
 * Every input goes with `authorization` (`Bearer <token>`), which is not part of the input: no
 * mutation touches it, and the result files and reproductions do not hold the token.
 */
export class FuzzHttpClient {
  private readonly agent: Agent;

  constructor(
    readonly baseUrl: string,
    concurrency: number,
    private readonly authorization?: string,
    private readonly timeoutMs = 10_000,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  }

  /**
   * Sends `input`; a connection that fails is retried once on a fresh one. A server may close a
   * kept-alive connection after it refused a request (Fastify does after a 400 "Client Error" or a
   * 431, without `Connection: close`), and the next request on it is reset; a client retries that.
   */
  async send(input: HttpInput): Promise<HttpOutcome> {
    const first = await this.attempt(input, this.agent);
    return first.kind === 'connection-error' ? this.attempt(input, false) : first;
  }

  private attempt(input: HttpInput, agent: Agent | false): Promise<HttpOutcome> {
    const url = new URL(this.baseUrl);
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    return new Promise((resolve) => {
      let settled = false;
      const done = (outcome: HttpOutcome) => {
        if (!settled) resolve(outcome);
        settled = true;
      };
      let req: ReturnType<typeof request>;
      try {
        req = request(
          {
            host: url.hostname,
            port: url.port,
            method: input.method,
            path: input.path,
            agent,
            // Explicit: for DELETE node:http neither chunks a body nor counts it, and the server would
            // take the body for the next request on the connection.
            headers: {
              ...Object.fromEntries(input.headers),
              ...(this.authorization ? { Authorization: this.authorization } : {}),
              ...(input.body ? { 'Content-Length': input.body.length } : {}),
            },
            timeout: this.timeoutMs,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('error', (error: NodeJS.ErrnoException) =>
              done({ kind: 'connection-error', code: error.code ?? error.message, ms: ms() }),
            );
            res.on('end', () =>
              done({
                kind: 'response',
                status: res.statusCode ?? 0,
                body: Buffer.concat(chunks).toString('utf8'),
                contentType: res.headers['content-type'],
                ms: ms(),
              }),
            );
          },
        );
      } catch (error) {
        // node:http refused to even build the request (a byte HTTP/1.1 cannot carry): not the server's doing.
        return done({ kind: 'connection-error', code: `client: ${(error as Error).message}`, ms: ms() });
      }
      req.on('timeout', () => {
        done({ kind: 'timeout', ms: ms() });
        req.destroy();
      });
      req.on('error', (error: NodeJS.ErrnoException) =>
        done({ kind: 'connection-error', code: error.code ?? error.message, ms: ms() }),
      );
      req.end(input.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
