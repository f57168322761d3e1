import type { Capability } from '../common/capability';

/** A payload class: what a consumer of an event type receives as `data`. */
export type PayloadClass<P extends object = object> = new () => P;

/**
 * One versioned event type. `type` is the CloudEvents type and names object, event and major version;
 * a new major version is a new definition in a new folder beside the old one, never an edit.
 */
export interface EventDefinition<
  C extends Capability = Capability,
  N extends string = string,
  V extends number = number,
  P extends object = object,
> {
  readonly capability: C;
  readonly name: N;
  readonly version: V;
  readonly type: `plantbridge.${C}.${N}.v${V}`;
  readonly payload: PayloadClass<P>;
}

const EVENT_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export function defineEvent<C extends Capability, N extends string, V extends number, P extends object>(
  capability: C,
  name: N,
  version: V,
  payload: PayloadClass<P>,
): EventDefinition<C, N, V, P> {
  if (!EVENT_NAME.test(name)) throw new Error(`event name "${name}" must be kebab-case`);
  if (!Number.isInteger(version) || version < 1) throw new Error(`event version must be a positive integer`);
  return Object.freeze({
    capability,
    name,
    version,
    type: `plantbridge.${capability}.${name}.v${version}`,
    payload,
  });
}
