/**
 * A token bucket per client: `perSecond` on average, `burst` at once. Buckets of clients idle long
 * enough to be full again are dropped, so the map stays as small as the set of active clients.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private sweptAt = 0;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  /** 0 when the request may go (and counts it); else the seconds until it may (for Retry-After). */
  take(client: string, now = Date.now()): number {
    const waitS = this.waitFor(client, now);
    const bucket = this.buckets.get(client);
    if (waitS === 0 && bucket) bucket.tokens -= 1;
    return waitS;
  }

  /** What `take` would answer, without counting a request. */
  waitFor(client: string, now = Date.now()): number {
    if (this.perSecond <= 0) return 0;
    this.sweep(now);
    const bucket = this.buckets.get(client) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(client, bucket);
    return bucket.tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond));
  }

  private sweep(now: number): void {
    const fullAfterMs = (this.burst / this.perSecond) * 1000;
    if (now - this.sweptAt < fullAfterMs) return;
    this.sweptAt = now;
    for (const [client, bucket] of this.buckets) {
      if (now - bucket.at >= fullAfterMs) this.buckets.delete(client);
    }
  }
}
