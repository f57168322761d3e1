import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidConfigError, loadConfig } from '@plantbridge/config';
import { EdgeGatewayConfig } from '../config';
import { CounterTag, MeasurementTag, parseTagMapping, readTagMappingFile } from './tag-mapping';

const line = (tags: unknown[], extra: object = {}) =>
  JSON.stringify({
    endpoints: [{ id: 'line1', url: 'opc.tcp://127.0.0.1:4840/UA/PlantbridgeLine', tags, ...extra }],
  });

const M01 = 'P100-L1-M01';
const validTags = [
  { nodeId: 'ns=1;s=Line1.M01.State', equipmentId: M01, signal: 'state' },
  { nodeId: 'ns=1;s=Line1.M01.GoodParts', equipmentId: M01, signal: 'counter', counter: 'good', max: 65535 },
  { nodeId: 'ns=1;s=Line1.M01.ScrapParts', equipmentId: M01, signal: 'counter', counter: 'scrap' },
  {
    nodeId: 'ns=1;s=Line1.M01.AlarmActive',
    equipmentId: M01,
    signal: 'alarm',
    alarmId: 'A-1',
    severity: 800,
    message: 'Spindle',
  },
  {
    nodeId: 'ns=1;s=Line1.M01.Temperature',
    equipmentId: M01,
    signal: 'measurement',
    name: 'temperature',
    unit: 'CEL',
    high: 80,
    hysteresis: 2,
  },
  { nodeId: 'ns=2;i=1001', equipmentId: M01, signal: 'telemetry', name: 'spindle-speed', intervalMs: 500 },
];

