import { ConditionEquipment, ConditionMapping } from './condition-mapping';
import { parseTagMapping } from './tag-mapping';

const endpointWith = (conditions: unknown) =>
  parseTagMapping(
    JSON.stringify({
      endpoints: [
        {
          id: 'line1',
          url: 'opc.tcp://127.0.0.1:4840/UA/PlantbridgeLine',
          tags: [{ nodeId: 'ns=1;s=Line1.M01.State', equipmentId: 'P100-L1-M01', signal: 'state' }],
          conditions,
        },
      ],
    }),
  );

describe('condition mapping (OPC UA Alarms & Conditions of an endpoint)', () => {
  it('subscribes the Server object and skips unmapped sources unless told otherwise', () => {
    const parsed = endpointWith({
      sources: [{ sourceNode: 'ns=1;s=Line1.M01', equipmentId: 'P100-L1-M01' }],
    });
    expect(parsed.ok && parsed.mapping.endpoints[0].conditions).toMatchObject({
      notifiers: ['i=2253'],
      unmappedSources: 'skip',
    });
    expect(parsed.ok && parsed.mapping.endpoints[0].conditions).toBeInstanceOf(ConditionMapping);
    const none = endpointWith(undefined);
    expect(none.ok && none.mapping.endpoints[0].conditions).toBeUndefined();
  });

  it('names every mistake by its path', () => {
    const parsed = endpointWith({
      notifiers: ['i=2253', 'ns=0;i=2253', 'Server'],
      sources: [
        { sourceNode: 'ns=1;s=Line1.M01', sourceName: 'M01', equipmentId: 'P100-L1-M01' },
        { sourceName: 'M02', equipmentId: 'P100 L1 M02' },
        { sourceName: 'M03', equipmentId: 'P100-L1-M03' },
        { sourceName: 'M03', equipmentId: 'P100-L1-M04' },
      ],
      unmappedSources: 'default',
    });
    expect(parsed.ok ? [] : parsed.errors.sort()).toEqual(
      [
        'endpoints[0].conditions.notifiers: each notifier must be an OPC UA node id such as i=2253',
        'endpoints[0].conditions.sources[1].equipmentId: equipmentId must be 1 to 64 letters, digits, _ . or -',
      ].sort(),
    );
    const crossField = endpointWith({
      notifiers: ['i=2253', 'ns=0;i=2253'],
      sources: [
        { sourceNode: 'ns=1;s=Line1.M01', sourceName: 'M01', equipmentId: 'P100-L1-M01' },
        { sourceName: 'M03', equipmentId: 'P100-L1-M03' },
        { sourceName: 'M03', equipmentId: 'P100-L1-M04' },
      ],
      unmappedSources: 'default',
    });
    expect(crossField.ok ? [] : crossField.errors).toEqual([
      'endpoints[0].conditions.notifiers[1]: ns=0;i=2253 is listed twice',
      'endpoints[0].conditions.sources[0]: needs exactly one of sourceNode, sourceName',
      'endpoints[0].conditions.sources[2]: sourceName M03 is already mapped by sources[1]',
      'endpoints[0].conditions.defaultEquipmentId: needed when unmappedSources is default',
    ]);
  });

  it('finds a source’s equipment by SourceNode, then SourceName, then the default', () => {
    const parsed = endpointWith({
      sources: [
        { sourceNode: 'ns=1;s=Line1.M01', equipmentId: 'P100-L1-M01' },
        { sourceNode: 'i=2253', equipmentId: 'P100-SERVER' },
        { sourceName: 'M02', equipmentId: 'P100-L1-M02' },
      ],
    });
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const mapping = parsed.mapping.endpoints[0].conditions!;
    const skip = new ConditionEquipment(mapping);
    expect(skip.of({ sourceNode: 'ns=1;s=Line1.M01', sourceName: 'M02' })).toBe('P100-L1-M01');
    // Events name nodes as node-opcua prints them: "ns=0;i=2253" for the mapping's "i=2253".
    expect(skip.of({ sourceNode: 'ns=0;i=2253', sourceName: 'Server' })).toBe('P100-SERVER');
    expect(skip.of({ sourceNode: 'ns=1;s=Line1.M09', sourceName: 'M02' })).toBe('P100-L1-M02');
    expect(skip.of({ sourceNode: 'ns=1;s=Line1.M09', sourceName: 'M09' })).toBeUndefined();
    const withDefault = new ConditionEquipment(
      Object.assign(new ConditionMapping(), mapping, {
        unmappedSources: 'default',
        defaultEquipmentId: 'P100-L1',
      }),
    );
    expect(withDefault.of({ sourceNode: 'ns=1;s=Line1.M09', sourceName: 'M09' })).toBe('P100-L1');
  });
});
