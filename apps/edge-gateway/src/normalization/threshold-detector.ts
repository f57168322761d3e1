export type ThresholdEvent = { direction: 'above-high' | 'below-low' | 'back-in-range'; limit: number };

export interface ThresholdLimits {
  low?: number;
  high?: number;
  /** A value must come this far back inside a limit before the excursion is over. */
  hysteresis: number;
}

/**
 * Watches a measurement against its limits: one event when it goes above `high` (or below `low`),
 * one when it is back inside by more than the hysteresis. Noise around a limit does not flap.
 */
export class ThresholdDetector {
  private zone: 'in-range' | 'above-high' | 'below-low' = 'in-range';

  constructor(private readonly limits: ThresholdLimits) {}

  observe(value: number): ThresholdEvent | null {
    const { low, high, hysteresis } = this.limits;
    switch (this.zone) {
      case 'in-range':
        if (high !== undefined && value > high) return this.enter('above-high', high);
        if (low !== undefined && value < low) return this.enter('below-low', low);
        return null;
      case 'above-high':
        if (high !== undefined && value <= high - hysteresis) return this.enter('in-range', high);
        return null;
      case 'below-low':
        if (low !== undefined && value >= low + hysteresis) return this.enter('in-range', low);
        return null;
    }
  }

  private enter(zone: 'in-range' | 'above-high' | 'below-low', limit: number): ThresholdEvent {
    this.zone = zone;
    return { direction: zone === 'in-range' ? 'back-in-range' : zone, limit };
  }
}
