// What the inbound URL answers is a contract tools code against (docs/inbound-api.md): each reason
// code and outcome Tandem can answer is documented under the HTTP status Tandem sends with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANSWER_STATUS, answer, refusal, type Outcome, type RefusalCode } from '../../src/sync/inbound-request';

const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'inbound-api.md'), 'utf8');
/** The rows of the status table: `| 404 | when | examples |`. */
const rows = [...doc.matchAll(/^\| (\d{3}) \|(.*)$/gm)].map((m) => ({ status: Number(m[1]), text: m[2] ?? '' }));
const mentions = (text: string, code: string) => text.includes(`\`${code}\``) || text.includes(`"error":"${code}"`) || text.includes(`"status":"${code}"`);
const codes = Object.keys(ANSWER_STATUS) as (keyof typeof ANSWER_STATUS)[];

test('every answer Tandem gives is documented under the status it is sent with, and under no other', () => {
  assert.ok(rows.length > 10);
  for (const code of codes) {
    const documented = [...new Set(rows.filter((r) => mentions(r.text, code)).map((r) => r.status))];
    assert.deepEqual(documented, [ANSWER_STATUS[code]], `${code} is answered with ${ANSWER_STATUS[code]} but documented under ${documented.join(', ') || 'no status'}`);
  }
});

test('a refusal names its reason code and never a status of its own; an accepted event names its outcome', () => {
  const refused = refusal('already_linked' satisfies RefusalCode, 'OPS-12 is already linked', 'record.jiraIssueKey');
  assert.deepEqual(refused, { status: 409, body: { error: 'already_linked', message: 'OPS-12 is already linked', path: 'record.jiraIssueKey' } });
  assert.deepEqual(answer('queued' satisfies Outcome, { eventId: 'e1' }), { status: 202, body: { status: 'queued', eventId: 'e1' } });
  for (const code of codes) {
    const status = ANSWER_STATUS[code];
    assert.ok(status === 200 || status === 202 || status >= 400, `${code}: ${status}`);
  }
});
