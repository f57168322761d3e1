import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { OPCUACertificateManager } from 'node-opcua';
import { readCertificate } from 'node-opcua-crypto';
import { type CertificateSummary, summarizeCertificate } from './certificate-summary';

export type CertificateStatus = 'trusted' | 'rejected';

/** A server certificate the gateway has met: what an operator needs to decide on it. */
export interface ServerCertificate extends CertificateSummary {
  status: CertificateStatus;
}

/**
 * The OPC UA servers the gateway trusts, in its PKI folder (`<DATA_DIR>/edge-gateway-pki`, the one
 * every endpoint connection uses): an unknown server's certificate lands in `rejected/` and its
 * connection is refused until an operator trusts it; a trusted one can be revoked. The endpoint
 * connections pick a change up on their next attempt.
 */
export class TrustStore {
  private manager?: OPCUACertificateManager;

  constructor(private readonly pkiDir: string) {}

  /** The certificate with this thumbprint, trusted or rejected, if the gateway has met it. */
  async find(thumbprint: string): Promise<ServerCertificate | undefined> {
    return (await this.list()).find((c) => c.thumbprint === thumbprint.toLowerCase());
  }

  async list(): Promise<ServerCertificate[]> {
    const manager = await this.opened();
    return [
      ...this.read(manager.trustedFolder, 'trusted'),
      ...this.read(manager.rejectedFolder, 'rejected'),
    ].map(({ certificate }) => certificate);
  }

  /** Trusts a certificate the gateway has seen; false when no certificate has that thumbprint. */
  async trust(thumbprint: string): Promise<ServerCertificate | undefined> {
    return this.move(thumbprint, 'trusted');
  }

  /** Stops trusting a certificate: the server's next connection is refused. */
  async revoke(thumbprint: string): Promise<ServerCertificate | undefined> {
    return this.move(thumbprint, 'rejected');
  }

  async close(): Promise<void> {
    await this.manager?.dispose();
  }

  private async move(thumbprint: string, to: CertificateStatus): Promise<ServerCertificate | undefined> {
    const manager = await this.opened();
    const found = [
      ...this.read(manager.trustedFolder, 'trusted'),
      ...this.read(manager.rejectedFolder, 'rejected'),
    ].find((c) => c.certificate.thumbprint === thumbprint.toLowerCase());
    if (!found) return undefined;
    if (to === 'trusted') await manager.trustCertificate(found.der);
    else await manager.rejectCertificate(found.der);
    return { ...found.certificate, status: to };
  }

  private read(
    folder: string,
    status: CertificateStatus,
  ): Array<{ certificate: ServerCertificate; der: Buffer }> {
    const files = safeList(folder).filter((f) => /\.(pem|der)$/i.test(f));
    return files.flatMap((file) => {
      try {
        const der = readCertificate(join(folder, file));
        return [{ der, certificate: { ...summarizeCertificate(der), status } }];
      } catch {
        return []; // not a certificate: not ours to show
      }
    });
  }

  private async opened(): Promise<OPCUACertificateManager> {
    if (!this.manager) {
      const manager = new OPCUACertificateManager({
        rootFolder: this.pkiDir,
        automaticallyAcceptUnknownCertificate: false,
      });
      await manager.initialize();
      this.manager = manager;
    }
    return this.manager;
  }
}

function safeList(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}
