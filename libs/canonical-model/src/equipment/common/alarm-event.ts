import { IsBoolean } from 'class-validator';
import { IsIdentifier, IsText, IsTimestamp, Optional } from '../../common/field-rules';
import { EquipmentEventV1 } from './equipment-event';

/**
 * The fields every alarm event carries alike: the alarm, and for an alarm from an OPC UA condition
 * (Part 9 Alarms & Conditions) its source and whether operators are shown it. The condition and
 * episode fields are optional on raised and cleared alarms ({@link AlarmEventV1}) and required on an
 * acknowledgment, so each declares them itself.
 */
export abstract class AlarmFieldsV1 extends EquipmentEventV1 {
  @IsIdentifier()
  alarmId!: string;

  /** The condition's SourceNode (the machine object, usually) as an OPC UA node id. */
  @Optional()
  @IsIdentifier(255)
  sourceNode?: string;

  /** The condition's SourceName, as an operator reads it. */
  @Optional()
  @IsText(255)
  sourceName?: string;

  /** The condition was suppressed or shelved (SuppressedOrShelved): operators are not shown it. */
  @Optional()
  @IsBoolean()
  suppressedOrShelved?: boolean;
}

/**
 * What every raised and cleared alarm carries. An alarm from a boolean tag has only `alarmId`; one
 * from an OPC UA condition also names the condition and the episode, so that its raised,
 * acknowledged and cleared events can be matched. These fields were added to v1 as a minor
 * revision: all optional, and consumers keep fields they do not know.
 */
export class AlarmEventV1 extends AlarmFieldsV1 {
  /** The NodeId of the OPC UA condition (its ConditionId), e.g. `ns=1;s=Line1.M01.Alarm`. */
  @Optional()
  @IsIdentifier(255)
  conditionId?: string;

  /** When the condition became active (ActiveState's TransitionTime): the start of the episode. */
  @Optional()
  @IsTimestamp()
  activeSince?: string;

  /**
   * One alarm episode: `<conditionId>@<activeSince>`, the same on the episode's raised, acknowledged
   * and cleared events. A condition that becomes active again starts a new episode.
   */
  @Optional()
  @IsIdentifier(300)
  episodeId?: string;
}
