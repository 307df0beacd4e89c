// CPU cost of the outbound path's pure part on one core: planning a change against the shadow,
// with the field transforms and ADF → Markdown conversion it involves.
import { findPreset, planOutbound, type IssueSnapshot, type Shadow } from '../src/mapping';

function description(i: number): unknown {
  return {
    type: 'doc',
    version: 1,
    content: [
      { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: `Incident ${i}` }] },
      { type: 'paragraph', content: [{ type: 'text', text: 'Checkout fails for ' }, { type: 'text', text: 'some', marks: [{ type: 'strong' }] }, { type: 'text', text: ' users after deploy.' }] },
      { type: 'bulletList', content: [1, 2, 3].map((n) => ({ type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: `Step ${n}: see https://status.example.com/${i}` }] }] })) },
      { type: 'codeBlock', attrs: { language: 'text' }, content: [{ type: 'text', text: 'HTTP 500 /api/checkout\nat handler.ts:42' }] },
    ],
  };
}

function issue(i: number, summary: string): IssueSnapshot {
  return {
    id: String(10000 + i),
    key: `OPS-${i}`,
    fields: {
      summary,
      description: description(i),
      priority: { name: ['Highest', 'High', 'Medium', 'Low'][i % 4] },
      assignee: { accountId: `user-${i % 50}`, emailAddress: `user${i % 50}@example.com` },
      labels: ['checkout', 'stackflow-sync'],
      project: { key: 'OPS' },
      issuetype: { name: 'Bug' },
      updated: '2026-11-22T08:00:00.000+0000',
    },
    status: { name: 'In Progress', categoryKey: 'indeterminate' },
  };
}

export function outboundCpuReport(events = 10_000): string[] {
  const preset = findPreset('stackflow-itsm');
  if (!preset) return ['outbound planning: the StackFlow preset is missing'];
  const connection = preset.build({ name: 'StackFlow', baseUrl: 'https://stackflow.example.com' });
  const projectMapping = connection.projects[0];
  if (!projectMapping) return ['outbound planning: the preset has no project mapping'];
  const emailOf = () => undefined;
  const issues = Array.from({ length: events }, (_, i) => issue(i, `Checkout fails ${i}`));
  const edited = issues.map((it, i) => ({ ...it, fields: { ...it.fields, summary: `Checkout fails ${i} (edited)` } }));

  const measure = (label: string, run: () => void): string => {
    run(); // warm up
    const started = process.hrtime.bigint();
    run();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return `  ${label.padEnd(44)} ${Math.round(events / seconds).toLocaleString('en-US').padStart(10)} events/s`;
  };
  const shadows: Shadow[] = [];
  const lines = [`outbound planning on one core (${events.toLocaleString('en-US')} events, aim ≥ 10,000/s):`];
  lines.push(
    measure('create (every field mapped, ADF → Markdown)', () => {
      shadows.length = 0;
      for (const it of issues) shadows.push(planOutbound({ connection, projectMapping, issue: it, shadow: undefined, emailOf }).shadowNext);
    }),
  );
  lines.push(
    measure('update (summary changed)', () => {
      for (let i = 0; i < edited.length; i += 1) planOutbound({ connection, projectMapping, issue: edited[i] as IssueSnapshot, shadow: shadows[i], emailOf });
    }),
  );
  lines.push(
    measure('echo (nothing changed)', () => {
      for (let i = 0; i < issues.length; i += 1) planOutbound({ connection, projectMapping, issue: issues[i] as IssueSnapshot, shadow: shadows[i], emailOf });
    }),
  );
  return lines;
}

if (require.main === module) console.log(outboundCpuReport().join('\n'));
