import { existsSync } from 'node:fs';
import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { readCertificate, split_der } from 'node-opcua-crypto';
import { EdgeGatewayConfig, pkiDirOf } from '../config';
import { type CertificateSummary, summarizeCertificate } from './certificate-summary';
import { ownCertificateFile } from './own-certificate';

/** Where the administrator of an OPC UA server (a PLC) downloads the certificate it must trust. */
export const OWN_CERTIFICATE_DOWNLOAD = '/v1/opcua/certificates/own.der';

export interface OwnCertificate {
  file: string;
  der: Buffer;
  summary: CertificateSummary;
}

/**
 * The gateway's own (client) certificate, which every server with security must trust; undefined
 * until the first connection has made it. A chain file's first certificate is the gateway's.
 */
export function readOwnCertificate(pkiDir: string): OwnCertificate | undefined {
  const file = ownCertificateFile(pkiDir);
  if (!existsSync(file)) return undefined;
  const [der] = split_der(readCertificate(file));
  return { file, der, summary: summarizeCertificate(der) };
}

/** The gateway's own certificate for the REST API, from the PKI folder every connection uses. */
@Injectable()
export class OwnCertificateReader {
  constructor(@Inject(EdgeGatewayConfig) private readonly config: EdgeGatewayConfig) {}

  read(): OwnCertificate {
    const own = readOwnCertificate(pkiDirOf(this.config));
    if (!own) {
      throw new NotFoundException(
        'the gateway has no certificate yet: it makes one when it first connects to an OPC UA endpoint',
      );
    }
    return own;
  }
}
