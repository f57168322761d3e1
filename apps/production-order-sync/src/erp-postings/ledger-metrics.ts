import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { ProductionOrderSyncConfig } from '../config';
import { ExceptionQueue } from './exception-queue.usecase';

const NAME = 'plantbridge_erp_postings';

/**
 * Postings per ledger state on /metrics, read at scrape time: alert on `failed` (the exception
 * queue) and on `in-doubt` or `pending` that keep growing (ERP away).
 */
@Injectable()
export class LedgerMetrics implements OnModuleInit {
  constructor(
    private readonly queue: ExceptionQueue,
    @Inject(ProductionOrderSyncConfig) private readonly config: ProductionOrderSyncConfig,
  ) {}

  onModuleInit(): void {
    register.removeSingleMetric(NAME);
    const queue = this.queue;
    const plant = this.config.PLANT_ID;
    new Gauge({
      name: NAME,
      help: 'ERP postings per ledger state (pending, in-flight, in-doubt, posted, failed, discarded)',
      labelNames: ['state'],
      async collect() {
        for (const [state, count] of Object.entries(await queue.countsByState(plant)))
          this.set({ state }, count);
      },
    });
  }
}
