import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUnknown } from '../../../src/resources/value.js';
import { baseContext, run } from './run.js';

const at = (now: string) => ({ ...baseContext, deployment: { ...baseContext.deployment, now } });
const clocked = at('2026-03-04T05:06:07.123Z');

// Values Azure's engine produced for Bicep's baselines-bicepparam/Expressions (parameters.json).
test('conformance: dateTimeAdd and epoch conversion as Azure evaluates them', () => {
  assert.equal(run("[dateTimeAdd(dateTimeFromEpoch(1680224438), 'P1D')]"), '2023-04-01T01:00:38Z');
  assert.equal(run('[dateTimeToEpoch(dateTimeFromEpoch(1680224438))]'), 1680224438);
  assert.equal(run('[dateTimeFromEpoch(1680224438)]'), '2023-03-31T01:00:38Z');
});

test('conformance: an invalid duration fails, as in Azure', () => {
  // Bicep's Invalid_Expressions: "The second parameter 'PTASDIONS1D' is not a valid ISO8601 Duration string."
  assert.throws(() => run("[dateTimeAdd(dateTimeFromEpoch(1680224438), 'PTASDIONS1D')]"), /dateTimeAdd: 'PTASDIONS1D' is not a valid ISO 8601 duration/);
});

// The examples of Microsoft's date function reference (template-functions-date).
test('documented examples', () => {
  // "dateTimeAdd doesn't take leap years into consideration: P1Y is P365D and P1M is P30D."
  assert.equal(run("[dateTimeAdd('2023-01-01 00:00:00Z', 'P1Y')]"), '2024-01-01T00:00:00Z');
  assert.equal(run("[dateTimeAdd('2024-01-01 00:00:00Z', 'P1Y')]"), '2024-12-31T00:00:00Z');
  assert.equal(run("[dateTimeAdd('2023-02-01 00:00:00Z', 'P1M')]"), '2023-03-03T00:00:00Z');
  assert.equal(run("[dateTimeAdd('2024-02-01 00:00:00Z', 'P1M')]"), '2024-03-02T00:00:00Z');
  // Deployed with a base time of 2020-04-07 14:53:14Z (utcNow('u')).
  assert.equal(run("[dateTimeAdd('2020-04-07 14:53:14Z', 'P3Y')]"), '2023-04-07T14:53:14Z');
  assert.equal(run("[dateTimeAdd('2020-04-07 14:53:14Z', '-P9D')]"), '2020-03-29T14:53:14Z');
  assert.equal(run("[dateTimeAdd('2020-04-07 14:53:14Z', 'PT1H')]"), '2020-04-07T15:53:14Z');
  assert.equal(run("[dateTimeAdd(utcNow('u'), 'PT1H')]", at('2020-04-07T14:53:14Z')), '2020-04-07T15:53:14Z');
  assert.equal(run('[dateTimeFromEpoch(1683040573)]'), '2023-05-02T15:16:13Z');
  assert.equal(run("[dateTimeToEpoch('2023-05-02T15:16:13Z')]"), 1683040573);
  // utcNow(): 20190305T175318Z, utcNow('d'): 03/05/2019, utcNow('M d'): 3 5.
  const docClock = at('2019-03-05T17:53:18Z');
  assert.equal(run('[utcNow()]', docClock), '20190305T175318Z');
  assert.equal(run("[utcNow('d')]", docClock), '03/05/2019');
  assert.equal(run("[utcNow('M d')]", docClock), '3 5');
});

