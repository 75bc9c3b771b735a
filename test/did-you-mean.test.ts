import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestNames, didYouMean, editDistance } from '../src/did-you-mean.js';

test('editDistance counts insertions, deletions and substitutions', () => {
  assert.equal(editDistance('', ''), 0);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('exclude', 'exlcude'), 2);
  assert.equal(editDistance('abc', ''), 3);
});

test('closestNames: a cut-short name and typos are suggested, closest first; unrelated words are not', () => {
  const keys = ['exclude', 'include', 'suppressions', 'failOn', 'output', 'parameters'];
  assert.deepEqual(closestNames('exlude', keys), ['exclude']);
  assert.deepEqual(closestNames('SUPPRESSION', keys), ['suppressions']);
  assert.deepEqual(closestNames('param', keys), ['parameters']);
  assert.deepEqual(closestNames('zebra', keys), []);
  assert.deepEqual(closestNames('clude', keys), ['exclude', 'include']);
  assert.equal(didYouMean('failon', keys), " (did you mean 'failOn'?)");
  assert.equal(didYouMean('clude', keys), " (did you mean 'exclude' or 'include'?)");
  assert.equal(didYouMean('zebra', keys), '');
});
