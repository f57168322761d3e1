import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { ErpServiceConfig } from '@plantbridge/config';
import { PostingLedger } from './posting-ledger';

const NAME = 'plantbridge_erp_postings';

/**
 * Postings per ledger state on /metrics, read at scrape time: alert on `failed` (the exception
 * queue) and on `in-doubt` or `pending` that keep growing (ERP away).
 */
@Injectable()
export class LedgerMetrics implements OnModuleInit {
  constructor(
    private readonly ledger: PostingLedger,
    @Inject(ErpServiceConfig) private readonly config: ErpServiceConfig,
  ) {}

  onModuleInit(): void {
    register.removeSingleMetric(NAME);
    const ledger = this.ledger;
    const plant = this.config.PLANT_ID;
    new Gauge({
      name: NAME,
      help: 'ERP postings per ledger state (pending, in-flight, in-doubt, posted, failed, discarded)',
      labelNames: ['state'],
      async collect() {
        for (const [state, count] of Object.entries(await ledger.countsByState(plant)))
          this.set({ state }, count);
      },
    });
  }
}