test('utcNow is unknown without a clock, formatted with one', () => {
  assert.ok(isUnknown(run('[utcNow()]')));
  assert.ok(isUnknown(run("[utcNow('u')]")));
  assert.ok(isUnknown(run("[dateTimeAdd(utcNow(), 'P1D')]")));
  assert.equal(run('[utcNow()]', clocked), '20260304T050607Z');
  assert.equal(run("[utcNow('u')]", clocked), '2026-03-04 05:06:07Z');
  assert.equal(run("[utcNow('s')]", clocked), '2026-03-04T05:06:07');
  assert.equal(run("[utcNow('o')]", clocked), '2026-03-04T05:06:07.1230000Z');
  assert.equal(run("[utcNow('r')]", clocked), 'Wed, 04 Mar 2026 05:06:07 GMT');
  assert.equal(run("[utcNow('D')]", clocked), 'Wednesday, 04 March 2026');
  assert.equal(run("[utcNow('g')]", clocked), '03/04/2026 05:06');
  assert.equal(run("[utcNow('t')]", clocked), '05:06');
  assert.equal(run("[utcNow('Y')]", clocked), '2026 March');
  assert.equal(run("[utcNow('yyyy-MM-dd')]", clocked), '2026-03-04');
  assert.equal(run("[utcNow('yyyyMMdd')]", clocked), '20260304');
  assert.equal(run("[utcNow('yyyy-MM-ddTHH:mm:ssZ')]", clocked), '2026-03-04T05:06:07Z');
  assert.equal(run("[utcNow('yyyy-MM-ddTHH:mm:ss.fffK')]", clocked), '2026-03-04T05:06:07.123Z');
  assert.equal(run("[utcNow('dddd, MMMM d, yyyy h:mm tt zzz')]", clocked), 'Wednesday, March 4, 2026 5:06 AM +00:00');
  assert.equal(run("[utcNow('yy-M-d H:m:s')]", clocked), '26-3-4 5:6:7');
  assert.equal(run("[utcNow('%d')]", clocked), '4');
  assert.equal(run("[utcNow('''Year'' yyyy \\y')]", clocked), 'Year 2026 y');
  assert.throws(() => run("[utcNow('q')]", clocked), /'q' is not a .NET standard format/);
  assert.throws(() => run("[utcNow('ffffffff')]", clocked), /more than 7 fractional digits/);
});

test("'F' fractions drop trailing zeros and, when all zero, the point", () => {
  assert.equal(run("[utcNow('HH:mm:ss.FFF')]", at('2026-03-04T05:06:07.100Z')), '05:06:07.1');
  assert.equal(run("[utcNow('HH:mm:ss.FFF')]", at('2026-03-04T05:06:07Z')), '05:06:07');
  assert.equal(run("[utcNow('HH:mm:ss.fff')]", at('2026-03-04T05:06:07Z')), '05:06:07.000');
});

test('dateTimeAdd: durations', () => {
  assert.equal(run("[dateTimeAdd('2020-04-07T14:53:14', 'PT1H30M')]"), '2020-04-07T16:23:14Z'); // no offset: UTC
  assert.equal(run("[dateTimeAdd('2020-04-07T14:53:14Z', 'P1Y2M3DT4H5M6S')]"), '2021-06-09T18:58:20Z');
  assert.equal(run("[dateTimeAdd('2020-04-07T14:53:14Z', '-PT36H')]"), '2020-04-06T02:53:14Z');
  assert.equal(run("[dateTimeAdd('2020-04-07T14:53:14Z', 'PT0.5S')]"), '2020-04-07T14:53:14.5Z');
  assert.equal(run("[dateTimeAdd('2020-04-07T14:53:14.25Z', 'P0D')]"), '2020-04-07T14:53:14.25Z');
  assert.equal(run("[dateTimeAdd('2021-01-31T00:00:00Z', 'P1M')]"), '2021-03-02T00:00:00Z'); // 30 days, not AddMonths
  assert.equal(run("[dateTimeAdd('2021-01-01T00:00:00Z', 'P14D', 'yyyy-MM-dd')]"), '2021-01-15');
  assert.equal(run("[dateTimeAdd('2021-01-01T00:00:00Z', 'PT1H', 'u')]"), '2021-01-01 01:00:00Z');
  assert.throws(() => run("[dateTimeAdd('2021-01-01T00:00:00Z', '1 day')]"), /not a valid ISO 8601 duration/);
  assert.throws(() => run("[dateTimeAdd('2021-01-01T00:00:00Z', 'P')]"), /not a valid ISO 8601 duration/);
  assert.throws(() => run("[dateTimeAdd('2021-01-01T00:00:00Z', 'P1DT')]"), /not a valid ISO 8601 duration/);
  // xs:duration (XmlConvert.ToTimeSpan, whose year and month lengths Microsoft documents) has no weeks.
  assert.throws(() => run("[dateTimeAdd('2021-01-01T00:00:00Z', 'P2W')]"), /not a valid ISO 8601 duration/);
  assert.throws(() => run("[dateTimeAdd('2021-01-01T00:00:00Z', 'PT1.5H')]"), /not a valid ISO 8601 duration/);
  assert.throws(() => run("[dateTimeAdd('9999-12-31T00:00:00Z', 'P1D')]"), /outside the years 0001 to 9999/);
  assert.throws(() => run("[dateTimeAdd('2021-01-01T00:00:00Z', 1)]"), /the duration must be a string/);
});

