// Loading and validating the inputs of compose: load profiles (phases/<name>.yml) and flow files
// (scenarios/<name>.yml). Every problem is one RampartError line (exit 2) naming the file.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { usageError } from '../core/errors.ts';
import { parseDuration } from '../core/duration.ts';
import { checkName, isSafeName } from '../core/paths.ts';
import { isRecord, readYamlFile } from './yaml.ts';
import type { FlowFile, Phase, Profile, Scenario } from './types.ts';

export const PROFILE_DIR = 'phases';
export const FLOW_DIR = 'scenarios';

async function listYaml(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  return entries.filter((f) => f.endsWith('.yml')).map((f) => f.slice(0, -4)).sort();
}

export const listProfiles = (root: string): Promise<string[]> => listYaml(path.join(root, PROFILE_DIR));
export const listFlows = (root: string): Promise<string[]> => listYaml(path.join(root, FLOW_DIR));

/** A value as the user wrote it: 1e400 (Infinity once parsed) says so instead of JSON's `null`. */
function shownValue(v: unknown): string {
  if (typeof v === 'number' && !Number.isFinite(v)) return `${String(v)} (not a finite number)`;
  return v === undefined ? 'nothing' : JSON.stringify(v);
}

/** A name as given, cut to a readable length for a message. */
const shortened = (name: string): string => (name.length > 80 ? `${name.slice(0, 80)}...` : name);

function numberField(phase: Record<string, unknown>, key: string, label: string): number | undefined {
  const v = phase[key];
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
    throw usageError(`${label}: '${key}' must be a non-negative number, got ${shownValue(v)}`);
  }
  return n;
}

export function parsePhases(value: unknown, label: string): Phase[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw usageError(`${label}: config.phases must be a non-empty list of phases`);
  }
  return value.map((raw, i): Phase => {
    const where = `${label}: phase ${i + 1}`;
    if (!isRecord(raw)) throw usageError(`${where} must be a mapping`);
    const name = typeof raw.name === 'string' ? raw.name : undefined;
    if (raw.pause !== undefined) {
      const pause = parseDuration(raw.pause);
      if (pause === null) throw usageError(`${where}: 'pause' is not a duration: ${shownValue(raw.pause)}`);
      return { ...(name === undefined ? {} : { name }), duration: pause, pause };
    }
    const duration = parseDuration(raw.duration);
    if (duration === null || duration <= 0) {
      throw usageError(`${where}: 'duration' must be a positive duration such as 30, "30s" or "5m"`);
    }
    const phase: Phase = { duration };
    if (name !== undefined) phase.name = name;
    const arrivalRate = numberField(raw, 'arrivalRate', where);
    const rampTo = numberField(raw, 'rampTo', where);
    const arrivalCount = numberField(raw, 'arrivalCount', where);
    const maxVusers = numberField(raw, 'maxVusers', where);
    if (arrivalRate === undefined && arrivalCount === undefined) {
      throw usageError(`${where}: needs 'arrivalRate' or 'arrivalCount' (or 'pause')`);
    }
    if (arrivalCount === 0 || (arrivalCount === undefined && arrivalRate === 0 && (rampTo ?? 0) === 0)) {
      throw usageError(`${where}: asks for no arrivals at all (${arrivalCount === 0 ? 'arrivalCount' : 'arrivalRate'} 0); give a rate above 0, or write 'pause: ${duration}' for a phase without load`);
    }
    if (arrivalRate !== undefined) phase.arrivalRate = arrivalRate;
    if (rampTo !== undefined) phase.rampTo = rampTo;
    if (arrivalCount !== undefined) phase.arrivalCount = arrivalCount;
    if (maxVusers !== undefined) phase.maxVusers = maxVusers;
    return phase;
  });
}

