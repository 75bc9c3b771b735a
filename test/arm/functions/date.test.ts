import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUnknown } from '../../../src/resources/value.js';
import { baseContext, run } from './run.js';

const clocked = { ...baseContext, deployment: { ...baseContext.deployment, now: '2026-03-04T05:06:07.000Z' } };

test('conformance: dateTimeAdd and epoch conversion as Azure evaluates them', () => {
  assert.equal(run("[dateTimeAdd(dateTimeFromEpoch(1680224438), 'P1D')]"), '2023-04-01T01:00:38Z');
  assert.equal(run('[dateTimeToEpoch(dateTimeFromEpoch(1680224438))]'), 1680224438);
});

test('utcNow is unknown without a clock, formatted with one', () => {
  assert.ok(isUnknown(run('[utcNow()]')));
  assert.equal(run('[utcNow()]', clocked), '20260304T050607Z');
  assert.equal(run("[utcNow('u')]", clocked), '2026-03-04 05:06:07Z');
  assert.equal(run("[utcNow('d')]", clocked), '03/04/2026');
  assert.equal(run("[utcNow('yyyy-MM-dd')]", clocked), '2026-03-04');
  assert.equal(run("[utcNow('o')]", clocked), '2026-03-04T05:06:07.0000000Z');
  assert.throws(() => run("[utcNow('q')]", clocked), /not supported/);
});

test('dateTimeAdd: durations, negative durations, month ends, formats', () => {
  assert.equal(run("[dateTimeAdd('2020-04-07 14:53:14Z', 'P3Y')]"), '2023-04-07T14:53:14Z');
  assert.equal(run("[dateTimeAdd('2020-04-07 14:53:14Z', '-PT9H')]"), '2020-04-07T05:53:14Z');
  assert.equal(run("[dateTimeAdd('2020-04-07T14:53:14', 'PT1H30M')]"), '2020-04-07T16:23:14Z');
  assert.equal(run("[dateTimeAdd('2021-01-31T00:00:00Z', 'P1M')]"), '2021-02-28T00:00:00Z');
  assert.equal(run("[dateTimeAdd('2021-01-01T00:00:00Z', 'P2W', 'yyyy-MM-dd')]"), '2021-01-15');
  assert.throws(() => run("[dateTimeAdd('2021-01-01T00:00:00Z', '1 day')]"), /not an ISO 8601 duration/);
  assert.throws(() => run("[dateTimeAdd('yesterday', 'P1D')]"), /not an ISO 8601 date-time/);
});

test('epoch conversions', () => {
  assert.equal(run('[dateTimeFromEpoch(0)]'), '1970-01-01T00:00:00Z');
  assert.equal(run("[dateTimeToEpoch('2023-02-02T00:00:00Z')]"), 1675296000);
});