test('dateTimeAdd: base date-times ARM reads', () => {
  assert.equal(run("[dateTimeAdd('2020-04-07', 'PT1H')]"), '2020-04-07T01:00:00Z');
  assert.equal(run("[dateTimeAdd('2020-04-07T14:53:14+02:00', 'P0D')]"), '2020-04-07T12:53:14Z'); // adjusted to UTC
  assert.equal(run("[dateTimeAdd('2020-04-07T14:53:14-0530', 'P0D')]"), '2020-04-07T20:23:14Z');
  assert.equal(run("[dateTimeAdd('20190305T175318Z', 'PT1H')]"), '2019-03-05T18:53:18Z'); // utcNow()'s default form
  assert.equal(run("[dateTimeAdd('03/05/2019', 'P1D')]"), '2019-03-06T00:00:00Z'); // utcNow('d')
  assert.equal(run("[dateTimeAdd('3/5/2019 2:53:14 PM', 'P0D')]"), '2019-03-05T14:53:14Z');
  assert.equal(run("[dateTimeAdd('Tue, 05 Mar 2019 17:53:18 GMT', 'PT1M')]"), '2019-03-05T17:54:18Z'); // utcNow('r')
  assert.equal(run("[dateTimeAdd('2024-02-29T00:00:00Z', 'P1D')]"), '2024-03-01T00:00:00Z');
  assert.throws(() => run("[dateTimeAdd('2023-02-29T00:00:00Z', 'P1D')]"), /'2023-02-29T00:00:00Z' is not a valid date-time/);
  assert.throws(() => run("[dateTimeAdd('2023-01-01T25:00:00Z', 'P1D')]"), /not a valid date-time/);
  assert.throws(() => run("[dateTimeAdd('yesterday', 'P1D')]"), /'yesterday' is not a valid date-time/);
});

test('epoch conversions', () => {
  assert.equal(run('[dateTimeFromEpoch(0)]'), '1970-01-01T00:00:00Z');
  assert.equal(run('[dateTimeFromEpoch(-1)]'), '1969-12-31T23:59:59Z');
  assert.equal(run("[dateTimeToEpoch('2023-02-02T00:00:00Z')]"), 1675296000);
  assert.equal(run("[dateTimeToEpoch('1970-01-01T00:00:00.999Z')]"), 0);
  assert.equal(run("[dateTimeToEpoch('1969-12-31T23:59:59.5Z')]"), -1); // rounded down
  assert.equal(run("[dateTimeToEpoch('2023-02-02T02:00:00+02:00')]"), 1675296000);
  assert.throws(() => run('[dateTimeFromEpoch(253402300800)]'), /outside the years 0001 to 9999/);
  assert.throws(() => run("[dateTimeFromEpoch('adfasdf')]"), /the epoch time must be an integer/);
  assert.throws(() => run("[dateTimeToEpoch('not a date')]"), /not a valid date-time/);
});

test('unknown values make the result unknown', () => {
  assert.ok(isUnknown(run("[dateTimeAdd(parameters('unknown'), 'P1D')]")));
  assert.ok(isUnknown(run("[dateTimeAdd('2020-01-01', parameters('unknown'))]")));
  assert.ok(isUnknown(run("[dateTimeToEpoch(parameters('unknown'))]")));
  assert.ok(isUnknown(run("[dateTimeFromEpoch(parameters('unknown'))]")));
  assert.ok(isUnknown(run("[utcNow(parameters('unknown'))]", clocked)));
});
