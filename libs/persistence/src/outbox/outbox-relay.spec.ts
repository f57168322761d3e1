import { nextBatchRows } from './outbox-relay';

describe('nextBatchRows', () => {
  const options = { batchSize: 256, maxBatchBytes: 4 * 1024 * 1024 };

  it('reads a full batch of small events', () => {
    expect(nextBatchRows(600, options)).toBe(256);
  });

  it('reads fewer rows when they are large, so a batch stays near maxBatchBytes', () => {
    expect(nextBatchRows(250_000, options)).toBe(16);
  });

  it('reads at least one row, however large', () => {
    expect(nextBatchRows(50 * 1024 * 1024, options)).toBe(1);
    expect(nextBatchRows(0, options)).toBe(256);
  });
});
