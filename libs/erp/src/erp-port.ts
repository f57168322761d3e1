/** A production order as the plant needs it from ERP (SAP `A_ProductionOrder_2` with its operations). */
export interface ErpOrder {
  manufacturingOrder: string;
  plant: string;
  material: string;
  totalQuantity: number;
  unit: string;
  scheduledStart: string;
  scheduledEnd: string;
  status: ErpOrderStatus;
  operations: ErpOperation[];
  /** When ERP last changed the order; the release poller's watermark. */
  lastChangedAt: string;
}

export type ErpOrderStatus = 'created' | 'released' | 'technically-completed' | 'closed';

export interface ErpOperation {
  operation: string;
  /** SAP routing sequence; `0` for the standard sequence. */
  sequence: string;
  workCenter: string;
  description?: string;
  plannedQuantity?: number;
}

/** One operation confirmation to post (SAP `ProdnOrdConf2`). */
export interface ConfirmationPosting {
  /** The business idempotency key, a UUID: SAP's `ExternalSystemConfirmation`. */
  externalKey: string;
  manufacturingOrder: string;
  operation: string;
  sequence?: string;
  yieldQuantity: number;
  scrapQuantity: number;
  reworkQuantity: number;
  unit: string;
  finalConfirmation: boolean;
  executionStart: string;
  executionEnd: string;
  postingDate?: string;
}

/** ERP's document for a posted confirmation. */
export interface PostedConfirmation {
  externalKey: string;
  confirmationGroup: string;
  confirmationCount: string;
  /** True when this was found already posted, not posted by this call. */
  alreadyPosted: boolean;
}

/*
 * What Plantbridge services need from an ERP, one port per capability, so a service injects only
 * what it uses and a test fake implements only that. Adapters (SAP S/4HANA OData first) implement
 * them and throw the errors of `./errors`, so callers decide retry, in-doubt resolution and
 * exception handling the same way whatever the ERP. A writing capability is a post and a find by
 * its business key: the find is how an in-doubt posting is resolved.
 */

/** Production orders released to the plant. */
export abstract class ProductionOrdersPort {
  /** Orders released to a plant and changed at or after `changedSince` (all when absent). */
  abstract listReleasedOrders(plant: string, changedSince?: string): Promise<ErpOrder[]>;

  /** One order with its operations, or undefined when ERP does not know it. */
  abstract getOrder(manufacturingOrder: string): Promise<ErpOrder | undefined>;
}

/** Operation confirmations. */
export abstract class ConfirmationsPort {
  /**
   * Posts a confirmation. Throws ErpInDoubtError when the request may have been applied (timeout,
   * dropped connection): look it up with `findConfirmation` before posting again.
   */
  abstract postConfirmation(posting: ConfirmationPosting): Promise<PostedConfirmation>;

  /** The confirmation posted under this external key, if any: how an in-doubt posting is resolved. */
  abstract findConfirmation(externalKey: string): Promise<PostedConfirmation | undefined>;
}

/** How the connection to ERP is doing, for status pages and metrics. */
export abstract class ErpConnectionPort {
  /** The circuit breaker: closed (calls go), open (refused at once), half-open (one trial call). */
  abstract get circuit(): string;

  /** Each endpoint's in-flight limit and load. */
  abstract endpointLoad(): Array<{
    endpoint: string;
    maxInFlight: number;
    inFlight: number;
    waiting: number;
  }>;
}
