import { accessSync, constants, readFileSync } from 'node:fs';
import { Equipment, parseJsonDocument } from '@plantbridge/canonical-model';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ConditionMapping, conditionMappingErrors } from './condition-mapping';
import { EQUIPMENT_ID, NODE_ID } from './identifiers';

/**
 * A plant's tag mapping: which OPC UA endpoints the gateway connects to, and what each node id
 * means (which equipment, which kind of signal). Written by the plant's engineers (JSON), validated
 * at boot with every error named by its path, e.g. `endpoints[0].tags[3].high`.
 */

export { NODE_ID } from './identifiers';
type MachineryItemState = Equipment.MachineryItemState;

abstract class TagBase {
  @Matches(NODE_ID, { message: 'nodeId must be an OPC UA node id such as ns=1;s=Line1.M01.GoodParts' })
  @MaxLength(255) // the length tag_state keeps
  nodeId!: string;

  @Matches(EQUIPMENT_ID, { message: 'equipmentId must be 1 to 64 letters, digits, _ . or -' })
  equipmentId!: string;

  /** For a node that holds an array: the element this tag is (0-based). */
  @IsOptional()
  @IsInt()
  @Min(0)
  index?: number;
}

/**
 * The machine's state. Without `states`: OPC 40001 MachineryItemState as an integer (0..3) or its
 * name, or a Boolean "running" (true: Executing, false: NotExecuting). With `states`, the value's
 * text maps to a state: `{ "6": "Executing", "2": "NotExecuting" }` for PackML or vendor codes,
 * `{ "RUN": "Executing" }` for strings; a value the table lacks is a counted, logged fault.
 */
export class StateTag extends TagBase {
  @IsIn(['state'])
  signal!: 'state';

  @IsOptional()
  @IsObject()
  states?: Record<string, MachineryItemState>;
}

/** A part counter of the PLC; deltas become cycle-completed events, rollover and resets handled. */
export class CounterTag extends TagBase {
  @IsIn(['counter'])
  signal!: 'counter';

  @IsIn(['good', 'scrap'], { message: 'counter must be good or scrap' })
  counter!: 'good' | 'scrap';

  /** The value after which the PLC counter rolls over to 0. */
  @IsOptional()
  @IsInt()
  @Min(1)
  max?: number;

  @IsOptional()
  @Length(1, 3)
  unit?: string;
}

/** A boolean tag: true raises the alarm, false clears it. */
export class AlarmTag extends TagBase {
  @IsIn(['alarm'])
  signal!: 'alarm';

  @IsString()
  @Length(1, 64)
  alarmId!: string;

  @IsInt()
  @Min(1)
  @Max(1000)
  severity!: number;

  @IsString()
  @Length(1, 255)
  message!: string;

  @IsOptional()
  @IsString()
  @Length(1, 40)
  alarmClass?: string;
}

/** A value with limits: crossing one (beyond the hysteresis band) is a threshold-crossed event. */
export class MeasurementTag extends TagBase {
  @IsIn(['measurement'])
  signal!: 'measurement';

  @IsString()
  @Length(1, 40)
  name!: string;

  @IsOptional()
  @Length(1, 3)
  unit?: string;

  @IsOptional()
  @IsNumber()
  low?: number;

  @IsOptional()
  @IsNumber()
  high?: number;

  /** How far back inside a limit a value must come before the crossing is over (no flapping). */
  @IsNumber()
  @Min(0)
  hysteresis = 0;
}

/** Raw values for dashboards and historians, batched into samples-reported events; never to ERP. */
export class TelemetryTag extends TagBase {
  @IsIn(['telemetry'])
  signal!: 'telemetry';

  @IsString()
  @Length(1, 40)
  name!: string;

  /** Downsampling: at most one value per interval (the latest); 0 sends every change. */
  @IsInt()
  @Min(0)
  intervalMs = 1000;
}

export type TagMappingEntry = StateTag | CounterTag | AlarmTag | MeasurementTag | TelemetryTag;
export const SIGNAL_KINDS = ['state', 'counter', 'alarm', 'measurement', 'telemetry'] as const;

export class EndpointIdentity {
  @IsIn(['anonymous', 'username', 'certificate'])
  type!: 'anonymous' | 'username' | 'certificate';

  @IsOptional()
  @IsString()
  userName?: string;

  /** Name of the environment variable that holds the password (never the password itself)… */
  @IsOptional()
  @Matches(/^[A-Z_][A-Z0-9_]*$/, { message: 'passwordEnv must name an environment variable' })
  passwordEnv?: string;

  /** …or of a file holding it (a mounted Kubernetes secret). */
  @IsOptional()
  @IsString()
  passwordFile?: string;

  @IsOptional()
  @IsString()
  certificateFile?: string;

  @IsOptional()
  @IsString()
  privateKeyFile?: string;
}

