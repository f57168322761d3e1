import type { ErpServiceConfig } from '@plantbridge/config';
import { postingCapacity } from '@plantbridge/erp';
import type { OnEventOptions } from '@plantbridge/messaging';

/**
 * JetStream's default max_ack_pending. A posting that waits for ERP to come back stays pending at
 * JetStream until its redelivery, so during an outage this many cycle per retry delay; the defaults
 * (2 × 32 × 50 = 3,200) would triple that churn for rates no plant posts.
 */
const MAX_POSTINGS_AT_ONCE = 1000;

/**
 * The consumer options of a posting kind's triggers (`@OnEvent(…, postingConsumer(…))`). ERP
 * postings are driven by JetStream, so they survive restarts and spread over replicas. The ledger
 * decides when to give up, not the delivery count, so an ERP outage of hours never dead-letters a
 * posting. A redelivery while a posting is still in flight waits for its lease (see the ledger).
 *
 * ERP_MAX_IN_FLIGHT bounds the calls to the kind's endpoint; the consumer holds twice the postings
 * those calls can carry (× ERP_BATCH_SIZE when batched: one set in flight, the next gathering), so
 * behind a slow ERP every call goes out full. A fixed 64 capped confirmations at 64 ÷ ERP latency:
 * 77/s where 2 calls of 50 at 500 ms allow 200/s; now 180/s.
 */
export function postingConsumer(erp: {
  endpoint: string;
  batched: boolean;
}): OnEventOptions<ErpServiceConfig> {
  return {
    concurrency: (config) => Math.min(postingCapacity(config, erp), MAX_POSTINGS_AT_ONCE),
    retry: { maxDeliveries: 1_000_000 },
  };
}
