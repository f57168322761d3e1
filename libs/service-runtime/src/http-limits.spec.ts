import { connect, type Socket } from 'node:net';
import { Body, Controller, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { httpAdapter } from './http-adapter';

@Controller()
class SinkController {
  @Post('sink')
  sink(@Body() body: unknown): unknown {
    return body;
  }
}

@Module({ controllers: [SinkController] })
class SinkModule {}

/** Resolves with what the server sent once it closed the connection, and how long that took. */
function untilClosed(socket: Socket): Promise<{ reply: string; ms: number }> {
  const started = Date.now();
  let reply = '';
  socket.on('data', (chunk) => (reply += chunk.toString()));
  return new Promise((resolve) => socket.on('close', () => resolve({ reply, ms: Date.now() - started })));
}

describe('HTTP limits (slow and many clients)', () => {
  let app: NestFastifyApplication;
  let port: number;

  beforeAll(async () => {
    const adapter = httpAdapter({ requestTimeoutMs: 600, headersTimeoutMs: 300, maxConnections: 4 });
    app = await NestFactory.create<NestFastifyApplication>(SinkModule, adapter, { logger: false });
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as { port: number }).port;
  });
  afterAll(() => app.close());

  it('a slow request body is timed out: a client trickling a body gets 408 and is closed', async () => {
    const socket = connect(port, '127.0.0.1');
    const closed = untilClosed(socket);
    socket.write(
      'POST /sink HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n',
    );
    const trickle = setInterval(() => socket.writable && socket.write(' '), 50);
    const { reply, ms } = await closed;
    clearInterval(trickle);
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(3000);
  });

  it('headers that never end are timed out too', async () => {
    const socket = connect(port, '127.0.0.1');
    const closed = untilClosed(socket);
    socket.write('POST /sink HTTP/1.1\r\nHost: x\r\n');
    const { ms } = await closed;
    expect(ms).toBeLessThan(3000);
  });

  it('connections past the limit are closed at once, and the server answers again when they go', async () => {
    const held = await Promise.all(
      Array.from({ length: 4 }, () => {
        const socket = connect(port, '127.0.0.1');
        return new Promise<Socket>((resolve) => socket.on('connect', () => resolve(socket)));
      }),
    );
    const extra = connect(port, '127.0.0.1');
    const { ms } = await untilClosed(extra);
    expect(ms).toBeLessThan(500);
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const response = await fetch(`http://127.0.0.1:${port}/sink`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(response.status).toBe(201);
  });

  it("answers requests Node's HTTP parser refuses with a body naming what was wrong", async () => {
    const send = async (raw: string) => {
      const socket = connect(port, '127.0.0.1');
      const closed = untilClosed(socket);
      socket.write(raw);
      return (await closed).reply;
    };
    const bytes = await send('GET /sink/\u00e4 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(bytes).toMatch(/^HTTP\/1\.1 400/);
    expect(JSON.parse(bytes.slice(bytes.indexOf('{')))).toMatchObject({ errors: [{ field: '(request)' }] });
    const huge = await send(`GET /sink HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431/);
    expect(JSON.parse(huge.slice(huge.indexOf('{')))).toMatchObject({ errors: [{ field: '(headers)' }] });
  });
});
