import { register } from 'prom-client';
import { ErpLockedError, ErpTransientError } from './errors';
import { DEFAULT_RESILIENCE, ErpResilience } from './resilience';

const ORDERS = 'API_PRODUCTION_ORDER_2_SRV';
const CONFIRMATIONS = 'API_PROD_ORDER_CONFIRMATION_2_SRV';

/** A call that stays in flight until released. */
function heldCall(): { call: () => Promise<string>; started: () => boolean; release: () => void } {
  let release!: () => void;
  let started = false;
  const done = new Promise<string>((resolve) => (release = () => resolve('done')));
  return {
    call: () => {
      started = true;
      return done;
    },
    started: () => started,
    release: () => release(),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ErpResilience in-flight limits', () => {
  it('gives each endpoint slots of its own, so a busy one does not hold up another', async () => {
    const erp = new ErpResilience({ ...DEFAULT_RESILIENCE, maxInFlight: 1 }, [ORDERS, CONFIRMATIONS]);
    const slowList = heldCall();
    const waitingList = heldCall();
    const listing = erp.execute(ORDERS, 'listReleasedOrders', slowList.call);
    const queued = erp.execute(ORDERS, 'getOrder', waitingList.call);
    await settle();

    expect(await erp.execute(CONFIRMATIONS, 'postConfirmation', async () => 'posted')).toBe('posted');
    expect(waitingList.started()).toBe(false);
    expect(erp.load()).toEqual([
      { endpoint: ORDERS, maxInFlight: 1, inFlight: 1, waiting: 1 },
      { endpoint: CONFIRMATIONS, maxInFlight: 1, inFlight: 0, waiting: 0 },
    ]);

    slowList.release();
    await listing;
    await settle();
    expect(waitingList.started()).toBe(true);
    waitingList.release();
    await queued;
    expect(erp.load()[0]).toEqual({ endpoint: ORDERS, maxInFlight: 1, inFlight: 0, waiting: 0 });
  });

  it('takes another limit for a named endpoint and reports it in /metrics', async () => {
    const erp = new ErpResilience(
      { ...DEFAULT_RESILIENCE, maxInFlight: 4, maxInFlightByEndpoint: { [ORDERS]: 1 } },
      [ORDERS, CONFIRMATIONS],
    );
    expect(erp.load().map((e) => [e.endpoint, e.maxInFlight])).toEqual([
      [ORDERS, 1],
      [CONFIRMATIONS, 4],
    ]);
    const held = [heldCall(), heldCall(), heldCall(), heldCall(), heldCall()];
    const calls = held.map((h) => erp.execute(CONFIRMATIONS, 'postConfirmation', h.call));
    await settle();
    expect(held.map((h) => h.started())).toEqual([true, true, true, true, false]);
    const metrics = await register.getSingleMetricAsString('plantbridge_erp_waiting');
    expect(metrics).toContain(`plantbridge_erp_waiting{endpoint="${CONFIRMATIONS}"} 1`);
    for (const h of held) h.release();
    await Promise.all(calls);
  });

  it('counts a call once while it is retried inside its slot, and frees the slot when it fails', async () => {
    const erp = new ErpResilience(
      { ...DEFAULT_RESILIENCE, maxInFlight: 2, initialDelayMs: 1, maxDelayMs: 5 },
      [CONFIRMATIONS],
    );
    let attempts = 0;
    const loads: number[] = [];
    const failing = erp.execute(CONFIRMATIONS, 'postConfirmation', () => {
      attempts++;
      loads.push(erp.load()[0].inFlight);
      return Promise.reject(new ErpTransientError('postConfirmation', 'SAP 503', 503));
    });
    await expect(failing).rejects.toBeInstanceOf(ErpTransientError);
    expect(attempts).toBe(DEFAULT_RESILIENCE.maxAttempts);
    expect(loads).toEqual(Array(DEFAULT_RESILIENCE.maxAttempts).fill(1));
    expect(erp.load()[0]).toMatchObject({ inFlight: 0, waiting: 0 });
  });

  it('refuses a limit for an endpoint it does not call, naming the ones it does', () => {
    expect(
      () =>
        new ErpResilience({ ...DEFAULT_RESILIENCE, maxInFlightByEndpoint: { API_TYPO_SRV: 2 } }, [
          ORDERS,
          CONFIRMATIONS,
        ]),
    ).toThrow(`in-flight limit for unknown ERP endpoint API_TYPO_SRV; known: ${ORDERS}, ${CONFIRMATIONS}`);
  });
});

describe('ErpResilience and locks held by another user', () => {
  const locked = () => new ErpLockedError('postGoodsMovement', 'SAP 400 M3/897', 400, 'M3/897');

  it('retries a lock like any transient refusal, but does not open the breaker for it', async () => {
    const erp = new ErpResilience(
      { ...DEFAULT_RESILIENCE, maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 5, breakerThreshold: 2 },
      [CONFIRMATIONS],
    );
    let attempts = 0;
    for (let call = 0; call < 3; call++) {
      const refused = erp.execute(CONFIRMATIONS, 'postGoodsMovement', () => {
        attempts++;
        return Promise.reject(locked());
      });
      await expect(refused).rejects.toBeInstanceOf(ErpLockedError);
    }
    // Six locked answers in a row, two attempts per call: ERP answered every one.
    expect(attempts).toBe(6);
    expect(erp.breakerState).toBe('closed');
    // Two outages in a row (one call, retried once) open it.
    const down = erp.execute(CONFIRMATIONS, 'postGoodsMovement', () =>
      Promise.reject(new ErpTransientError('postGoodsMovement', 'SAP 503', 503)),
    );
    await expect(down).rejects.toBeInstanceOf(ErpTransientError);
    expect(erp.breakerState).toBe('open');
  });
});
