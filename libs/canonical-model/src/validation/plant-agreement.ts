import type { CanonicalEvent } from '../envelope/canonical-event';
import { parseSubject } from '../subjects/subject';

/**
 * Why an event must not be handled as an event of the plant it arrived for, or `undefined` when it
 * may be: the plant token of its subject, its envelope `plantid` and its payload's `plant` must agree,
 * and be `servedPlant` when the consumer serves one plant. The subject is what filters, streams and
 * permissions route by; a service that trusted the envelope instead acted, and published follow-ups,
 * for a plant it does not serve, where they were refused while its own work stayed open.
 */
export function plantMismatch(
  subject: string,
  event: Pick<CanonicalEvent, 'plantid' | 'data'>,
  servedPlant?: string,
): string | undefined {
  let subjectPlant: string;
  try {
    subjectPlant = parseSubject(subject).plant;
  } catch (error) {
    return (error as Error).message;
  }
  const payloadPlant = plantOfPayload(event.data);
  const agree = event.plantid === subjectPlant && (payloadPlant ?? subjectPlant) === subjectPlant;
  if (agree && (servedPlant === undefined || subjectPlant === servedPlant)) return undefined;
  const payload = payloadPlant === undefined ? 'payload names no plant' : `payload plant "${payloadPlant}"`;
  const served = servedPlant === undefined ? '' : ` (this consumer serves plant "${servedPlant}")`;
  return `plant mismatch: subject plant "${subjectPlant}", envelope plantid "${event.plantid}", ${payload}${served}`;
}

/**
 * Every payload class today names its plant `plant` (an `@IsPlantCode()` field, some inherited from
 * `EquipmentEventV1`, `MaterialMovementV1` or `ConfirmationReferenceV1`). A payload without one is
 * checked on its subject and envelope only.
 */
function plantOfPayload(data: unknown): string | undefined {
  const plant = typeof data === 'object' && data !== null ? (data as { plant?: unknown }).plant : undefined;
  return typeof plant === 'string' ? plant : undefined;
}
