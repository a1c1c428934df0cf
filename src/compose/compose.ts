// compose: one load profile + the selected flow files -> ONE Artillery script (pure).
// Artillery merges several script files position by position, so `rampart run` never passes
// several files; it writes the script this module returns into the run's bundle folder.
import { usageError } from '../core/errors.ts';
import type { ArtilleryScript, ComposeOptions, ComposedRun, FlowFile, Phase, Profile, Scenario } from './types.ts';

/** Plugins every composed run carries; a profile may configure them but not remove them. */
export const REQUIRED_PLUGINS: Record<string, Record<string, unknown>> = {
  rampart: {},
  expect: { outputFormat: 'silent', reportFailuresAsErrors: false, useOnlyRequestNames: true },
  'metrics-by-endpoint': { useOnlyRequestNames: true, stripQueryString: true, suppressOutput: true },
};

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;
const round2 = (n: number): number => Math.round(n * 100) / 100;

export const totalDuration = (phases: Phase[]): number => phases.reduce((s, p) => s + p.duration, 0);

/** Highest arrival rate a phase asks for, in arrivals per second. */
export function peakRate(phase: Phase): number {
  if (phase.pause !== undefined) return 0;
  if (phase.arrivalCount !== undefined) return phase.arrivalCount / phase.duration;
  return Math.max(phase.arrivalRate ?? 0, phase.rampTo ?? 0);
}

/**
 * A phase Artillery runs exactly as planned. Artillery (2.0.34) refuses a constant arrivalRate that is
 * not a whole number, rounds each second of a ramp to whole arrivals, and treats `rampTo: 0` as no ramp.
 * So: a fractional constant rate becomes arrivalCount (the same arrivals spread evenly over the phase);
 * ramp ends are rounded to whole arrivals per second; a ramp that ends at 0 becomes arrivalCount of its
 * mean rate.
 */
export function runnablePhase(p: Phase): Phase {
  if (p.pause !== undefined || p.arrivalCount !== undefined || p.arrivalRate === undefined) return p;
  const { arrivalRate, rampTo, ...rest } = p;
  if (rampTo === undefined) {
    if (Number.isInteger(arrivalRate)) return p;
    return { ...rest, arrivalCount: Math.max(1, Math.round(arrivalRate * p.duration)) };
  }
  const from = Math.round(arrivalRate);
  const to = Math.round(rampTo);
  if (to === 0) {
    const count = Math.round(((arrivalRate + rampTo) / 2) * p.duration);
    return count === 0 ? { ...rest, pause: p.duration } : { ...rest, arrivalCount: count };
  }
  return { ...rest, arrivalRate: from, rampTo: to };
}

/** Rescale phases: durations so they total `durationSeconds`, rates by `rateScale`; then make them runnable. */
export function scalePhases(phases: Phase[], rateScale: number, durationSeconds?: number): Phase[] {
  if (!(rateScale > 0) || !Number.isFinite(rateScale)) throw usageError(`--rate-scale must be a positive number, got ${rateScale}`);
  const total = totalDuration(phases);
  const timeFactor = durationSeconds === undefined ? 1 : durationSeconds / total;
  if (!(timeFactor > 0) || !Number.isFinite(timeFactor)) throw usageError(`--duration must be a positive duration`);
  return phases.map((p) => {
    const duration = Math.max(1, Math.round(p.duration * timeFactor));
    if (p.pause !== undefined) return { ...p, duration, pause: duration };
    const out: Phase = { ...p, duration };
    if (p.arrivalRate !== undefined) out.arrivalRate = round2(p.arrivalRate * rateScale);
    if (p.rampTo !== undefined) out.rampTo = round2(p.rampTo * rateScale);
    if (p.arrivalCount !== undefined) out.arrivalCount = Math.max(1, Math.round(p.arrivalCount * rateScale * timeFactor));
    if (p.maxVusers !== undefined) out.maxVusers = Math.max(1, Math.ceil(p.maxVusers * rateScale));
    return runnablePhase(out);
  });
}

/** Guard against typos: no phase may ask for more than `max` arrivals per second. */
export function checkArrivalRate(phases: Phase[], max: number, profile: string): void {
  phases.forEach((p, i) => {
    const rate = peakRate(p);
    if (rate > max) {
      throw usageError(
        `profile '${profile}' phase ${i + 1}${p.name === undefined ? '' : ` ('${p.name}')`} asks for ${round2(rate)} arrivals/s, ` +
          `above the limit of ${max} (limits.maxArrivalRate in rampart.config.yml); lower --rate-scale or raise the limit`,
      );
    }
  });
}

/** Phases as Artillery reads them (pause phases only carry `pause`). */
function toArtilleryPhase(p: Phase): Record<string, unknown> {
  if (p.pause !== undefined) return p.name === undefined ? { pause: p.pause } : { name: p.name, pause: p.pause };
  return { ...p };
}

/** Which flows run and with what weight: the profile's mix, or --flows (weight 1 for flows outside the mix). */
export function selectFlows(profile: Profile, requested: string[] | undefined): { name: string; weight: number }[] {
  if (requested === undefined) {
    const chosen = Object.entries(profile.mix).filter(([, w]) => w > 0).map(([name, weight]) => ({ name, weight }));
    if (chosen.length === 0) throw usageError(`profile '${profile.name}' has no flow with a weight above 0 in its mix`);
    return chosen;
  }
  if (requested.length === 0) throw usageError(`--flows needs at least one flow name`);
  const seen = new Set<string>();
  return requested.map((name) => {
    if (seen.has(name)) throw usageError(`flow '${name}' is listed twice in --flows`);
    seen.add(name);
    const weight = Object.hasOwn(profile.mix, name) ? profile.mix[name] : 0;
    return { name, weight: weight === 0 ? 1 : weight };
  });
}

