// `rampart coverage [--target URL]`: which platform operations do the scenarios exercise?
// Inputs: the platform's OpenAPI document (from a running platform with --target, or built from the
// platform's app) and the flow files scenarios/*.yml of the suite. Output: one summary line, then the
// uncovered operations and the unknown endpoint keys. Exit 0 when every operation is covered and
// every key names an operation; 1 otherwise; 2 bad input; 3 the target is unreachable.
import { EXIT } from '../core/errors.ts';
import { suiteDir } from '../core/paths.ts';
import { parseCommand, type CommandSpec, type FlagSpec } from '../core/command.ts';
import { loadConfig } from '../compose/config.ts';
import { listFlows, loadFlow } from '../compose/load.ts';
import { checkTargetAllowed, parseTarget, targetBase } from '../compose/target.ts';
import type { FlowFile } from '../compose/types.ts';
import { openApiFromApp, openApiFromTarget } from './openapi.ts';
import { compareCoverage, formatCoverage, operationsFromOpenApi, requestsOfFlow, type CoverageResult } from './operations.ts';

const COVERAGE_FLAGS = {
  target: { type: 'string', value: 'URL', description: 'read the OpenAPI document of this running platform (default: build it in-process)' },
} as const satisfies Record<string, FlagSpec>;

const COVERAGE_COMMAND: CommandSpec<typeof COVERAGE_FLAGS> = {
  name: 'coverage',
  arguments: '',
  summary: 'Compare the platform\'s OpenAPI operations with the endpoint keys (request names) of scenarios/*.yml.\n' +
    'Exit 0 when every operation is exercised and every key names an operation; 1 listing what is not.',
  flags: COVERAGE_FLAGS,
  positionals: { min: 0, max: 0 },
};

async function loadAllFlows(root: string): Promise<FlowFile[]> {
  const flows: FlowFile[] = [];
  for (const name of await listFlows(root)) flows.push(await loadFlow(root, name));
  return flows;
}

/** The suite's flows against an OpenAPI document. */
export async function coverage(root: string, openapi: unknown): Promise<{ result: CoverageResult; flows: number }> {
  const flows = await loadAllFlows(root);
  const result = compareCoverage(operationsFromOpenApi(openapi), flows.flatMap(requestsOfFlow));
  return { result, flows: flows.length };
}

async function openApiDocument(target: string | undefined): Promise<unknown> {
  if (target === undefined) return openApiFromApp();
  const url = parseTarget(target);
  checkTargetAllowed(url, await loadConfig(suiteDir()));
  return openApiFromTarget(targetBase(url));
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(COVERAGE_COMMAND, argv);
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return EXIT.ok;
  }
  const { result, flows } = await coverage(suiteDir(), await openApiDocument(parsed.values.target));
  const ok = result.uncovered.length === 0 && result.unknown.length === 0;
  (ok ? process.stdout : process.stderr).write(formatCoverage(result, flows));
  return ok ? EXIT.ok : EXIT.checkFailed;
}
