import { test } from 'node:test';
import assert from 'node:assert/strict';
import api, { route } from '@forge/api';

test('the Forge SDK loads under the test runner', () => {
  assert.equal(typeof api.asApp, 'function');
  assert.equal(route`/rest/api/3/issue/${'OPS-1'}`.value, '/rest/api/3/issue/OPS-1');
});
