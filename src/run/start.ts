// `rampart start` (= `npm start`, the README's main job): start the reference platform on its
// embedded database, run the smoke profile across every workflow, print the summary and the path of
// the run's bundle (report.html inside), stop the platform. Options are those of `rampart run`
// without the profile (e.g. `npm start -- --target http://127.0.0.1:3000`).
import { EXIT, usageError } from '../core/errors.ts';
import { parseCommand } from '../core/command.ts';
import { START_COMMAND, runOptions } from './args.ts';
import { executeRun } from './command.ts';

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(START_COMMAND, argv);
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return EXIT.ok;
  }
  const profile = parsed.positionals.at(0);
  if (profile !== undefined) {
    throw usageError(`'rampart start' always runs the smoke profile; use 'rampart run ${profile}' for other profiles`);
  }
  const options = runOptions(['smoke'], parsed.values);
  const say = (line: string): void => {
    process.stderr.write(`[rampart] ${line}\n`);
  };
  say('npm start: the platform on its embedded database, then the smoke profile over every workflow');
  const result = await executeRun(options, { progress: say });
  process.stdout.write(`\n${result.summary}`);
  process.stdout.write(`\nOpen ${result.bundleDir}/report.html in a browser for the full report.\n`);
  return result.exitCode;
}