export class EndpointMapping {
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'id must be 1 to 32 letters, digits, _ or -' })
  id!: string;

  @Matches(/^opc\.tcp:\/\/[^\s/]+(\/\S*)?$/, { message: 'url must be an opc.tcp:// URL' })
  url!: string;

  @IsIn(['None', 'Sign', 'SignAndEncrypt'])
  securityMode: 'None' | 'Sign' | 'SignAndEncrypt' = 'None';

  @IsIn(['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'])
  securityPolicy: 'None' | 'Basic256Sha256' | 'Aes128_Sha256_RsaOaep' | 'Aes256_Sha256_RsaPss' = 'None';

  @ValidateNested()
  @Type(() => EndpointIdentity)
  identity: EndpointIdentity = Object.assign(new EndpointIdentity(), { type: 'anonymous' as const });

  /**
   * A username identity over `securityMode: None` sends its password on a channel that neither
   * signs nor encrypts; the mapping refuses that unless this says the plant accepts it.
   */
  @IsOptional()
  @IsBoolean()
  allowPasswordWithoutSecurity?: boolean;

  /**
   * Which timestamp says when a value changed: `source` (the PLC's, default) or `server` (for PLCs
   * without a clock, whose server stamps values as it reads them).
   */
  @IsIn(['source', 'server'])
  timestamps: 'source' | 'server' = 'source';

  /** A source timestamp further than this from the server's clock is implausible (reported). */
  @IsInt()
  @Min(0)
  maxClockSkewMs = 60_000;

  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => TagBase, {
    keepDiscriminatorProperty: true,
    discriminator: {
      property: 'signal',
      subTypes: [
        { value: StateTag, name: 'state' },
        { value: CounterTag, name: 'counter' },
        { value: AlarmTag, name: 'alarm' },
        { value: MeasurementTag, name: 'measurement' },
        { value: TelemetryTag, name: 'telemetry' },
      ],
    },
  })
  tags!: TagMappingEntry[];

  /** OPC UA Alarms & Conditions events to subscribe, and their sources' equipment (condition-mapping.ts). */
  @IsOptional()
  @ValidateNested()
  @Type(() => ConditionMapping)
  conditions?: ConditionMapping;
}

export class CountAggregation {
  /** Production counts per order operation are sent at least this often while parts are made. */
  @IsInt()
  @Min(100)
  intervalMs = 10_000;

  /** … or as soon as this many parts accumulated, whichever comes first. */
  @IsOptional()
  @IsInt()
  @Min(1)
  unitStep?: number;
}

export class TagMapping {
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => EndpointMapping)
  endpoints!: EndpointMapping[];

  @ValidateNested()
  @Type(() => CountAggregation)
  countAggregation: CountAggregation = new CountAggregation();
}

export type ParsedTagMapping = { ok: true; mapping: TagMapping } | { ok: false; errors: string[] };

/** Parses and validates a mapping document; every problem is reported, with its path. */
export function parseTagMapping(text: string): ParsedTagMapping {
  const parsed = parseJsonDocument(TagMapping, text, {
    expected: 'the mapping must be a JSON object with "endpoints"',
    precheck: findUnknownSignals,
  });
  if (!parsed.ok) return parsed;
  const errors = crossFieldErrors(parsed.value);
  return errors.length ? { ok: false, errors } : { ok: true, mapping: parsed.value };
}

export function readTagMappingFile(path: string): ParsedTagMapping {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return {
      ok: false,
      errors: [`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`],
    };
  }
  return parseTagMapping(text);
}

/** A tag whose `signal` is not a known kind would be dropped by the discriminator: name it instead. */
function findUnknownSignals(plain: object): string[] {
  const endpoints = (plain as { endpoints?: unknown }).endpoints;
  if (!Array.isArray(endpoints)) return [];
  return endpoints.flatMap((endpoint: { tags?: unknown }, e) =>
    (Array.isArray(endpoint?.tags) ? endpoint.tags : []).flatMap((tag: { signal?: unknown }, t) =>
      SIGNAL_KINDS.includes(tag?.signal as never)
        ? []
        : [
            `endpoints[${e}].tags[${t}].signal: must be one of ${SIGNAL_KINDS.join(', ')} (got ${JSON.stringify(tag?.signal)})`,
          ],
    ),
  );
}

/**
 * What a tag is to the plant: its equipment and signal. Each may come from one place only, across
 * all endpoints: two machines running the same PLC program have the same node ids on two
 * endpoints, which is fine, but one machine's good count read from two places counts twice.
 */
function roleOf(tag: TagMappingEntry): string {
  const equipment = `equipment ${tag.equipmentId}`;
  switch (tag.signal) {
    case 'state':
      return `${equipment} state`;
    case 'counter':
      return `${equipment} ${tag.counter} counter`;
    case 'alarm':
      return `${equipment} alarm ${tag.alarmId}`;
    case 'measurement':
      return `${equipment} measurement ${tag.name}`;
    case 'telemetry':
      return `${equipment} telemetry ${tag.name}`;
  }
}

