import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { exploreCertificate, readCertificate } from 'node-opcua-crypto';
import { EdgeGatewayConfig, pkiDirOf } from '../config';

/** A certificate this close to its end is renewed: long enough for every server to trust the new one. */
export const RENEW_BEFORE_MS = 30 * 24 * 3_600_000;

/** Where node-opcua keeps the gateway's own (client) certificate in its PKI folder. */
export const ownCertificateFile = (pkiDir: string) => join(pkiDir, 'own', 'certs', 'client_certificate.pem');

/**
 * Retires the gateway's own certificate when it ends within `renewBeforeMs`: it moves to
 * `own/certs/retired/`, and the next connection makes a new one (10 years, same key) as on the first
 * start. Servers that trusted the old certificate must trust the new one, which is why this runs a
 * month ahead rather than at the end. Returns what was retired, if anything.
 */
export function retireExpiringOwnCertificate(
  pkiDir: string,
  now = Date.now(),
  renewBeforeMs = RENEW_BEFORE_MS,
): { notAfter: string; retiredTo: string } | undefined {
  const file = ownCertificateFile(pkiDir);
  if (!existsSync(file)) return undefined;
  const notAfter = exploreCertificate(readCertificate(file)).tbsCertificate.validity.notAfter;
  if (notAfter.getTime() - now > renewBeforeMs) return undefined;
  const retired = join(pkiDir, 'own', 'certs', 'retired');
  mkdirSync(retired, { recursive: true });
  const retiredTo = join(retired, `client_certificate-${notAfter.toISOString().replace(/[:.]/g, '-')}.pem`);
  renameSync(file, retiredTo);
  return { notAfter: notAfter.toISOString(), retiredTo };
}

const DAY_MS = 24 * 3_600_000;

/** Checks the gateway's own certificate at start and every day, and renews it a month ahead. */
@Injectable()
export class OwnCertificateRenewal implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OwnCertificateRenewal.name);
  private timer?: NodeJS.Timeout;

  constructor(@Inject(EdgeGatewayConfig) private readonly config: EdgeGatewayConfig) {}

  onApplicationBootstrap(): void {
    this.check();
    this.timer = setInterval(() => this.check(), DAY_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    try {
      const retired = retireExpiringOwnCertificate(pkiDirOf(this.config));
      if (retired) {
        this.logger.warn(
          `the gateway's OPC UA certificate ends ${retired.notAfter}: retired to ${retired.retiredTo}; the next ` +
            'connection makes a new one, which servers that trusted the old one must trust',
        );
      }
    } catch (error) {
      this.logger.error(`checking the gateway's OPC UA certificate failed: ${(error as Error).message}`);
    }
  }
}
