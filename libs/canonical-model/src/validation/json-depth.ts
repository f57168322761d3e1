/**
 * How deep any Plantbridge document nests, at most: envelope, payload, a list, its items and a few
 * levels to spare. class-transformer and class-validator recurse once per level, and a body nested
 * about 2,000 levels deep overflowed the stack (a 500 on REST, a crashed handler on JetStream), so
 * depth is checked, without recursion, before either sees a value.
 */
export const MAX_JSON_DEPTH = 32;

/** True when `value` nests objects or arrays more than `max` levels deep. */
export function nestsDeeperThan(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
