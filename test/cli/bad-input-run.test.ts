// The bad-input matrix, `rampart run` and `rampart start`: arguments, profiles and flow files that
// are wrong or hostile (alias bombs, arrivalRate 0 or 1e400, `__proto__` in a mix), targets that are
// not allowed or not reachable (credentials never shown), reports folders that cannot be created.
// Every case fails before a platform starts or load is sent; the suite is a copy (RAMPART_SUITE_DIR)
// whose every file, and its reports/ folder, must be as it was (./bad-input.ts).
import { test } from 'node:test';
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from '../../src/core/paths.ts';
import { freePort } from '../../src/run/platform.ts';
import { ALIAS_BOMB, fixture, runMatrix } from './bad-input.ts';
import type { BadInput, Case, Fixture } from './bad-input.ts';

const SMOKE = 'config:\n  phases:\n    - { duration: 2, arrivalRate: 1 }\n  rampart:\n    description: test\n    mix: { health: 1 }\n';
const profileWith = (phases: string, mix = '{ health: 1 }'): string => `config:\n  phases:\n${phases}\n  rampart:\n    description: test\n    mix: ${mix}\n`;

/** The suite: the real profiles and flows, a one-request flow, and the bad files the cases name. */
async function suite(f: Fixture): Promise<string> {
  const dir = path.join(f.root, 'suite');
  await mkdir(path.join(dir, 'reports'), { recursive: true });
  await cp(path.join(REPO_ROOT, 'phases'), path.join(dir, 'phases'), { recursive: true });
  await cp(path.join(REPO_ROOT, 'scenarios'), path.join(dir, 'scenarios'), { recursive: true });
  const files: Record<string, string> = {
    'scenarios/health.yml': 'scenarios:\n  - name: health\n    flow:\n      - get: { url: /health, name: GET /health }\n',
    'scenarios/bomb.yml': `${ALIAS_BOMB}\nscenarios:\n  - name: bomb\n    flow: [{ get: { url: /health, name: GET /health } }]\n`,
    'phases/tiny.yml': SMOKE,
    'phases/bomb.yml': `${ALIAS_BOMB}\n${SMOKE}`,
    'phases/idle.yml': profileWith('    - { duration: 10, arrivalRate: 0 }'),
    'phases/infinite.yml': profileWith('    - { duration: 10, arrivalRate: 1e400 }'),
    'phases/no-count.yml': profileWith('    - { duration: 10, arrivalCount: 0 }'),
    'phases/proto.yml': profileWith('    - { duration: 2, arrivalRate: 1 }', '{ health: 1, __proto__: 3 }'),
    'scenarios/proto-vars.yml': 'config:\n  variables:\n    __proto__: { polluted: 1 }\nscenarios:\n  - name: vars\n    flow: [{ get: { url: /health, name: GET /health } }]\n',
    'phases/fraction.yml': profileWith('    - { duration: 2, arrivalRate: 1 }', '{ health: 1.5 }'),
    'phases/infinite-weight.yml': profileWith('    - { duration: 2, arrivalRate: 1 }', '{ health: 1e400 }'),
    'phases/broken.yml': 'config:\n  phases:\n    - { duration: 2, arrivalRate: 1\n',
    'phases/no-mix.yml': 'config:\n  phases:\n    - { duration: 2, arrivalRate: 1 }\n',
    'phases/uses-bomb.yml': profileWith('    - { duration: 2, arrivalRate: 1 }', '{ bomb: 1 }'),
  };
  for (const [name, text] of Object.entries(files)) await f.file(path.join('suite', name), text);
  return dir;
}

