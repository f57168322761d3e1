import { type DefinitionOf, type EventType, subjectFilterFor } from '@plantbridge/canonical-model';
import type { DeadLetter } from '../consuming/dead-letter';
import { eventMethod, type OnEventOptions } from './on-event.decorator';

/**
 * What ties a hook to its consumer: the same `plant` and `durable` as the `@OnEvent` it belongs to.
 * Passing that `@OnEvent`'s whole options object is fine; the rest is ignored.
 */
export type OnDeadLetterOptions = Pick<OnEventOptions<unknown>, 'plant' | 'durable'>;

/** What the server reads back from a hook's pattern extras. */
export interface DeadLetterHookExtras extends OnDeadLetterOptions {
  eventType: EventType;
}

/**
 * Nest keys handlers by pattern, and chains two event handlers of one pattern into one; the hook's
 * pattern is its consumer's filter under this prefix, so the server can tell it apart and pair them.
 */
export const DEAD_LETTER_PATTERN_PREFIX = 'dead-letter:';

type DeadLetterMethod = (deadLetter: DeadLetter) => Promise<void>;

/**
 * Hooks a method into the dead-lettering of the consumer that `@OnEvent(definition, options)` in the
 * same service creates: it is called with the `DeadLetter` of every message that consumer dead-letters
 * (invalid event, plant mismatch, permanent error, deliveries exhausted), after the DLQ copy is stored
 * and before the message is terminated:
 *
 *   @OnDeadLetter(Production.OperationConfirmedV1Event, POSTING_CONSUMER)
 *   async onConfirmedDeadLettered(letter: DeadLetter): Promise<void> {}
 *
 * If it throws, the message is not terminated but redelivered after the consumer's retry delay and the
 * hook called again (with the same reason), at most DEAD_LETTER_ATTEMPTS times per message; then it is
 * terminated with the failure logged and counted. So the hook must be idempotent.
 */
export function OnDeadLetter<T extends EventType>(
  definition: DefinitionOf<T>,
  options: OnDeadLetterOptions = {},
) {
  const extras: DeadLetterHookExtras = {
    plant: options.plant,
    durable: options.durable,
    eventType: definition.type as T,
  };
  const filter = subjectFilterFor(definition, options.plant ?? '*');
  return eventMethod<DeadLetterMethod>(`${DEAD_LETTER_PATTERN_PREFIX}${filter}`, extras);
}
