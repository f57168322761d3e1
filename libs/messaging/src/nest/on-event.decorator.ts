import { UseFilters } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import {
  type CanonicalEvent,
  type DefinitionOf,
  type EventType,
  subjectFilterFor,
} from '@plantbridge/canonical-model';
import type { RetryPolicy } from '../consuming/settlement';
import { HandlerErrorPassThrough } from './handler-error.filter';
import type { JetStreamContext } from './jetstream-context';

export interface OnEventOptions<Settings = never> {
  /** One plant, or every plant (`*`, the default). */
  plant?: string;
  /** Defaults to `<service>--<filter>`; set it to keep a consumer's position when renaming a handler. */
  durable?: string;
  /**
   * Messages handled at once; or a function of the service's settings (its validated config), for a
   * consumer whose right concurrency depends on them.
   */
  concurrency?: number | ((settings: Settings) => number);
  ackWaitMs?: number;
  retry?: Partial<RetryPolicy>;
}

/** What the server reads back from a handler's pattern extras. */
export interface EventHandlerExtras<Settings = never> extends OnEventOptions<Settings> {
  eventType: EventType;
}

type TypedHandler<T extends EventType> = (
  event: CanonicalEvent<T>,
  context: JetStreamContext,
) => Promise<void>;

/**
 * Subscribes a method to one event type through a durable JetStream pull consumer. The method gets
 * the validated event, typed by its definition:
 *
 *   @OnEvent(Production.OperationConfirmedV1Event)
 *   async onConfirmed(@Payload() event: CanonicalEvent<'plantbridge.production.operation-confirmed.v1'>, @Ctx() ctx: JetStreamContext) {}
 *
 * As everywhere in Nest microservices, `@Payload()` and `@Ctx()` say which argument is which.
 * Errors the method throws reach settlement as they are (PermanentError, RetryLaterError), not
 * flattened by Nest's RPC exception handling.
 */
export function OnEvent<T extends EventType, Settings = never>(
  definition: DefinitionOf<T>,
  options: OnEventOptions<Settings> = {},
) {
  const extras: EventHandlerExtras<Settings> = { ...options, eventType: definition.type as T };
  return eventMethod<TypedHandler<T>>(subjectFilterFor(definition, options.plant ?? '*'), extras);
}

/**
 * A method Nest calls for `pattern`, with errors passed through as they are (see the filter): what
 * `@OnEvent` and `@OnDeadLetter` both are.
 */
export function eventMethod<M>(pattern: string, extras: object) {
  const register = EventPattern(pattern, extras);
  return (target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    register(target, key, descriptor);
    UseFilters(new HandlerErrorPassThrough())(target, key, descriptor);
  };
}