/**
 * Rules across fields: unique endpoint ids and URLs, node ids unique per endpoint, each role of a
 * piece of equipment mapped once in the whole mapping, consistent limits, state tables and security.
 */
function crossFieldErrors(mapping: TagMapping): string[] {
  const errors: string[] = [];
  const endpointIds = new Set<string>();
  const urls = new Map<string, number>();
  const roles = new Map<string, string>();
  mapping.endpoints.forEach((endpoint, e) => {
    const at = `endpoints[${e}]`;
    if (endpointIds.has(endpoint.id)) errors.push(`${at}.id: "${endpoint.id}" is used by another endpoint`);
    endpointIds.add(endpoint.id);
    // The same server twice would deliver every value twice.
    const sameUrl = urls.get(endpoint.url.toLowerCase());
    if (sameUrl !== undefined) errors.push(`${at}.url: ${endpoint.url} is also endpoints[${sameUrl}]`);
    else urls.set(endpoint.url.toLowerCase(), e);
    if ((endpoint.securityMode === 'None') !== (endpoint.securityPolicy === 'None')) {
      errors.push(`${at}.securityPolicy: must be None exactly when securityMode is None`);
    }
    const identity = endpoint.identity;
    if (
      identity.type === 'username' &&
      (!identity.userName || !identity.passwordEnv === !identity.passwordFile)
    ) {
      errors.push(`${at}.identity: a username identity needs userName and one of passwordEnv, passwordFile`);
    }
    if (
      identity.type === 'username' &&
      endpoint.securityMode === 'None' &&
      !endpoint.allowPasswordWithoutSecurity
    ) {
      errors.push(
        `${at}.identity: a username identity over securityMode None sends its password unprotected; ` +
          'use securityMode Sign or SignAndEncrypt, or set allowPasswordWithoutSecurity: true',
      );
    }
    if (identity.type === 'certificate' && (!identity.certificateFile || !identity.privateKeyFile)) {
      errors.push(`${at}.identity: a certificate identity needs certificateFile and privateKeyFile`);
    }
    errors.push(...conditionMappingErrors(endpoint.conditions, `${at}.conditions`));
    const nodeIds = new Map<string, number>();
    endpoint.tags.forEach((tag, t) => {
      const tagAt = `${at}.tags[${t}]`;
      // One tag per node, also for arrays (`index`): state, faults and telemetry are kept per node.
      const nodeKey = tag.nodeId;
      const first = nodeIds.get(nodeKey);
      if (first !== undefined)
        errors.push(`${tagAt}.nodeId: ${tag.nodeId} is already mapped by tags[${first}]`);
      else nodeIds.set(nodeKey, t);
      const role = roleOf(tag);
      const mappedAt = roles.get(role);
      if (mappedAt !== undefined) errors.push(`${tagAt}: ${role} is already mapped by ${mappedAt}`);
      else roles.set(role, tagAt);
      if (tag.signal === 'state' && tag.states) {
        if (Object.keys(tag.states).length === 0) errors.push(`${tagAt}.states: must map at least one value`);
        for (const [value, state] of Object.entries(tag.states))
          if (!Equipment.MACHINERY_ITEM_STATES.includes(state))
            errors.push(
              `${tagAt}.states.${value}: must be one of ${Equipment.MACHINERY_ITEM_STATES.join(', ')} (got ${JSON.stringify(state)})`,
            );
      }
      if (tag.signal === 'measurement') {
        if (tag.low === undefined && tag.high === undefined)
          errors.push(`${tagAt}: a measurement needs low, high or both`);
        if (tag.low !== undefined && tag.high !== undefined) {
          if (tag.low >= tag.high) errors.push(`${tagAt}.high: must be greater than low (${tag.low})`);
          else if (tag.hysteresis * 2 >= tag.high - tag.low) {
            errors.push(`${tagAt}.hysteresis: must be less than half the band between low and high`);
          }
        }
      }
    });
  });
  return errors;
}

/**
 * What the endpoints' identities need from this machine, checked at boot so a missing secret stops
 * the gateway with its name instead of it logging in with an empty password: each password's
 * environment variable set and not empty, or its file readable; each certificate's files readable.
 */
export function identitySecretProblems(mapping: TagMapping, env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  mapping.endpoints.forEach(({ identity }, e) => {
    const at = `endpoints[${e}].identity`;
    if (identity.passwordEnv && !env[identity.passwordEnv]) {
      problems.push(`${at}.passwordEnv: the environment variable ${identity.passwordEnv} is not set`);
    }
    for (const field of ['passwordFile', 'certificateFile', 'privateKeyFile'] as const) {
      const file = identity[field];
      if (file && !isReadable(file)) problems.push(`${at}.${field}: ${file} cannot be read`);
    }
  });
  return problems;
}

function isReadable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
