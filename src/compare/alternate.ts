// Two platform configurations run alternately, A B A B ..., so that whatever drifts on the machine
// over the sitting (other work, heat, data growing in a kept --data-dir) falls on both alike. Each run
// is `rampart run`'s executeRun against a platform started for that run with the side's environment
// (on --data-dir, or on a fresh temp folder with the small seed), stopped by its pid afterwards.
import path from 'node:path';
import { EXIT, untrustworthy } from '../core/errors.ts';
import { REPO_ROOT } from '../core/paths.ts';
import { executeRun } from '../run/command.ts';
import type { RunOptions } from '../run/args.ts';
import { startPlatform } from '../run/platform.ts';
import { describeEnv } from '../capacity/env.ts';

export type Side = 'A' | 'B';

/** The order of the runs: A B repeated `rounds` times. */
export function alternateOrder(rounds: number): Side[] {
  const order: Side[] = [];
  for (let i = 0; i < rounds; i++) order.push('A', 'B');
  return order;
}

/** Makes one run of a side and returns its bundle folder. */
export type SideRunner = (side: Side, index: number) => Promise<string>;

export interface Alternated {
  order: Side[];
  a: string[];
  b: string[];
}

export async function runAlternately(rounds: number, run: SideRunner, say: (line: string) => void): Promise<Alternated> {
  const order = alternateOrder(rounds);
  const out: Alternated = { order, a: [], b: [] };
  for (const [index, side] of order.entries()) {
    say(`run ${index + 1}/${order.length}: ${side}`);
    const bundle = await run(side, index);
    (side === 'A' ? out.a : out.b).push(bundle);
  }
  return out;
}

export interface PlatformRunSettings {
  suite: string;
  runsDir: string;
  profile: string;
  flows?: string[];
  rateScale: number;
  durationSeconds?: number;
  durationText: string | null;
  seed: number;
  dataDir?: string;
  env: { A: Record<string, string>; B: Record<string, string> };
  progress: (line: string) => void;
}

/** The real SideRunner: a platform with the side's environment, one run against it, the platform stopped. */
export function platformRunner(settings: PlatformRunSettings): SideRunner {
  return async (side, index) => {
    const env = settings.env[side];
    const logFile = path.join(settings.runsDir, `${String(index + 1).padStart(2, '0')}-${side}.platform.log`);
    settings.progress(`starting the platform for ${side} (${describeEnv(env)})`);
    const platform = await startPlatform({ root: REPO_ROOT, logFile, dataDir: settings.dataDir, env, onProgress: settings.progress, readyTimeoutMs: 300_000 });
    try {
      const options: RunOptions = {
        profile: settings.profile,
        ...(settings.flows === undefined ? {} : { flows: settings.flows }),
        ...(settings.durationSeconds === undefined ? {} : { durationSeconds: settings.durationSeconds }),
        durationText: settings.durationText,
        rateScale: settings.rateScale,
        seed: settings.seed,
        report: false,
        reportsDir: settings.runsDir,
      };
      const result = await executeRun(options, { platform, progress: (line) => { settings.progress(`  ${line}`); } }, settings.suite);
      if (result.exitCode === EXIT.untrustworthy) throw untrustworthy(`run ${index + 1} (${side}) cannot be trusted: ${result.summary.split('\n').find((l) => /untrustworthy|interrupted|failed|exited/i.test(l))?.trim() ?? 'see its bundle'} (${result.bundleDir})`);
      return result.bundleDir;
    } finally {
      await platform.stop();
    }
  };
}
