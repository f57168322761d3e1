import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ErpPostingRecord, PostingState } from '@plantbridge/erp-posting';
import type { ConfirmationRecord } from './confirmation.entity';

export type ConfirmationStatus = 'accepted' | 'posting' | 'posted' | 'failed' | 'discarded';

/** What MES sees of the ledger: accepted (waiting), posting (sent or being resolved), and the ends. */
const STATUS_BY_STATE: Record<PostingState, ConfirmationStatus> = {
  pending: 'accepted',
  'in-flight': 'posting',
  'in-doubt': 'posting',
  posted: 'posted',
  failed: 'failed',
  discarded: 'discarded',
};

export class ErpConfirmationView {
  @ApiProperty({ example: '0000000207', description: 'SAP ConfirmationGroup' }) confirmationGroup!: string;
  @ApiProperty({ example: '00000001', description: 'SAP ConfirmationCount' }) confirmationCount!: string;
}

export class ConfirmationView {
  @ApiProperty({ description: "Also SAP's ExternalSystemConfirmation" }) confirmationId!: string;
  @ApiProperty() plant!: string;
  @ApiProperty() manufacturingOrder!: string;
  @ApiProperty() operation!: string;
  @ApiProperty() yieldQuantity!: number;
  @ApiProperty() scrapQuantity!: number;
  @ApiProperty() reworkQuantity!: number;
  @ApiProperty() unit!: string;
  @ApiProperty() finalConfirmation!: boolean;
  @ApiProperty() executionStart!: string;
  @ApiProperty() executionEnd!: string;
  @ApiProperty({ enum: ['mes', 'equipment-counts'] }) source!: string;
  @ApiProperty({ enum: ['accepted', 'posting', 'posted', 'failed', 'discarded'] })
  status!: ConfirmationStatus;
  @ApiPropertyOptional({ type: ErpConfirmationView }) erpConfirmation?: ErpConfirmationView;
  @ApiPropertyOptional({ description: "ERP's reason when failed" }) failureReason?: string;
  @ApiProperty() acceptedAt!: string;
  @ApiPropertyOptional() postedAt?: string;
}

export function toConfirmationView(c: ConfirmationRecord, posting: ErpPostingRecord): ConfirmationView {
  const [confirmationGroup, confirmationCount] = posting.erpDocument?.split('/') ?? [];
  return {
    confirmationId: c.id,
    plant: c.plant,
    manufacturingOrder: c.manufacturingOrder,
    operation: c.operation,
    yieldQuantity: c.yieldQuantity,
    scrapQuantity: c.scrapQuantity,
    reworkQuantity: c.reworkQuantity,
    unit: c.unit,
    finalConfirmation: c.finalConfirmation,
    executionStart: c.executionStart,
    executionEnd: c.executionEnd,
    source: c.source,
    status: STATUS_BY_STATE[posting.state],
    erpConfirmation: confirmationGroup ? { confirmationGroup, confirmationCount } : undefined,
    failureReason: posting.state === 'failed' ? (posting.lastError ?? undefined) : undefined,
    acceptedAt: c.acceptedAt,
    postedAt: posting.postedAt ?? undefined,
  };
}
