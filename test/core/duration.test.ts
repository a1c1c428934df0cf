// The one duration parser (src/core/duration.ts): the cases of the two it replaced, compose's
// (src/compose/load.ts) and the measurement plugin's (plugins/rampart/schedule.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from '../../src/core/duration.ts';

test('a number or numeric string is seconds', () => {
  assert.equal(parseDuration(30), 30);
  assert.equal(parseDuration(0), 0);
  assert.equal(parseDuration(2.5), 2.5);
  assert.equal(parseDuration('45'), 45);
  assert.equal(parseDuration(' 45 '), 45);
  assert.equal(parseDuration('.5'), 0.5);
});

test('a number with a unit, short or long, with or without a space', () => {
  assert.equal(parseDuration('90s'), 90);
  assert.equal(parseDuration('2m'), 120);
  assert.equal(parseDuration('5m'), 300);
  assert.equal(parseDuration('1h'), 3600);
  assert.equal(parseDuration('2h'), 7200);
  assert.equal(parseDuration('1.5h'), 5400);
  assert.equal(parseDuration('1d'), 86400);
  assert.equal(parseDuration('500ms'), 0.5);
  assert.equal(parseDuration('1.5 min'), 90);
  assert.equal(parseDuration('10sec'), 10);
  assert.equal(parseDuration('3 minutes'), 180);
  assert.equal(parseDuration('2 Hours'), 7200);
});

test('anything else is not a duration', () => {
  assert.equal(parseDuration('soon'), null);
  assert.equal(parseDuration('5 fortnights'), null);
  assert.equal(parseDuration('5 constructor'), null, 'only the units, not what every object has');
  assert.equal(parseDuration(''), null);
  assert.equal(parseDuration('1m30s'), null);
  assert.equal(parseDuration(-1), null);
  assert.equal(parseDuration('-1'), null);
  assert.equal(parseDuration('-1.5m'), null);
  assert.equal(parseDuration(Number.NaN), null);
  assert.equal(parseDuration(Number.POSITIVE_INFINITY), null);
  assert.equal(parseDuration(undefined), null);
  assert.equal(parseDuration(null), null);
  assert.equal(parseDuration({ seconds: 5 }), null);
});
