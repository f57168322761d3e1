import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule } from '@nestjs/common';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import { loadConfig, type ServiceConfig } from '@plantbridge/config';
import { SERVICE_MESSAGING } from './service-messaging';

/** Every optional handler on: a service's NATS user may consume what any of its configurations does. */
const EVERYTHING_ON = {
  AUTH_MODE: 'none',
  AUTO_CONFIRM_COUNTS: 'true',
  AUTO_GOODS_RECEIPT: 'true',
  AUTO_BACKFLUSH: 'true',
  TAG_MAPPING_FILE: join(__dirname, '../../../apps/edge-gateway/mappings/simulator-line.json'),
};

/**
 * What a service's NATS user may consume (SERVICE_MESSAGING) next to what its `@OnEvent` handlers
 * consume, read from their decorators in its module: each service's `nats-user.spec.ts` expects
 * them equal, so a new handler cannot go unnoticed until it fails for want of a permission.
 */
export function natsGrantAndHandlers<C extends ServiceConfig>(
  service: string,
  module: { forConfig(config: C): DynamicModule },
  configClass: new () => C,
): { granted: string[]; handled: string[] } {
  const config = loadConfig(configClass, {
    ...EVERYTHING_ON,
    DATA_DIR: mkdtempSync(join(tmpdir(), `${service}-`)),
  });
  const handled = new Set<string>();
  for (const controller of module.forConfig(config).controllers ?? []) {
    const prototype = (controller as { prototype: Record<string, unknown> }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const patterns = Reflect.getMetadata(PATTERN_METADATA, prototype[name] as object) as unknown;
      for (const pattern of Array.isArray(patterns) ? patterns : []) {
        if (typeof pattern === 'string' && pattern.startsWith('mfg.')) handled.add(pattern);
      }
    }
  }
  return { granted: [...(SERVICE_MESSAGING[service]?.consumes ?? [])].sort(), handled: [...handled].sort() };
}