/**
 * Thresholds on custom metrics (`rampart.detection_latency.p95`) hold only when a selected flow emits
 * that metric (its config.rampart.metrics); otherwise Artillery's ensure would fail on a metric that
 * cannot exist. Returns the ensure block to use and the thresholds dropped.
 */
export function applicableEnsure(ensure: unknown, emitted: Set<string>): { ensure: unknown; dropped: string[] } {
  if (typeof ensure !== 'object' || ensure === null || !Array.isArray((ensure as { thresholds?: unknown }).thresholds)) return { ensure, dropped: [] };
  const dropped: string[] = [];
  const thresholds = ((ensure as { thresholds: unknown[] }).thresholds).filter((t) => {
    if (typeof t !== 'object' || t === null) return true;
    const metric = Object.keys(t)[0] ?? '';
    if (!metric.startsWith('rampart.')) return true;
    const base = metric.slice(0, metric.lastIndexOf('.'));
    if (emitted.has(base)) return true;
    dropped.push(metric);
    return false;
  });
  return { ensure: { ...(ensure), thresholds }, dropped };
}

function mergePlugins(config: Record<string, unknown>): Record<string, unknown> {
  const given = (config.plugins ?? {}) as Record<string, unknown>;
  const plugins: Record<string, unknown> = { ...given };
  for (const [name, defaults] of Object.entries(REQUIRED_PLUGINS)) {
    const own = given[name];
    plugins[name] = { ...defaults, ...(typeof own === 'object' && own !== null ? own : {}) };
  }
  return plugins;
}

/**
 * Compose the run. `flowFiles` must hold a loaded file for every selected flow.
 * Weighted: each flow's share of arrivals equals its weight; inside a flow file, its scenarios split
 * that share by their own weights (integers, as Artillery requires). Sequence: one scenario that runs
 * every flow's scenarios in order.
 */
export function compose(profile: Profile, flowFiles: Map<string, FlowFile>, options: ComposeOptions): ComposedRun {
  const flows = selectFlows(profile, options.flows);
  const files = flows.map((f) => {
    const file = flowFiles.get(f.name);
    if (file === undefined) throw usageError(`unknown flow '${f.name}'`);
    return { ...f, file };
  });

  const names = new Set<string>();
  for (const { file } of files) {
    for (const s of file.scenarios) {
      if (names.has(s.name)) throw usageError(`scenario name '${s.name}' appears twice (${file.name}); scenario names must be unique`);
      names.add(s.name);
    }
  }

  let scenarios: Scenario[];
  if (profile.selection === 'sequence') {
    const steps = files.flatMap(({ file }) => file.scenarios.filter((s) => (s.weight ?? 1) > 0).flatMap((s) => s.flow));
    scenarios = [{ name: `sequence: ${files.map((f) => f.name).join(', ')}`, weight: 1, flow: steps }];
  } else {
    const sums = files.map(({ file }) => file.scenarios.reduce((s, sc) => s + (sc.weight ?? 1), 0));
    for (let i = 0; i < files.length; i++) {
      if (sums[i] === 0) throw usageError(`flow '${files[i].name}' has no scenario with a weight above 0`);
    }
    const common = sums.reduce((a, b) => lcm(a, b), 1);
    const raw = files.flatMap(({ file, weight }, i) =>
      file.scenarios.map((s) => ({ ...s, weight: weight * (s.weight ?? 1) * (common / sums[i]) })),
    );
    const divisor = raw.reduce((g, s) => (s.weight > 0 ? gcd(g, s.weight) : g), 0) || 1;
    scenarios = raw.map((s) => ({ ...s, weight: s.weight / divisor }));
  }

  const phases = scalePhases(profile.phases, options.rateScale, options.durationSeconds);
  checkArrivalRate(phases, options.maxArrivalRate, profile.name);
  if (phases.every((p) => peakRate(p) === 0)) {
    throw usageError(`profile '${profile.name}' scaled by --rate-scale ${options.rateScale} asks for no arrivals at all; give a larger --rate-scale`);
  }

  const variables: Record<string, unknown> = {};
  for (const { file } of files) Object.assign(variables, file.variables);
  Object.assign(variables, (profile.config.variables ?? {}) as Record<string, unknown>, { rampartSeed: options.seed });

  const emitted = new Set(files.flatMap(({ file }) => file.metrics));
  const { ensure, dropped } = applicableEnsure(profile.config.ensure, emitted);
  const script: ArtilleryScript = {
    config: {
      ...structuredClone(profile.config),
      ...(ensure === undefined ? {} : { ensure: structuredClone(ensure) }),
      target: options.target,
      phases: phases.map(toArtilleryPhase),
      processor: options.processor,
      variables,
      plugins: { ...mergePlugins(profile.config), ...options.plugins },
    },
    scenarios: structuredClone(scenarios),
  };
  return { script, flows, phases, droppedThresholds: dropped };
}