const CASES: Record<string, (f: Fixture, dir: string) => BadInput | Promise<BadInput>> = {
  'no profile': () => ({ args: ['run'], code: 2, says: /which profile\?/, unchanged: [] }),
  'two profiles': () => ({ args: ['run', 'tiny', 'smoke'], code: 2, says: /one profile only, got tiny smoke/, unchanged: [] }),
  'an unknown profile': () => ({ args: ['run', 'lunchtime'], code: 2, says: /unknown profile 'lunchtime'; available: .*tiny/, unchanged: [] }),
  'a profile name that walks out of phases/': () => ({ args: ['run', '../../etc/passwd'], code: 2, says: /unknown profile '\.\.\/\.\.\/etc\/passwd'/, unchanged: [] }),
  'a --duration that is not a duration': () => ({ args: ['run', 'tiny', '--duration', 'soon'], code: 2, says: /--duration 'soon' is not a duration/, unchanged: [] }),
  'a --duration over 24 h': () => ({ args: ['run', 'tiny', '--duration', '10000000h'], code: 2, says: /--duration '10000000h' is longer than 24 h/, unchanged: [] }),
  'a --duration of 0': () => ({ args: ['run', 'tiny', '--duration', '0'], code: 2, says: /--duration '0' is not a duration/, unchanged: [] }),
  'a --rate-scale of 0': () => ({ args: ['run', 'tiny', '--rate-scale', '0'], code: 2, says: /--rate-scale '0' must be a positive number/, unchanged: [] }),
  'a --rate-scale of 1e400': () => ({ args: ['run', 'tiny', '--rate-scale', '1e400'], code: 2, says: /--rate-scale '1e400' must be a positive number/, unchanged: [] }),
  'a --rate-scale so small no arrival is left': () => ({ args: ['run', 'tiny', '--rate-scale', '1e-300'], code: 2, says: /profile 'tiny' scaled by --rate-scale 1e-300 asks for no arrivals at all/, unchanged: [] }),
  'a profile name of 10 000 characters (shown cut short)': () => ({ args: ['run', 'x'.repeat(10_000)], code: 2, says: /^rampart: unknown profile 'x{80}\.\.\.'; available: /, unchanged: [] }),
  'a RAMPART_PLATFORM_NICE that is not a niceness': () => ({ args: ['run', 'tiny'], code: 2, says: /RAMPART_PLATFORM_NICE must be a whole number from 0 to 19 .*not '-5'/, unchanged: [], env: { RAMPART_PLATFORM_NICE: '-5' } }),
  'a negative --seed': () => ({ args: ['run', 'tiny', '--seed', '-1'], code: 2, says: /--seed '-1' must be a whole number >= 0/, unchanged: [] }),
  'an unknown flow in --flows': () => ({ args: ['run', 'tiny', '--flows', 'health,coffee'], code: 2, says: /unknown flow 'coffee'; available: .*health/, unchanged: [] }),
  'a flow listed twice in --flows': () => ({ args: ['run', 'tiny', '--flows', 'health,health'], code: 2, says: /flow 'health' is listed twice in --flows/, unchanged: [] }),
  'a profile with an alias bomb': () => ({ args: ['run', 'bomb'], code: 2, says: /phases\/bomb\.yml: YAML error: .*aliases may expand to at most 100 copies/, unchanged: [] }),
  'a flow file with an alias bomb': () => ({ args: ['run', 'uses-bomb'], code: 2, says: /scenarios\/bomb\.yml: YAML error: .*aliases may expand to at most 100 copies/, unchanged: [] }),
  'a profile with a YAML syntax error': () => ({ args: ['run', 'broken'], code: 2, says: /phases\/broken\.yml:\d+:\d+: YAML error: /, unchanged: [] }),
  'a profile without a mix': () => ({ args: ['run', 'no-mix'], code: 2, says: /phases\/no-mix\.yml: config\.rampart \(description, mix\) is missing/, unchanged: [] }),
  'arrivalRate 0': () => ({ args: ['run', 'idle'], code: 2, says: /phases\/idle\.yml: phase 1: asks for no arrivals at all \(arrivalRate 0\).*pause: 10/, unchanged: [] }),
  'arrivalCount 0': () => ({ args: ['run', 'no-count'], code: 2, says: /phases\/no-count\.yml: phase 1: asks for no arrivals at all \(arrivalCount 0\)/, unchanged: [] }),
  'arrivalRate 1e400': () => ({ args: ['run', 'infinite'], code: 2, says: /'arrivalRate' must be a non-negative number, got Infinity \(not a finite number\)/, unchanged: [] }),
  '__proto__ in a mix': () => ({ args: ['run', 'proto'], code: 2, says: /phases\/proto\.yml: the key '__proto__' \(at \/config\/rampart\/mix\) cannot be a name; rename it/, unchanged: [] }),
  '__proto__ among a flow\'s variables': () => ({ args: ['run', 'tiny', '--flows', 'proto-vars'], code: 2, says: /scenarios\/proto-vars\.yml: the key '__proto__' \(at \/config\/variables\) cannot be a name/, unchanged: [] }),
  'a fractional mix weight': () => ({ args: ['run', 'fraction'], code: 2, says: /config\.rampart\.mix\.health must be a whole number >= 0, got 1\.5/, unchanged: [] }),
  'a mix weight of 1e400': () => ({ args: ['run', 'infinite-weight'], code: 2, says: /config\.rampart\.mix\.health must be a whole number >= 0, got Infinity \(not a finite number\)/, unchanged: [] }),
  'a --target that is not a URL (its password not shown)': () => ({ args: ['run', 'tiny', '--target', 'http://user:hunter2@exa mple.com'], code: 2, says: /--target 'http:\/\/\*\*\*@exa mple\.com' is not a URL/, never: 'hunter2', unchanged: [] }),
  'a --target that is not http': () => ({ args: ['run', 'tiny', '--target', 'ftp://127.0.0.1'], code: 2, says: /--target 'ftp:\/\/127\.0\.0\.1' must use http or https/, unchanged: [] }),
  'a --target outside loopback and the allowlist (its password not shown)': () => ({ args: ['run', 'tiny', '--target', 'http://admin:hunter2@load-me.example.com'], code: 2, says: /target host 'load-me\.example\.com' is not loopback and not in the allowlist/, never: 'hunter2', unchanged: [] }),
  'a --target under .localhost (not trusted by name)': () => ({ args: ['run', 'tiny', '--target', 'http://evil.localhost:3000'], code: 2, says: /target host 'evil\.localhost' is not loopback \(a name under \.localhost is not trusted by name\)/, unchanged: [] }),
  'a loopback --target for --fargate (its password not shown)': () => ({ args: ['run', 'tiny', '--fargate', '--region', 'eu-west-1', '--target', 'http://admin:hunter2@127.0.0.1:3000'], code: 2, says: /--target http:\/\/\*\*\*@127\.0\.0\.1:3000 is this machine's loopback/, never: 'hunter2', unchanged: [] }),
  'an unreachable --target: ECONNREFUSED, its password not shown': async () => ({ args: ['run', 'tiny', '--target', `http://admin:hunter2@127.0.0.1:${await freePort()}`], code: 3, says: /target http:\/\/\*\*\*@127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)/, never: 'hunter2', unchanged: [] }),
  'an unreachable IPv4-mapped loopback --target (accepted as loopback)': async () => ({ args: ['run', 'tiny', '--target', `http://[::ffff:127.0.0.1]:${await freePort()}`], code: 3, says: /target http:\/\/\[::ffff:7f00:1\]:\d+ is unreachable \(ECONNREFUSED\)/, unchanged: [] }),
  'a --target on a port fetch() refuses (1): the real error': () => ({ args: ['run', 'tiny', '--target', 'http://127.0.0.1:1'], code: 3, says: /unreachable \(ECONNREFUSED\)/, unchanged: [] }),
  '--reports-dir under a file': async (f) => ({ args: ['run', 'tiny', '--reports-dir', path.join(await f.file('a-file', 'x'), 'reports')], code: 2, says: /a-file\/reports: cannot create the reports folder \(--reports-dir\): a part of the path is a file, not a folder \(ENOTDIR\)/, unchanged: [] }),
  '--reports-dir in a folder it may not write': async (f) => ({ args: ['run', 'tiny', '--reports-dir', path.join(await f.readOnlyDir('ro'), 'reports')], code: 2, says: /ro\/reports: cannot create the reports folder \(--reports-dir\): permission denied \(EACCES\)/, unprivileged: true, unchanged: [] }),
  '--data-dir under a file (refused before the platform starts, no bundle folder)': async (f) => ({ args: ['run', 'tiny', '--data-dir', path.join(await f.file('data-file', 'x'), 'db')], code: 2, says: /data-file\/db: cannot create the platform's data folder \(--data-dir\): a part of the path is a file, not a folder \(ENOTDIR\)/, unchanged: [] }),
  'an unknown option': () => ({ args: ['run', 'tiny', '--turbo'], code: 2, says: /rampart run: unknown option '--turbo'/, unchanged: [] }),
  'rampart start with a profile': () => ({ args: ['start', 'tiny'], code: 2, says: /'rampart start' always runs the smoke profile; use 'rampart run tiny'/, unchanged: [] }),
  'rampart start with a --duration over 24 h': () => ({ args: ['start', '--duration', '2d'], code: 2, says: /--duration '2d' is longer than 24 h/, unchanged: [] }),
};

test('rampart run and rampart start refuse bad input before anything starts: one line, nothing written', { concurrency: 3 }, async (t) => {
  const f = await fixture(t);
  const dir = await suite(f);
  const cases: Record<string, Case> = {};
  for (const [name, make] of Object.entries(CASES)) {
    cases[name] = async (fx) => {
      const c = await make(fx, dir);
      return { ...c, env: { ...fx.env, RAMPART_SUITE_DIR: dir, ...c.env }, unchanged: [f.root] };
    };
  }
  await runMatrix(t, f, cases);
});
