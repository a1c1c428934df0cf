// Types of the compose stage: a load profile (phases/<name>.yml), a flow file (scenarios/<name>.yml)
// and the one Artillery script that `rampart run` composes from them.
import type { PlannedPhase } from '../core/bundle/types.ts';

/** Phases are normalised to seconds. */
export type Phase = PlannedPhase & { maxVusers?: number };

export type Selection = 'weighted' | 'sequence';

export interface Profile {
  name: string;
  file: string;
  description: string;
  /** Artillery's config block as written, minus the `rampart` key and the phases. */
  config: Record<string, unknown>;
  phases: Phase[];
  /** flow name -> integer weight */
  mix: Record<string, number>;
  /**
   * weighted: Artillery picks one flow per virtual user by weight (the realistic mix).
   * sequence: every virtual user runs every selected flow in order (smoke: each flow runs for sure).
   */
  selection: Selection;
}

export interface Scenario {
  name: string;
  weight?: number;
  flow: unknown[];
  [key: string]: unknown;
}

export interface FlowFile {
  name: string;
  file: string;
  variables: Record<string, unknown>;
  /** custom metrics (rampart.*) its processors emit, from config.rampart.metrics */
  metrics: string[];
  scenarios: Scenario[];
}

export interface ComposeOptions {
  target: string;
  /** flows to run; undefined = every flow in the profile's mix */
  flows?: string[];
  rateScale: number;
  /** new total duration in seconds, phases stretched proportionally */
  durationSeconds?: number;
  seed: number;
  /** absolute path of the processor entry Artillery should bundle */
  processor: string;
  maxArrivalRate: number;
  /** plugins added to the profile's (src/observe: publish-metrics when a Pushgateway is configured) */
  plugins?: Record<string, unknown>;
}

export interface ArtilleryScript {
  config: Record<string, unknown> & { target: string; phases: Record<string, unknown>[]; processor: string };
  scenarios: Scenario[];
}

export interface ComposedRun {
  script: ArtilleryScript;
  flows: { name: string; weight: number }[];
  phases: Phase[];
  /** thresholds on custom metrics no selected flow emits (left out of the script) */
  droppedThresholds: string[];
}
