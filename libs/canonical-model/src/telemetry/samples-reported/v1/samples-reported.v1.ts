import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, ValidateNested } from 'class-validator';
import { defineEvent } from '../../../catalog/event-definition';
import { IsIdentifier, IsPlantCode, IsTimestamp } from '../../../common/field-rules';

/** One value of a telemetry tag, as the OPC UA server reported it. */
export class TelemetrySampleV1 {
  @IsIdentifier()
  equipmentId!: string;

  /** The signal's name in the tag mapping, e.g. `temperature`. */
  @IsIdentifier(40)
  signal!: string;

  /** A number, a boolean or a string, as the PLC holds it. */
  @IsDefined()
  value!: number | boolean | string;

  @IsTimestamp()
  sourceTimestamp!: string;

  @IsTimestamp()
  serverTimestamp!: string;
}

/** The most samples one message carries, so a message stays well under NATS's 1 MB payload limit. */
export const MAX_SAMPLES_PER_REPORT = 2000;

/**
 * Raw telemetry of one OPC UA endpoint, many samples per message: one JetStream message per value
 * would cap a gateway near 27,000 values/s here. For dashboards and historians; ERP never sees it.
 * Reports of one endpoint are published in order; samples in a report are in arrival order.
 */
export class SamplesReportedV1 {
  @IsPlantCode()
  plant!: string;

  @IsIdentifier(32)
  endpointId!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SAMPLES_PER_REPORT)
  @ValidateNested({ each: true })
  @Type(() => TelemetrySampleV1)
  samples!: TelemetrySampleV1[];
}

export const SamplesReportedV1Event = defineEvent('telemetry', 'samples-reported', 1, SamplesReportedV1);
