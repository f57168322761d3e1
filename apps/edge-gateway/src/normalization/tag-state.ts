import type { Equipment } from '@plantbridge/canonical-model';

/**
 * What the gateway remembers of one tag between samples and across restarts (table `tag_state`,
 * keyed by endpoint and node id): a counter's last raw value, whether an alarm tag was active, and
 * a machine's state with the time it began.
 */
export type TagState =
  | { counter: number }
  | { alarm: boolean }
  | { state: Equipment.MachineryItemState; since: string };

/** A stored row's state; undefined for JSON this version does not know (it is then rebuilt). */
export function parseTagState(json: string): TagState | undefined {
  try {
    const state = JSON.parse(json) as Partial<Record<string, unknown>>;
    if (typeof state.counter === 'number') return { counter: state.counter };
    if (typeof state.alarm === 'boolean') return { alarm: state.alarm };
    if (typeof state.state === 'string' && typeof state.since === 'string')
      return { state: state.state as Equipment.MachineryItemState, since: state.since };
  } catch {
    // fall through
  }
  return undefined;
}

interface TagStateRow {
  endpointId: string;
  nodeId: string;
  state: string;
  updatedAt: string;
}

/**
 * Rows from before tag state was keyed by endpoint (endpoint id '') go to the one endpoint that maps
 * their node id, unless it has a row of its own already. Where several endpoints map the node id,
 * the stored value mixed their machines' counts: it is dropped (`ambiguous`, for the log), and those
 * counters start from a new baseline. Rows of node ids no endpoint maps any more are dropped too.
 */
export function assignLegacyTagStates<Row extends TagStateRow>(
  legacy: Row[],
  current: Row[],
  endpoints: ReadonlyArray<{ id: string; tags: ReadonlyArray<{ nodeId: string }> }>,
): { adopted: Row[]; ambiguous: Array<{ nodeId: string; endpointIds: string[] }> } {
  const adopted: Row[] = [];
  const ambiguous: Array<{ nodeId: string; endpointIds: string[] }> = [];
  const taken = new Set(current.map((r) => `${r.endpointId} ${r.nodeId}`));
  for (const row of legacy) {
    const endpointIds = endpoints.filter((e) => e.tags.some((t) => t.nodeId === row.nodeId)).map((e) => e.id);
    if (endpointIds.length > 1) ambiguous.push({ nodeId: row.nodeId, endpointIds });
    else if (endpointIds.length === 1 && !taken.has(`${endpointIds[0]} ${row.nodeId}`))
      adopted.push({ ...row, endpointId: endpointIds[0] });
  }
  return { adopted, ambiguous };
}
