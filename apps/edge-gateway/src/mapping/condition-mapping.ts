import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { resolveNodeId } from 'node-opcua';
import { EQUIPMENT_ID, NODE_ID } from './identifiers';

/** The Server object: the root notifier every condition event of a server reaches. */
export const SERVER_OBJECT = 'i=2253';

/** Which equipment a condition belongs to, found by its SourceNode (preferred) or its SourceName. */
export class ConditionSource {
  @IsOptional()
  @Matches(NODE_ID, { message: 'sourceNode must be an OPC UA node id such as ns=1;s=Line1.M01' })
  sourceNode?: string;

  @IsOptional()
  @IsString()
  @Length(1, 255)
  sourceName?: string;

  @Matches(EQUIPMENT_ID, { message: 'equipmentId must be 1 to 64 letters, digits, _ . or -' })
  equipmentId!: string;
}

/**
 * OPC UA Alarms & Conditions (Part 9) of one endpoint: the notifier nodes whose events are
 * subscribed (the Server object unless set), and how a condition's source maps to equipment.
 */
export class ConditionMapping {
  @IsArray()
  @ArrayMinSize(1)
  @Matches(NODE_ID, { each: true, message: 'each notifier must be an OPC UA node id such as i=2253' })
  notifiers: string[] = [SERVER_OBJECT];

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ConditionSource)
  sources: ConditionSource[] = [];

  /**
   * A condition whose source is not listed: `skip` it (counted in
   * `plantbridge_alarm_condition_faults_total{reason="unmapped-source"}`) or publish it with
   * `defaultEquipmentId`.
   */
  @IsIn(['skip', 'default'])
  unmappedSources: 'skip' | 'default' = 'skip';

  @IsOptional()
  @Matches(EQUIPMENT_ID, { message: 'defaultEquipmentId must be 1 to 64 letters, digits, _ . or -' })
  defaultEquipmentId?: string;
}

/** Rules across the fields of an endpoint's `conditions` (at: its path, e.g. `endpoints[0].conditions`). */
export function conditionMappingErrors(conditions: ConditionMapping | undefined, at: string): string[] {
  if (!conditions) return [];
  const errors: string[] = [];
  const notifiers = new Set<string>();
  conditions.notifiers.forEach((notifier, n) => {
    const key = resolveNodeId(notifier).toString();
    if (notifiers.has(key)) errors.push(`${at}.notifiers[${n}]: ${notifier} is listed twice`);
    notifiers.add(key);
  });
  const seen = new Map<string, number>();
  conditions.sources.forEach((source, s) => {
    const sourceAt = `${at}.sources[${s}]`;
    if ((source.sourceNode === undefined) === (source.sourceName === undefined)) {
      errors.push(`${sourceAt}: needs exactly one of sourceNode, sourceName`);
      return;
    }
    const key = source.sourceNode
      ? `sourceNode ${resolveNodeId(source.sourceNode).toString()}`
      : `sourceName ${source.sourceName}`;
    const first = seen.get(key);
    if (first !== undefined) errors.push(`${sourceAt}: ${key} is already mapped by sources[${first}]`);
    else seen.set(key, s);
  });
  if (conditions.unmappedSources === 'default' && !conditions.defaultEquipmentId) {
    errors.push(`${at}.defaultEquipmentId: needed when unmappedSources is default`);
  }
  return errors;
}

/** A condition's source as its events name it. */
export interface ConditionSourceRef {
  sourceNode: string;
  sourceName: string;
}

/** The equipment of a condition's source: by SourceNode, else by SourceName, else the default (or none). */
export class ConditionEquipment {
  private readonly byNode = new Map<string, string>();
  private readonly byName = new Map<string, string>();

  constructor(private readonly mapping: ConditionMapping) {
    for (const source of mapping.sources) {
      // Node ids compared in one spelling: "ns=0;i=2253" and "i=2253" are one node.
      if (source.sourceNode) this.byNode.set(resolveNodeId(source.sourceNode).toString(), source.equipmentId);
      else if (source.sourceName) this.byName.set(source.sourceName, source.equipmentId);
    }
  }

  of(source: ConditionSourceRef): string | undefined {
    return (
      this.byNode.get(source.sourceNode) ??
      this.byName.get(source.sourceName) ??
      (this.mapping.unmappedSources === 'default' ? this.mapping.defaultEquipmentId : undefined)
    );
  }
}
