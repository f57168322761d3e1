import { Injectable, NotFoundException, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IdempotentRequests, type IdempotentResponse } from '@plantbridge/persistence';
import type { CommandRequest } from '@plantbridge/service-runtime';
import type { DataSource } from 'typeorm';
import { CertificateAuditRecord } from './certificate-audit.entity';
import { type ServerCertificate, TrustStore } from './trust-store';

/**
 * An operator trusts or revokes an OPC UA server's certificate: the PKI folder changes, and who did
 * it (the token's subject and client) is audited, once per Idempotency-Key.
 */
@Injectable()
export class CertificateTrust implements OnApplicationShutdown {
  constructor(
    private readonly store: TrustStore,
    private readonly idempotent: IdempotentRequests,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  list(): Promise<ServerCertificate[]> {
    return this.store.list();
  }

  decide(
    ctx: CommandRequest,
    thumbprint: string,
    action: 'trust' | 'revoke',
  ): Promise<IdempotentResponse<ServerCertificate>> {
    return this.idempotent.execute(
      ctx.replayKey,
      { method: 'POST', path: ctx.path, body: {} },
      async (tx) => {
        const found = await this.store.find(thumbprint);
        if (!found)
          throw new NotFoundException(`no OPC UA server certificate has the thumbprint ${thumbprint}`);
        // The audit row first: if moving the certificate fails, the transaction leaves no record of
        // a change that did not happen, and no change happens without its record.
        await tx.manager.insert(CertificateAuditRecord, {
          thumbprint: found.thumbprint,
          action,
          actor: ctx.caller?.subject ?? 'anonymous',
          client: ctx.caller?.client ?? null,
          subject: found.subject.slice(0, 255),
          at: new Date().toISOString(),
        });
        const moved = await (action === 'trust'
          ? this.store.trust(thumbprint)
          : this.store.revoke(thumbprint));
        if (!moved)
          throw new NotFoundException(`no OPC UA server certificate has the thumbprint ${thumbprint}`);
        return { statusCode: 200, body: moved };
      },
    );
  }

  /** Every trust and revocation, oldest first (at most 1,000). */
  audit(): Promise<CertificateAuditRecord[]> {
    return this.dataSource.manager.find(CertificateAuditRecord, { order: { id: 'ASC' }, take: 1000 });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
