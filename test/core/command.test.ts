// parseCommand, the shape every command shares: values, help, and one-line usage errors (exit 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { helpText, parseCommand, type CommandSpec, type FlagSpec } from '../../src/core/command.ts';
import { RampartError } from '../../src/core/errors.ts';

const spec = {
  name: 'probe',
  arguments: '<bundle>',
  summary: 'A command for the tests.',
  flags: {
    scale: { type: 'string', value: 'N', description: 'a number' },
    tag: { type: 'string', multiple: true, short: 't', description: 'a tag' },
    force: { type: 'boolean', description: 'overwrite' },
  },
  positionals: { min: 1, max: 1 },
} as const satisfies CommandSpec<Record<string, FlagSpec>>;

function usageError(argv: string[], pattern: RegExp): void {
  assert.throws(() => parseCommand(spec, argv), (e: unknown) =>
    e instanceof RampartError && e.exitCode === 2 && !e.message.includes('\n') && pattern.test(e.message));
}

test('flags and positionals; repeatable flags collect; short names work', () => {
  const parsed = parseCommand(spec, ['b1', '--scale=2', '-t', 'x', '--tag', 'y', '--force']);
  assert.equal(parsed.help, false);
  assert.deepEqual({ ...parsed.values }, { scale: '2', tag: ['x', 'y'], force: true });
  assert.deepEqual(parsed.positionals, ['b1']);
});

test('a negative number after a string flag is its value, not a missing one', () => {
  const parsed = parseCommand(spec, ['b1', '--scale', '-1']);
  assert.equal(parsed.help ? null : parsed.values.scale, '-1');
  const short = parseCommand(spec, ['b1', '-t', '-0.5']);
  assert.deepEqual(short.help ? null : short.values.tag, ['-0.5']);
  const afterDashes = parseCommand(spec, ['--', '-2']);
  assert.deepEqual(afterDashes.help ? null : afterDashes.positionals, ['-2']);
});

test('--help (or -h) anywhere returns the help text: usage line, summary, one line per flag', () => {
  const parsed = parseCommand(spec, ['--scale', 'x', '--help']);
  assert.equal(parsed.help, true);
  assert.equal(parsed.text, helpText(spec));
  assert.equal(parseCommand(spec, ['-h']).help, true);
  const text = helpText(spec);
  assert.match(text, /^usage: rampart probe <bundle> \[options\]\n\nA command for the tests\.\n\noptions:\n/);
  assert.match(text, /^ {2}--tag VALUE, -t +a tag \(repeatable\)$/m);
  assert.match(text, /^ {2}--force +overwrite$/m);
});

test('mistakes: one line naming the flag and the known flags, exit 2', () => {
  usageError(['b1', '--turbo'], /^rampart probe: unknown option '--turbo'; known options: --scale, --tag, --force, --help \(see 'rampart probe --help'\)$/);
  usageError(['b1', '--scale'], /^rampart probe: --scale needs a value; known options: /);
  usageError(['b1', '--scale', '--force'], /^rampart probe: --scale needs a value; /);
  usageError(['b1', '--force=yes'], /^rampart probe: --force takes no value; /);
  usageError(['b1', '--scale='], /^rampart probe: --scale needs a value, got an empty one$/);
  usageError([], /^rampart probe: missing <bundle>; usage: rampart probe <bundle>/);
  usageError(['b1', 'b2'], /^rampart probe: unexpected argument 'b2'; usage: rampart probe <bundle>/);
});