export async function loadProfile(root: string, name: string): Promise<Profile> {
  const available = await listProfiles(root);
  if (!isSafeName(name) || !available.includes(name)) {
    throw usageError(`unknown profile '${shortened(name)}'; available: ${available.join(', ') || `(none in ${PROFILE_DIR}/)`}`);
  }
  const file = path.join(root, PROFILE_DIR, `${name}.yml`);
  const label = path.join(PROFILE_DIR, `${name}.yml`);
  const doc = await readYamlFile(file, root);
  if (!isRecord(doc) || !isRecord(doc.config)) throw usageError(`${label}: must have a 'config' mapping (an Artillery config file)`);
  const { rampart, phases: rawPhases, ...config } = doc.config;
  const phases = parsePhases(rawPhases, label);
  if (!isRecord(rampart)) throw usageError(`${label}: config.rampart (description, mix) is missing`);
  const description = typeof rampart.description === 'string' ? rampart.description.trim() : '';
  if (!isRecord(rampart.mix) || Object.keys(rampart.mix).length === 0) {
    throw usageError(`${label}: config.rampart.mix must map flow names to weights`);
  }
  const mix: Record<string, number> = {};
  for (const [flow, weight] of Object.entries(rampart.mix)) {
    checkName(flow, 'config.rampart.mix: the flow name', label);
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0) {
      throw usageError(`${label}: config.rampart.mix.${flow} must be a whole number >= 0, got ${shownValue(weight)}`);
    }
    mix[flow] = weight;
  }
  const selection = rampart.selection ?? 'weighted';
  if (selection !== 'weighted' && selection !== 'sequence') {
    throw usageError(`${label}: config.rampart.selection must be 'weighted' or 'sequence'`);
  }
  return { name, file, description, config, phases, mix, selection };
}

const SCENARIO_HOOKS = ['beforeScenario', 'afterScenario', 'beforeRequest', 'afterResponse', 'onError'];

export async function loadFlow(root: string, name: string): Promise<FlowFile> {
  const available = await listFlows(root);
  if (!isSafeName(name) || !available.includes(name)) {
    throw usageError(`unknown flow '${shortened(name)}'; available: ${available.join(', ') || `(none in ${FLOW_DIR}/)`}`);
  }
  const file = path.join(root, FLOW_DIR, `${name}.yml`);
  const label = path.join(FLOW_DIR, `${name}.yml`);
  const doc = await readYamlFile(file, root);
  if (!isRecord(doc) || !Array.isArray(doc.scenarios) || doc.scenarios.length === 0) {
    throw usageError(`${label}: must have a non-empty 'scenarios' list`);
  }
  const variables = isRecord(doc.config) && isRecord(doc.config.variables) ? doc.config.variables : {};
  const declared = isRecord(doc.config) && isRecord(doc.config.rampart) ? doc.config.rampart.metrics : undefined;
  if (declared !== undefined && !(Array.isArray(declared) && declared.every((m): m is string => typeof m === 'string' && m.startsWith('rampart.')))) {
    throw usageError(`${label}: config.rampart.metrics must be a list of metric names starting with 'rampart.'`);
  }
  const metrics = declared ?? [];
  // A flow file's plain-Artillery defaults (target, phases, plugins, ensure, http, bundling) are not
  // read: the profile gives them. Its config.rampart.files names the flow itself (a copied file that
  // still names the original would hide a merge of several files from the plugin).
  const files = isRecord(doc.config) && isRecord(doc.config.rampart) ? doc.config.rampart.files : undefined;
  if (files !== undefined && !(isRecord(files) && Object.keys(files).length === 1 && files[name] === true)) {
    throw usageError(`${label}: config.rampart.files must be { ${name}: true }, the flow's own name`);
  }
  const scenarios: Scenario[] = doc.scenarios.map((raw, i) => {
    const where = `${label}: scenario ${i + 1}`;
    if (!isRecord(raw)) throw usageError(`${where} must be a mapping`);
    if (typeof raw.name !== 'string' || raw.name.trim() === '') throw usageError(`${where} needs a 'name'`);
    if (!Array.isArray(raw.flow) || raw.flow.length === 0) throw usageError(`${where} ('${raw.name}') needs a non-empty 'flow'`);
    if (raw.weight !== undefined && (typeof raw.weight !== 'number' || !Number.isInteger(raw.weight) || raw.weight < 0)) {
      throw usageError(`${where} ('${raw.name}'): 'weight' must be a whole number >= 0`);
    }
    const hook = SCENARIO_HOOKS.find((h) => raw[h] !== undefined);
    if (hook !== undefined) {
      throw usageError(`${where} ('${raw.name}'): scenario-level '${hook}' is not supported by compose; use a 'function' step or a request-level hook`);
    }
    return { ...raw, name: raw.name, flow: raw.flow };
  });
  return { name, file, variables, metrics, scenarios };
}