describe('tag mapping', () => {
  it('reads a valid mapping into typed tags, with defaults', () => {
    const parsed = parseTagMapping(line(validTags));
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const [endpoint] = parsed.mapping.endpoints;
    expect(endpoint.securityMode).toBe('None');
    expect(endpoint.identity.type).toBe('anonymous');
    expect(endpoint.tags[1]).toBeInstanceOf(CounterTag);
    expect(endpoint.tags[4]).toBeInstanceOf(MeasurementTag);
    expect(parsed.mapping.countAggregation.intervalMs).toBe(10_000);
  });

  it('accepts the mapping of the OPC UA line simulator shipped in mappings/', () => {
    const parsed = readTagMappingFile(join(__dirname, '../../mappings/simulator-line.json'));
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(parsed.mapping.endpoints[0].tags).toHaveLength(15);
  });

  it('names every problem of a broken mapping with its path', () => {
    const parsed = parseTagMapping(
      line(
        [
          { nodeId: 'Line1.M01.State', equipmentId: M01, signal: 'state' },
          { nodeId: 'ns=1;s=a', equipmentId: 'has space', signal: 'counter', counter: 'bad' },
          { nodeId: 'ns=1;s=b', equipmentId: M01, signal: 'vibration' },
          { nodeId: 'ns=1;s=c', equipmentId: M01, signal: 'alarm', severity: 5000, message: 'x' },
        ],
        { url: 'http://plc', securityMode: 'Encrypt' },
      ),
    );
    expect(parsed.ok).toBe(false);
    const errors = parsed.ok ? [] : parsed.errors;
    for (const expected of [
      /^endpoints\[0\]\.url: url must be an opc\.tcp:\/\/ URL/,
      /^endpoints\[0\]\.securityMode: /,
      /^endpoints\[0\]\.tags\[0\]\.nodeId: nodeId must be an OPC UA node id/,
      /^endpoints\[0\]\.tags\[1\]\.equipmentId: /,
      /^endpoints\[0\]\.tags\[1\]\.counter: counter must be good or scrap/,
      /^endpoints\[0\]\.tags\[2\]\.signal: must be one of state, counter, alarm, measurement, telemetry \(got "vibration"\)/,
      /^endpoints\[0\]\.tags\[3\]\.alarmId: /,
      /^endpoints\[0\]\.tags\[3\]\.severity: /,
    ]) {
      expect(errors).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    }
  });

  it('checks rules across fields: duplicates, limits, security and identity', () => {
    const parsed = parseTagMapping(
      line(
        [
          ...validTags,
          { nodeId: 'ns=1;s=Line1.M01.State', equipmentId: 'P100-L1-M02', signal: 'state' },
          { nodeId: 'ns=1;s=x', equipmentId: M01, signal: 'state' },
          { nodeId: 'ns=1;s=y', equipmentId: M01, signal: 'measurement', name: 't', low: 50, high: 40 },
          {
            nodeId: 'ns=1;s=z',
            equipmentId: M01,
            signal: 'measurement',
            name: 'u',
            low: 0,
            high: 10,
            hysteresis: 5,
          },
        ],
        { securityMode: 'SignAndEncrypt', identity: { type: 'username', userName: 'plc' } },
      ),
    );
    expect(parsed.ok ? [] : parsed.errors).toEqual([
      'endpoints[0].securityPolicy: must be None exactly when securityMode is None',
      'endpoints[0].identity: a username identity needs userName and one of passwordEnv, passwordFile',
      'endpoints[0].tags[6].nodeId: ns=1;s=Line1.M01.State is already mapped by tags[0]',
      'endpoints[0].tags[7]: equipment P100-L1-M01 state is already mapped by endpoints[0].tags[0]',
      'endpoints[0].tags[8].high: must be greater than low (50)',
      'endpoints[0].tags[9].hysteresis: must be less than half the band between low and high',
    ]);
  });

  it('identical machines: the same node ids on two endpoints are fine; one machine mapped from two places is not', () => {
    const endpoint = (id: string, url: string, equipmentId: string, tags = validTags) => ({
      id,
      url,
      tags: tags.map((t) => ({ ...t, equipmentId })),
    });
    const twins = {
      endpoints: [
        endpoint('lineA', 'opc.tcp://plc-a:4840', 'P100-A-M01'),
        endpoint('lineB', 'opc.tcp://plc-b:4840', 'P100-B-M01'),
      ],
    };
    expect(parseTagMapping(JSON.stringify(twins))).toMatchObject({ ok: true });
    const ambiguous = {
      endpoints: [
        endpoint('lineA', 'opc.tcp://plc-a:4840', 'P100-A-M01'),
        endpoint('lineB', 'opc.tcp://plc-b:4840', 'P100-A-M01', validTags.slice(1, 2)),
        endpoint('lineC', 'opc.tcp://PLC-A:4840', 'P100-C-M01', validTags.slice(0, 1)),
      ],
    };
    expect(parseTagMapping(JSON.stringify(ambiguous))).toEqual({
      ok: false,
      errors: [
        'endpoints[1].tags[0]: equipment P100-A-M01 good counter is already mapped by endpoints[0].tags[1]',
        'endpoints[2].url: opc.tcp://PLC-A:4840 is also endpoints[0]',
      ],
    });
  });

  it('takes GUID node ids only in the GUID form, so none fails later inside node-opcua', () => {
    const tag = (nodeId: string) => ({ nodeId, equipmentId: M01, signal: 'state' });
    expect(parseTagMapping(line([tag('ns=2;g=12345678-1234-1234-1234-123456789abc')]))).toMatchObject({
      ok: true,
    });
    expect(parseTagMapping(line([tag(`ns=2;g=${'-'.repeat(36)}`)]))).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^endpoints\[0\]\.tags\[0\]\.nodeId: nodeId must be an OPC UA node id/)],
    });
  });

  it('maps one tag per node, also for the elements of an array node', () => {
    const element = (index: number, counter: string) => ({
      nodeId: 'ns=1;s=M01.Counts',
      equipmentId: M01,
      signal: 'counter',
      counter,
      index,
    });
    expect(parseTagMapping(line([element(0, 'good'), element(1, 'scrap')]))).toEqual({
      ok: false,
      errors: ['endpoints[0].tags[1].nodeId: ns=1;s=M01.Counts is already mapped by tags[0]'],
    });
  });

  it('takes a state table of vendor or PackML codes, and refuses states OPC 40001 does not have', () => {
    const packml = {
      nodeId: 'ns=1;s=M01.PackML',
      equipmentId: M01,
      signal: 'state',
      states: { '6': 'Executing', '2': 'NotExecuting' },
    };
    const parsed = parseTagMapping(line([packml]));
    expect(parsed.ok && parsed.mapping.endpoints[0].tags[0]).toMatchObject({ states: packml.states });
    expect(parseTagMapping(line([{ ...packml, states: { '6': 'Running' } }]))).toEqual({
      ok: false,
      errors: [
        'endpoints[0].tags[0].states.6: must be one of NotAvailable, OutOfService, NotExecuting, Executing (got "Running")',
      ],
    });
  });

  it('refuses a password over a channel that neither signs nor encrypts, unless the plant accepts it', () => {
    const username = { type: 'username', userName: 'plc', passwordEnv: 'PLC_PASSWORD' };
    const over = (settings: object) => parseTagMapping(line(validTags, { identity: username, ...settings }));
    expect(over({}).ok ? [] : (over({}) as { errors: string[] }).errors).toEqual([
      'endpoints[0].identity: a username identity over securityMode None sends its password unprotected; ' +
        'use securityMode Sign or SignAndEncrypt, or set allowPasswordWithoutSecurity: true',
    ]);
    expect(over({ allowPasswordWithoutSecurity: true }).ok).toBe(true);
    expect(over({ securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256' }).ok).toBe(true);
  });

  it('stops the gateway at boot naming a password variable that is not set or a file it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mapping-'));
    const file = join(dir, 'mapping.json');
    const identity = (extra: object) => ({ type: 'username', userName: 'plc', ...extra });
    const boot = () => loadConfig(EdgeGatewayConfig, { AUTH_MODE: 'none', TAG_MAPPING_FILE: file });
    writeFileSync(
      file,
      line(validTags, {
        identity: identity({ passwordEnv: 'PLC_PASSWORD_TEST' }),
        allowPasswordWithoutSecurity: true,
      }),
    );
    delete process.env.PLC_PASSWORD_TEST;
    expect(boot).toThrow(
      /endpoints\[0\]\.identity\.passwordEnv: the environment variable PLC_PASSWORD_TEST is not set/,
    );
    process.env.PLC_PASSWORD_TEST = 'secret';
    try {
      expect(boot().TAG_MAPPING_FILE).toBe(file);
    } finally {
      delete process.env.PLC_PASSWORD_TEST;
    }
    const missing = join(dir, 'plc-password');
    writeFileSync(
      file,
      line(validTags, { identity: identity({ passwordFile: missing }), allowPasswordWithoutSecurity: true }),
    );
    expect(boot).toThrow(`endpoints[0].identity.passwordFile: ${missing} cannot be read`);
    writeFileSync(missing, 'secret\n');
    expect(boot().TAG_MAPPING_FILE).toBe(file);
  });

  it('stops the gateway at boot with each problem of TAG_MAPPING_FILE named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mapping-'));
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    writeFileSync(good, line(validTags));
    writeFileSync(bad, line([{ nodeId: 'nope', equipmentId: M01, signal: 'state' }]));
    expect(
      loadConfig(EdgeGatewayConfig, { AUTH_MODE: 'none', TAG_MAPPING_FILE: good }).TAG_MAPPING_FILE,
    ).toBe(good);
    expect(() => loadConfig(EdgeGatewayConfig, { AUTH_MODE: 'none', TAG_MAPPING_FILE: bad })).toThrow(
      InvalidConfigError,
    );
    expect(() => loadConfig(EdgeGatewayConfig, { AUTH_MODE: 'none', TAG_MAPPING_FILE: bad })).toThrow(
      /TAG_MAPPING_FILE: the tag mapping has 1 problem\(s\): endpoints\[0\]\.tags\[0\]\.nodeId: nodeId must be an OPC UA node id/,
    );
    expect(() => loadConfig(EdgeGatewayConfig, { TAG_MAPPING_FILE: join(dir, 'missing.json') })).toThrow(
      /cannot read .*ENOENT/,
    );
    expect(() => loadConfig(EdgeGatewayConfig, { TAG_MAPPING_FILE: good.replace('good', 'x') })).toThrow(
      InvalidConfigError,
    );
  });
});
