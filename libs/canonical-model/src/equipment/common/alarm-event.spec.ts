import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { samplePayload } from '../../../testing';
import { eventJsonSchemas } from '../../schema/json-schema';
import { validateAs } from '../../validation/validate';
import { AlarmAcknowledgedV1 } from '../alarm-acknowledged/v1';
import { AlarmClearedV1 } from '../alarm-cleared/v1';
import { AlarmRaisedV1 } from '../alarm-raised/v1';

const at = '2026-11-26T08:00:00.000Z';
/** An alarm-raised v1 as a boolean alarm tag made it before the condition fields were added. */
const tagAlarm = {
  equipmentId: 'P100-L1-M01',
  plant: 'P100',
  sourceTimestamp: at,
  serverTimestamp: at,
  alarmId: 'A-17',
  severity: 800,
  message: 'Spindle over temperature',
};
const schemas = eventJsonSchemas();
const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
const bySchema = (type: string, payload: unknown) => ajv.compile(schemas[type]!)(payload);

describe('alarm events: the OPC UA condition fields are a compatible minor revision of v1', () => {
  it('still accepts raised and cleared alarms of boolean tags, without any condition field', () => {
    expect(validateAs(AlarmRaisedV1, tagAlarm).ok).toBe(true);
    expect(bySchema('plantbridge.equipment.alarm-raised.v1', tagAlarm)).toBe(true);
    const cleared = { ...tagAlarm, severity: undefined, message: undefined };
    expect(validateAs(AlarmClearedV1, cleared).ok).toBe(true);
    expect(bySchema('plantbridge.equipment.alarm-cleared.v1', JSON.parse(JSON.stringify(cleared)))).toBe(
      true,
    );
  });

  it('checks the condition fields when they are present', () => {
    const raised = samplePayload('plantbridge.equipment.alarm-raised.v1');
    const broken = { ...raised, activeSince: '2026-11-26', suppressedOrShelved: 'yes', episodeId: '' };
    const result = validateAs(AlarmRaisedV1, broken);
    expect(result.ok ? [] : result.errors.map((e) => e.field).sort()).toEqual([
      'activeSince',
      'episodeId',
      'suppressedOrShelved',
    ]);
    expect(bySchema('plantbridge.equipment.alarm-raised.v1', broken)).toBe(false);
  });

  it('requires the condition and the episode on an acknowledgment', () => {
    const acknowledged = samplePayload('plantbridge.equipment.alarm-acknowledged.v1');
    for (const field of ['conditionId', 'activeSince', 'episodeId', 'severity'] as const) {
      const { [field]: _, ...without } = acknowledged;
      expect({ field, ok: validateAs(AlarmAcknowledgedV1, without).ok }).toEqual({ field, ok: false });
    }
  });
});
