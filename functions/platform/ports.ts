/** A component the platform depends on, able to say whether it answers. */
export interface HealthProbe {
  name: string;
  check(signal: AbortSignal): Promise<void>;
  /** How long the probe may take before the component counts as down; default checkHealth's. */
  timeoutMs?: number;
}
