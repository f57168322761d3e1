/** The business capabilities Plantbridge speaks about; each has one JetStream stream. */
export const CAPABILITIES = [
  'equipment',
  'production',
  'inventory',
  'quality',
  'maintenance',
  'telemetry',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export function isCapability(value: string): value is Capability {
  return (CAPABILITIES as readonly string[]).includes(value);
}
