import { Body, Controller, Module, Post, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CORRELATION_HEADER } from './correlation';
import { httpAdapter } from './http-adapter';
import { serveOpenApi } from './openapi';

@Controller()
class EchoController {
  @Post('echo')
  echo(@Body() body: unknown, @Req() request: { id: string }): { body: unknown; id: string } {
    return { body, id: request.id };
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

describe('httpAdapter', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(EchoModule, httpAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  const post = (payload?: string, headers: Record<string, string> = {}) =>
    app.getHttpAdapter().getInstance().inject({ method: 'POST', url: '/echo', payload, headers });

  it("takes the caller's X-Correlation-Id as the request id and echoes it", async () => {
    const response = await post('{}', { 'content-type': 'application/json', [CORRELATION_HEADER]: 'mes-42' });
    expect(response.headers[CORRELATION_HEADER]).toBe('mes-42');
    expect(response.json()).toEqual({ body: {}, id: 'mes-42' });
  });

  it('makes a UUID up when the caller sends none, and answers with it', async () => {
    const response = await post('{"a":1}', { 'content-type': 'application/json' });
    const id = response.headers[CORRELATION_HEADER];
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(response.json()).toEqual({ body: { a: 1 }, id });
  });

  it('gives a POST without a body, with or without a JSON content type, an empty object', async () => {
    expect((await post()).json().body).toEqual({});
    expect((await post('', { 'content-type': 'application/json' })).json().body).toEqual({});
  });

  it('answers malformed JSON and prototype poisoning with 400', async () => {
    const malformed = await post('{"a":\n\n foo}', { 'content-type': 'application/json' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ errors: [{ field: '(body)' }] });
    const poisoned = await post('{"__proto__":{"admin":true}}', { 'content-type': 'application/json' });
    expect(poisoned.statusCode).toBe(400);
  });

  it('answers a body nested thousands of levels deep with 400 naming the body, not a 500', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const response = await post(deep, { 'content-type': 'application/json' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      errors: [{ field: '(body)', reason: expect.stringMatching(/nest/) }],
    });
  });

  it('refuses reserved keys in a body or query (class-transformer dropped them or threw), naming where', async () => {
    for (const key of ['constructor', 'hasOwnProperty', 'prototype']) {
      const response = await post(`{"a":{"${key}":1}}`, { 'content-type': 'application/json' });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        errors: [{ field: '(body)', reason: `a.${key}: "${key}" is not allowed as a key` }],
      });
    }
    const query = await app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: 'POST',
        url: '/echo?constructor=1',
        payload: '{}',
        headers: { 'content-type': 'application/json' },
      });
    expect(query.statusCode).toBe(400);
    expect(query.json()).toMatchObject({ errors: [{ field: '(query)' }] });
  });

  it('answers what Fastify and Node refuse before Nest sees it in the shape of every refusal', async () => {
    const badUrl = await app.getHttpAdapter().getInstance().inject({ method: 'POST', url: '/echo/%C3%28' });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.json()).toMatchObject({ errors: [{ field: '(url)' }] });
  });
});

describe('httpAdapter with the Swagger UI', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(EchoModule, httpAdapter(), { logger: false });
    serveOpenApi(app, { title: 'echo', description: 'echo', version: '1' });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  it('a NUL in a docs asset path is a 400 naming the URL, like every other refusal', async () => {
    // @fastify/static refuses it outside Nest's validation, with a body that named nothing.
    const response = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/docs/a%00b' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, errors: [{ field: '(url)' }] });
    const asset = await app
      .getHttpAdapter()
      .getInstance()
      .inject({ method: 'GET', url: '/docs/swagger-ui.css' });
    expect(asset.statusCode).toBe(200);
  });
});
