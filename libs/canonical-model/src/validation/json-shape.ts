/**
 * How deep any Plantbridge document nests, at most: envelope, payload, a list, its items and a few
 * levels to spare. class-transformer and class-validator recurse once per level, and a body nested
 * about 2,000 levels deep overflowed the stack (a 500 on REST, a crashed handler on JetStream).
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Keys no document may have: the names of `Object.prototype`'s members and `prototype`.
 * class-transformer trips over them (a `constructor` field in an event's data threw "Cannot read
 * properties of undefined", so the message could not even be dead-lettered), or drops them silently,
 * so a request with one was accepted although unknown fields are refused.
 */
const RESERVED_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/**
 * Why a parsed JSON value must be refused before class-transformer or class-validator see it, or
 * undefined: nested more than `maxDepth` levels, or a reserved key anywhere. Iterative, so a
 * value of any depth is checked without recursion.
 */
export function jsonShapeProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): string | undefined {
  const stack: Array<[unknown, number, string]> = [[value, 1, '']];
  while (stack.length) {
    const [current, depth, path] = stack.pop() as [unknown, number, string];
    if (typeof current !== 'object' || current === null) continue;
    if (depth > maxDepth) return `must not nest deeper than ${maxDepth} levels`;
    for (const key of Object.keys(current)) {
      const at = Array.isArray(current) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (!Array.isArray(current) && RESERVED_KEYS.has(key)) return `${at}: "${key}" is not allowed as a key`;
      stack.push([(current as Record<string, unknown>)[key], depth + 1, at]);
    }
  }
  return undefined;
}
