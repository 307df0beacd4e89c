// The sandbox's home: where everything is, and Tandem's activity log as it happens (the page polls
// /__sandbox/activity, which reads the log through the admin resolver as the demo admin).
import { escapeHtml } from '../external/html';
import type { SandboxInfo } from './sandbox';

const STYLE = `body{font:14px/1.5 system-ui,sans-serif;margin:0;color:#172b4d}header{background:#0052cc;color:#fff;padding:10px 24px}
header a{color:#fff;margin-right:16px}main{padding:16px 24px;max-width:1100px}code{background:#f4f5f7;padding:1px 4px;border-radius:3px}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #dfe1e6;padding:6px 8px;text-align:left;vertical-align:top}
.synced{color:#006644}.failed{color:#bf2600}.retrying,.conflict{color:#974f0c}.skipped{color:#6b778c}.muted{color:#6b778c}
.grid{display:grid;grid-template-columns:3fr 2fr;gap:24px}`;

export function homePage(info: SandboxInfo): string {
  const row = (label: string, value: string): string => `<tr><th scope="row">${escapeHtml(label)}</th><td><code>${escapeHtml(value)}</code></td></tr>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tandem sandbox</title><style>${STYLE}</style></head>
<body><header><a href="/">Tandem sandbox</a><a href="/jira">Jira issues</a><a href="/itsm">StackFlow</a><a href="/admin">Tandem admin</a></header>
<main>
<h1>Tandem sandbox</h1>
<p>Tandem runs here on an emulated Forge platform, installed on a simulated Jira site, and is connected both ways to
StackFlow, a small ITSM, through the StackFlow preset. Create an OPS bug in <a href="/jira">Jira</a> and watch its incident
appear in <a href="/itsm">StackFlow</a>; change the incident there and watch the issue follow. The
<a href="/admin">admin page</a> is Tandem's real one, as Jira shows it to ${escapeHtml(info.demoAdmin.email)}.</p>
${info.existing > 0 ? `<p data-testid="existing">This sandbox started with ${info.existing} OPS bugs and ${Math.floor(info.existing / 2)} StackFlow incidents made before Tandem was connected, some incidents naming their bug. Try <strong>Sync existing</strong> on the <a href="/admin">admin page</a>: a dry run, then a sync with its progress.</p>` : ''}
<div class="grid"><section>
<h2>Activity</h2>
<p class="muted" id="activity-state">Loading…</p>
<table><thead><tr><th>When</th><th>Way</th><th>Outcome</th><th>What</th></tr></thead><tbody id="activity"></tbody></table>
</section><section>
<h2>For tools and scripts</h2>
<table>
${row('Jira REST', `${info.jiraBaseUrl}/rest/api/3/`)}
${row('Jira auth', 'Basic <email>:<any token>, or none for the demo admin')}
${row('StackFlow API', `${info.itsmBaseUrl}/api/`)}
${row('StackFlow token', `Bearer ${info.itsmToken}`)}
${row('Web trigger (StackFlow connection)', info.webTriggerUrl)}
${row('Everything as JSON', `${info.baseUrl}/__sandbox/info`)}
</table>
<p class="muted">The inbound secret StackFlow signs with is in <a href="/__sandbox/info">/__sandbox/info</a>.</p>
</section></div>
</main>
<script>
const when = (iso) => new Date(iso).toLocaleTimeString();
const cell = (text, cls) => { const td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; return td; };
async function refresh() {
  const state = document.getElementById('activity-state');
  try {
    const answer = await fetch('/__sandbox/activity', { cache: 'no-store' });
    const { entries } = await answer.json();
    const body = document.getElementById('activity');
    body.replaceChildren(...entries.map((e) => {
      const tr = document.createElement('tr');
      tr.dataset.outcome = e.outcome;
      tr.append(cell(when(e.at)), cell(e.direction === 'outbound' ? 'Jira → ' + e.tool : e.tool + ' → Jira'), cell(e.outcome, e.outcome),
        cell([e.issueKey, e.summary, ...(e.details || [])].filter(Boolean).join(' · ')));
      return tr;
    }));
    state.textContent = entries.length === 0 ? 'Nothing synced yet. Create an OPS bug in Jira.' : 'Updates every two seconds.';
  } catch (error) {
    state.textContent = 'The sandbox is not answering; is it still running?';
  }
}
refresh();
setInterval(refresh, 2000);
</script>
</body></html>`;
}
