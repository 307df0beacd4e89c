// The body schema: zod (src/sync/inbound-event.ts) and docs/inbound-event.schema.json agree on
// valid and invalid samples, and refusals name the path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { checkJsonShape, parseInboundEvent, peekEventKeys } from '../../src/sync/inbound-event';

const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'inbound-event.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

const at = '2026-11-22T07:02:00Z';
const record = { module: 'incidents', id: 'a1b2', number: 'INC0012345', url: 'https://sf.example/incidents/a1b2', fields: { short_description: 'Down' } };
const comment = { id: 'n1', author: { name: 'Nia', email: 'nia@x.example' }, body: 'Hello **there**' };

const valid: Array<[string, unknown]> = [
  ['created', { eventId: 'e1', type: 'record.created', occurredAt: at, record }],
  ['created with key', { eventId: 'e-2:x', type: 'record.created', occurredAt: '2026-11-22T07:02:00.123+01:00', record: { ...record, jiraIssueKey: 'OPS-12' } }],
  ['updated, fields only', { eventId: 'e3', type: 'record.updated', occurredAt: at, record: { module: 'incidents', id: 'a1b2', fields: {} } }],
  ['deleted', { eventId: 'e4', type: 'record.deleted', occurredAt: at, record: { module: 'incidents', id: 'a1b2' } }],
  ['comment created', { eventId: 'e5', type: 'comment.created', occurredAt: at, record, comment }],
  ['comment updated, no author', { eventId: 'e6', type: 'comment.updated', occurredAt: at, record, comment: { id: 'n1', body: '' } }],
  ['comment deleted', { eventId: 'e7', type: 'comment.deleted', occurredAt: at, record: { module: 'incidents', id: 'a1b2' }, comment: { id: 'n1' } }],
  ['sync requested', { eventId: 'e8', type: 'sync.requested', occurredAt: at, jiraIssueKey: 'OPS-1234' }],
  ['ping', { eventId: 'ping-1', type: 'ping', occurredAt: at }],
  ['any field values', { eventId: 'e9', type: 'record.updated', occurredAt: at, record: { ...record, fields: { a: null, b: [1, { c: true }], d: 1.5 } } }],
];

const invalid: Array<[string, unknown, string]> = [
  ['not an object', [], ''],
  ['no type', { eventId: 'e1', occurredAt: at, record }, 'type'],
  ['unknown type', { eventId: 'e1', type: 'record.moved', occurredAt: at, record }, 'type'],
  ['bad event id', { eventId: 'has space', type: 'record.updated', occurredAt: at, record }, 'eventId'],
  ['long event id', { eventId: 'x'.repeat(101), type: 'record.updated', occurredAt: at, record }, 'eventId'],
  ['date without offset', { eventId: 'e1', type: 'record.updated', occurredAt: '2026-11-22T07:02:00', record }, 'occurredAt'],
  ['month 13', { eventId: 'e1', type: 'record.updated', occurredAt: '2026-13-22T07:02:00Z', record }, 'occurredAt'],
  ['created without url', { eventId: 'e1', type: 'record.created', occurredAt: at, record: { module: 'incidents', id: 'a', fields: {} } }, 'record.url'],
  ['created without fields', { eventId: 'e1', type: 'record.created', occurredAt: at, record: { module: 'incidents', id: 'a', url: 'https://x.example' } }, 'record.fields'],
  ['javascript url', { eventId: 'e1', type: 'record.created', occurredAt: at, record: { ...record, url: 'javascript:alert(1)' } }, 'record.url'],
  ['fields not an object', { eventId: 'e1', type: 'record.updated', occurredAt: at, record: { ...record, fields: [] } }, 'record.fields'],
  ['too many fields', { eventId: 'e1', type: 'record.updated', occurredAt: at, record: { ...record, fields: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, i])) } }, 'record.fields'],
  ['extra key', { eventId: 'e1', type: 'record.updated', occurredAt: at, record, extra: 1 }, ''],
  ['extra record key', { eventId: 'e1', type: 'record.updated', occurredAt: at, record: { ...record, owner: 'x' } }, 'record'],
  ['module with slash', { eventId: 'e1', type: 'record.updated', occurredAt: at, record: { ...record, module: 'a/b' } }, 'record.module'],
  ['comment without body', { eventId: 'e1', type: 'comment.created', occurredAt: at, record, comment: { id: 'n1' } }, 'comment.body'],
  ['comment missing', { eventId: 'e1', type: 'comment.created', occurredAt: at, record }, 'comment'],
  ['comment too long', { eventId: 'e1', type: 'comment.created', occurredAt: at, record, comment: { id: 'n1', body: 'x'.repeat(32768) } }, 'comment.body'],
  ['sync without key', { eventId: 'e1', type: 'sync.requested', occurredAt: at }, 'jiraIssueKey'],
  ['bad issue key', { eventId: 'e1', type: 'sync.requested', occurredAt: at, jiraIssueKey: 'ops-1' }, 'jiraIssueKey'],
  ['ping with a record', { eventId: 'e1', type: 'ping', occurredAt: at, record }, ''],
  ['comment on record.updated', { eventId: 'e1', type: 'record.updated', occurredAt: at, record, comment }, ''],
];

test('valid samples pass both the zod schema and the JSON Schema', () => {
  for (const [name, sample] of valid) {
    const parsed = parseInboundEvent(sample);
    assert.ok(parsed.ok, `${name}: zod refused ${JSON.stringify(parsed.ok ? '' : parsed.problem)}`);
    assert.ok(validate(sample), `${name}: JSON Schema refused ${JSON.stringify(validate.errors)}`);
  }
});

test('invalid samples fail both, and zod names the path', () => {
  for (const [name, sample, path] of invalid) {
    const parsed = parseInboundEvent(sample);
    assert.ok(!parsed.ok, `${name}: zod accepted it`);
    assert.equal(parsed.problem.path, path, `${name}: ${parsed.problem.message}`);
    assert.ok(parsed.problem.message.length > 0);
    assert.equal(validate(sample), false, `${name}: JSON Schema accepted it`);
  }
});

test('nesting too deep and __proto__ keys are refused before the schema', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 40; i++) deep = { a: deep };
  assert.match(checkJsonShape(deep)?.message ?? '', /deeper than 32/);
  let deepArray: unknown = 1;
  for (let i = 0; i < 100_000; i++) deepArray = [deepArray];
  assert.ok(checkJsonShape(deepArray));
  const proto = JSON.parse('{"record":{"fields":{"__proto__":{"x":1}}}}') as unknown;
  assert.deepEqual(checkJsonShape(proto), { path: 'record.fields.__proto__', message: 'The key __proto__ is not allowed' });
});

test('the keys read ahead come from a body only in the form the schema allows them', () => {
  assert.deepEqual(peekEventKeys({ eventId: 'e-1', type: 'record.updated', record: { module: 'incidents', id: 'inc1', fields: {} } }), { eventId: 'e-1', record: { module: 'incidents', id: 'inc1' } });
  assert.deepEqual(peekEventKeys({ eventId: 'e-1', type: 'ping' }), { eventId: 'e-1' });
  assert.deepEqual(peekEventKeys({ eventId: 'e-1', record: { module: 'incidents', id: 'x'.repeat(81) } }), { eventId: 'e-1' }, 'a record id too long for a key names no record');
  assert.equal(peekEventKeys({ eventId: 'e/1' }), undefined);
  assert.equal(peekEventKeys({ eventId: 'x'.repeat(101) }), undefined);
  assert.equal(peekEventKeys([1, 2]), undefined);
  assert.equal(peekEventKeys('e-1'), undefined);
});
