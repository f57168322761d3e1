import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AdmissionControl } from '@plantbridge/service-runtime';
import { PostingLedger } from './posting-ledger';

/**
 * Confirmations accepted and not yet in ERP are this service's backlog: past ADMISSION_MAX_BACKLOG
 * of them the MES is told to come back (503, Retry-After) instead of piling up more.
 */
@Injectable()
export class PostingBacklog implements OnModuleInit {
  constructor(
    private readonly admission: AdmissionControl,
    private readonly ledger: PostingLedger,
  ) {}

  onModuleInit(): void {
    this.admission.addBacklog('erp-postings', () => this.ledger.openCount());
  }
}
