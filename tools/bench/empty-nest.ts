import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

/**
 * The ceiling for a NestJS endpoint on this machine, on the HTTP server the services use (Fastify):
 * validates nothing, stores nothing, answers 202.
 */
@Controller()
class EmptyController {
  @Post('empty')
  @HttpCode(202)
  accept(@Body() body: unknown): { accepted: boolean; size: number } {
    return { accepted: true, size: JSON.stringify(body).length };
  }
}

@Module({ controllers: [EmptyController] })
class EmptyModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(EmptyModule, new FastifyAdapter(), { logger: ['error'] });
  await app.listen(Number(process.env.PORT ?? 3999), '127.0.0.1');
  process.stdout.write('ready\n');
}

void main();
