import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ErpPostingAuditRecord, ErpPostingRecord } from '../ledger/erp-posting.entity';

export class AuditEntryView {
  @ApiProperty({ enum: ['retry', 'discard'] }) action!: string;
  @ApiProperty({ description: "The verified caller (its token's subject)" }) actor!: string;
  @ApiPropertyOptional({ description: 'The OAuth client of its token' }) client?: string;
  @ApiPropertyOptional({ description: 'Whom it acted for, as the request said' }) onBehalfOf?: string;
  @ApiPropertyOptional() reason?: string;
  @ApiProperty() fromState!: string;
  @ApiProperty() toState!: string;
  @ApiProperty() at!: string;
}

export class PostingView {
  @ApiProperty({
    description:
      "ERP idempotency key (SAP's ExternalSystemConfirmation for confirmations); the document's id",
  })
  postingKey!: string;
  @ApiProperty({ example: 'operation-confirmation' }) kind!: string;
  @ApiProperty({ example: '1000001/0010' }) reference!: string;
  @ApiProperty({ enum: ['pending', 'in-flight', 'in-doubt', 'posted', 'failed', 'discarded'] })
  state!: string;
  @ApiProperty() attempts!: number;
  @ApiPropertyOptional({ description: "ERP's message or why posting gave up" }) lastError?: string;
  @ApiPropertyOptional({ example: 'RU/140' }) erpCode?: string;
  @ApiPropertyOptional({ example: '0000000207/00000001' }) erpDocument?: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiPropertyOptional() postedAt?: string;
  @ApiPropertyOptional({ type: [AuditEntryView] }) audit?: AuditEntryView[];
}

export function toPostingView(p: ErpPostingRecord, audit?: ErpPostingAuditRecord[]): PostingView {
  return {
    postingKey: p.postingKey,
    kind: p.kind,
    reference: p.reference,
    state: p.state,
    attempts: p.attempts,
    lastError: p.lastError ?? undefined,
    erpCode: p.erpCode ?? undefined,
    erpDocument: p.erpDocument ?? undefined,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    postedAt: p.postedAt ?? undefined,
    audit: audit?.map((a) => ({
      action: a.action,
      actor: a.actor,
      client: a.client ?? undefined,
      onBehalfOf: a.onBehalfOf ?? undefined,
      reason: a.reason ?? undefined,
      fromState: a.fromState,
      toState: a.toState,
      at: a.at,
    })),
  };
}
