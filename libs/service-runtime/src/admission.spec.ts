import { AdmissionControl } from './admission';

const limits = { maxEventLoopDelayMs: 200, maxBacklog: 10, retryAfterSeconds: 7 };

describe('admission control', () => {
  it('takes work until the backlog passes its limit, then says why not', async () => {
    const admission = new AdmissionControl(limits);
    let backlog = 10;
    admission.addBacklog('postings', async () => backlog);
    await admission.sample();
    expect(admission.overloaded()).toBeUndefined();
    backlog = 11;
    await admission.sample();
    expect(admission.overloaded()).toMatch(/11 accepted and not yet done \(ADMISSION_MAX_BACKLOG 10\)/);
    expect(admission.refusal('x').getStatus()).toBe(503);
  });

  it('refuses while the event loop lags past its limit', async () => {
    const admission = new AdmissionControl(limits);
    admission.onModuleInit();
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const until = Date.now() + 400;
      while (Date.now() < until); // the accepting path has taken the CPU
      await new Promise((resolve) => setTimeout(resolve, 20));
      await admission.sample();
      expect(admission.overloaded()).toMatch(/event loop lags \d+ ms/);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await admission.sample();
      expect(admission.overloaded()).toBeUndefined();
    } finally {
      admission.onModuleDestroy();
    }
  });
});
