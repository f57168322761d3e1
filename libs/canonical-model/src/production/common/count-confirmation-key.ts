import { v5 as uuidv5 } from 'uuid';

/** Namespace of confirmation keys derived from production-count event ids (UUIDv5). */
const COUNTS_NAMESPACE = '6f1d3b7e-3c0a-4b8e-9a51-0c2e7d9f4a10';

/**
 * The confirmation key (SAP `ExternalSystemConfirmation`) of the automatic confirmation made from a
 * `production-counted` event: derived from the event id, so a redelivered count finds its
 * confirmation, and anyone holding the count can find its ERP posting.
 */
export function confirmationKeyForCount(productionCountedEventId: string): string {
  return uuidv5(productionCountedEventId, COUNTS_NAMESPACE);
}
