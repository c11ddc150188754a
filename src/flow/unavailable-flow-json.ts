import type { FlowJsonConfig } from './flow-json';

/**
 * Configs of Flow JSON that could not be bound (a missing file, a token in an object): a validation of the Flow says
 * why, so the synth fails, and until then the Flow neither checks nor uploads them. Not part of the public API.
 */
const unavailable = new WeakSet<FlowJsonConfig>();

/** Marks a config as one that could not be bound. */
export function markUnavailable(config: FlowJsonConfig): FlowJsonConfig {
  unavailable.add(config);
  return config;
}

/** True when the Flow JSON could not be bound and a validation of the Flow says why. */
export function isUnavailable(config: FlowJsonConfig): boolean {
  return unavailable.has(config);
}
