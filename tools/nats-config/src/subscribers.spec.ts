import { parseSubscribers, subscriberConsumers, subscriberGrant } from './subscribers';

const parse = (subscribers: unknown) => parseSubscribers(JSON.stringify({ subscribers }));
const errorsOf = (subscribers: unknown) => {
  const parsed = parse(subscribers);
  return parsed.ok ? [] : parsed.errors;
};

describe('the SaaS subscribers file', () => {
  it('gives each subscriber the durable consumers it reads through, and only those', () => {
    const parsed = parse([
      {
        name: 'saas-analytics',
        consumers: [
          { subject: 'mfg.production.v1.P100.>' },
          { subject: 'mfg.quality.v1.*.hold-placed', durable: 'saas-analytics--holds', ackWaitSeconds: 60 },
        ],
      },
    ]);
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    const [subscriber] = parsed.subscribers;
    expect(subscriberConsumers(subscriber)).toEqual([
      expect.objectContaining({
        stream: 'PRODUCTION',
        durable: 'saas-analytics--production-v1-P100-rest',
        filterSubject: 'mfg.production.v1.P100.>',
        ackWaitMs: 30_000,
        maxAckPending: 1000,
      }),
      expect.objectContaining({ stream: 'QUALITY', durable: 'saas-analytics--holds', ackWaitMs: 60_000 }),
    ]);
    expect(subscriberGrant(subscriber)).toEqual({
      user: 'saas-analytics',
      consumers: [
        { stream: 'PRODUCTION', durable: 'saas-analytics--production-v1-P100-rest' },
        { stream: 'QUALITY', durable: 'saas-analytics--holds' },
      ],
    });
  });

  it('names each mistake by its path', () => {
    expect(parseSubscribers('{')).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/not valid JSON/)],
    });
    expect(errorsOf([{ name: 'a b', consumers: [] }])).toEqual([
      expect.stringMatching(/^subscribers\[0\]\.name: name must be/),
      expect.stringMatching(/^subscribers\[0\]\.consumers: /),
    ]);
    expect(
      errorsOf([{ name: 'x', consumers: [{ subject: 'mfg.>.P100', maxAckPending: 0, durable: 'a.b' }] }]),
    ).toEqual([
      expect.stringMatching(
        /^subscribers\[0\]\.consumers\[0\]\.subject: subject must be a NATS subject filter/,
      ),
      expect.stringMatching(/^subscribers\[0\]\.consumers\[0\]\.durable: /),
      expect.stringMatching(/^subscribers\[0\]\.consumers\[0\]\.maxAckPending: /),
    ]);
  });

  it('refuses subjects outside the capability streams, dead letters included', () => {
    expect(errorsOf([{ name: 'x', consumers: [{ subject: 'dlq.PRODUCTION.>' }] }])).toEqual([
      'subscribers[0].consumers[0].subject: dlq.PRODUCTION.> is not under mfg.<capability>.',
    ]);
    expect(errorsOf([{ name: 'x', consumers: [{ subject: 'mfg.payroll.v1.>' }] }])).toHaveLength(1);
  });

  it('refuses names and durables that would share a grant', () => {
    expect(
      errorsOf([
        { name: 'a', consumers: [{ subject: 'mfg.production.v1.P100.>', durable: 'a--shared' }] },
        { name: 'a', consumers: [{ subject: 'mfg.production.v1.P200.>', durable: 'a--shared' }] },
      ]),
    ).toEqual([
      'subscribers[1].name: "a" is used by subscribers[0]',
      'subscribers[1].consumers[0].durable: PRODUCTION/a--shared is also subscribers[0].consumers[0]',
    ]);
  });

  it("refuses a durable outside the subscriber's own name: a service's consumer cannot be granted", () => {
    const durable = 'production-order-sync--production-v1-P100-operation-confirmed';
    expect(
      errorsOf([
        { name: 'saas-x', consumers: [{ subject: 'mfg.production.v1.P100.operation-confirmed', durable }] },
      ]),
    ).toEqual([`subscribers[0].consumers[0].durable: must start with "saas-x--" (got "${durable}")`]);
  });

  it("refuses the names of Plantbridge's own users, whose durables a subscriber could take", () => {
    for (const name of ['admin', 'production-order-sync', 'production-order-sync-P100'])
      expect(errorsOf([{ name, consumers: [{ subject: 'mfg.production.v1.P100.>' }] }])).toEqual([
        expect.stringMatching(/^subscribers\[0\]\.name: .* is reserved/),
      ]);
  });
});
