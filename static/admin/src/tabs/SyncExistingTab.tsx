// Sync existing for one connection: choose what to bring to the tool, see the dry run before
// anything is written, start it, and watch its progress (it runs in the background; leaving the page
// changes nothing). Pause, resume and cancel.
import { useCallback, useEffect, useState } from 'react';
import SectionMessage from '@atlaskit/section-message';
import { Inline, Stack, Text } from '@atlaskit/primitives';
import type { BulkClassName, BulkJobView, BulkMatchRule, BulkPreview, BulkScope } from '../../../../src/contract/admin';
import { call } from '../api';
import { useAdmin } from '../admin-state';
import { Button, Card, SelectField, TextField, Cell, HeadCell, Table } from '../ui';
import { ConnectionPicker, NoConnection } from './common';

const CLASSES: ReadonlyArray<{ id: BulkClassName; label: string }> = [
  { id: 'create', label: 'Created on the other side' },
  { id: 'link', label: 'Linked to a counterpart already there' },
  { id: 'update', label: 'Updated through their link' },
  { id: 'skip', label: 'Skipped' },
];

function duration(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 360) / 10} h`;
}

export function SyncExistingTab(props: { connectionId: string | undefined; onSelectConnection: (id: string) => void; onAdd: () => void }) {
  const admin = useAdmin();
  const connection = admin.saved.config.connections.find((c) => c.id === props.connectionId);
  const mappings = connection?.projects.filter((p) => p.direction !== 'tool-to-jira') ?? [];
  const [kind, setKind] = useState<'open' | 'all' | 'jql' | 'records'>('open');
  const modules = [...new Set(connection?.projects.filter((p) => p.direction !== 'jira-to-tool').map((p) => p.module) ?? [])];
  const [module, setModule] = useState('');
  const [since, setSince] = useState('');
  const [mapping, setMapping] = useState('0');
  const [jql, setJql] = useState('');
  const [matchRule, setMatchRule] = useState<BulkMatchRule>('reference');
  const [preview, setPreview] = useState<BulkPreview>();
  const [job, setJob] = useState<BulkJobView>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [issueKey, setIssueKey] = useState('');
  const [oneSent, setOneSent] = useState<string>();

  const chosen = mappings[Number(mapping)];
  const chosenModule = module || modules[0];
  const scope: BulkScope | undefined =
    kind === 'records'
      ? chosenModule
        ? { kind: 'records', module: chosenModule, ...(since.trim() ? { updatedSince: since.trim() } : {}) }
        : undefined
      : kind === 'jql'
        ? jql.trim()
          ? { kind: 'jql', jql }
          : undefined
        : chosen
          ? { kind, projectKey: chosen.projectKey, issueType: chosen.issueType }
          : undefined;

  const load = useCallback(async () => {
    if (!props.connectionId) return;
    const answer = await call('getBulkSync', { connectionId: props.connectionId });
    if (answer.ok) setJob(answer.job);
  }, [props.connectionId]);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    // Progress while the job runs: it goes on whether or not the page is open.
    if (job?.status !== 'running') return;
    const timer = setInterval(() => void load(), 3000);
    return () => clearInterval(timer);
  }, [job?.status, load]);

  if (admin.saved.config.connections.length === 0) return <NoConnection onAdd={props.onAdd} what="Syncs of existing issues" />;
  if (!connection) return <ConnectionPicker connectionId={props.connectionId} onSelect={props.onSelectConnection} />;

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } finally {
      setBusy(false);
    }
  };
  const dryRun = () =>
    run(async () => {
      if (!scope) return;
      const answer = await call('previewBulkSync', { connectionId: connection.id, scope, matchRule });
      if (answer.ok) setPreview(answer.preview);
      else setError(answer.error.message);
    });
  const start = () =>
    run(async () => {
      if (!scope || !preview) return;
      const total = preview.counts.create + preview.counts.link + preview.counts.update + preview.counts.skip;
      const answer = await call('startBulkSync', { connectionId: connection.id, scope, matchRule, total });
      if (answer.ok) {
        setJob(answer.job);
        setPreview(undefined);
      } else setError(answer.error.message);
    });
  const control = (action: 'pauseBulkSync' | 'resumeBulkSync' | 'cancelBulkSync') =>
    run(async () => {
      const answer = await call(action, { connectionId: connection.id });
      if (answer.ok) setJob(answer.job);
      else setError(answer.error.message);
      await load();
    });
  const syncOne = () =>
    run(async () => {
      setOneSent(undefined);
      const answer = await call('syncIssueNow', { connectionId: connection.id, issueKey });
      if (answer.ok) setOneSent(answer.message);
      else setError(answer.error.message);
    });
  const active = job?.status === 'running' || job?.status === 'paused';

  return (
    <Stack space="space.200">
      <ConnectionPicker connectionId={props.connectionId} onSelect={props.onSelectConnection} />
      <Text>Bring the issues that existed before this connection to {connection.name}. A dry run shows what would happen before anything is written.</Text>
      {error && (
        <SectionMessage appearance="error" title="Not started" headingLevel="h3">
          <Text as="p">{error}</Text>
        </SectionMessage>
      )}
      <Card label="One issue">
        <Stack space="space.100">
          <TextField label="Issue key" value={issueKey} onChange={setIssueKey} placeholder="OPS-12" testId="sync-now-key" hint="Sends this issue to the tool now; a record that names it is linked, not duplicated." />
          <Inline space="space.100" alignBlock="center">
            <Button onClick={() => void syncOne()} isDisabled={busy || issueKey.trim() === ''} testId="sync-now">Sync now</Button>
            {oneSent && <Text testId="sync-now-result">{oneSent}</Text>}
          </Inline>
        </Stack>
      </Card>
      {!active && (
        <Card label="What to sync">
          <Stack space="space.150">
            <SelectField
              label="Issues"
              value={kind}
              options={[
                { value: 'open', label: "A project mapping's open issues" },
                { value: 'all', label: "All of a project mapping's issues" },
                { value: 'jql', label: 'The issues a JQL query finds' },
                { value: 'records', label: "A module's records, into Jira" },
              ]}
              onChange={(v) => {
                setKind(v as 'open' | 'all' | 'jql' | 'records');
                setPreview(undefined);
              }}
              testId="bulk-kind"
            />
            {kind === 'records' ? (
              <>
                <SelectField label="Module" value={chosenModule ?? ''} options={modules.map((m) => ({ value: m, label: m }))} onChange={(v) => { setModule(v); setPreview(undefined); }} testId="bulk-module" />
                <TextField label="Changed since (optional)" value={since} onChange={(v) => { setSince(v); setPreview(undefined); }} placeholder="2026-01-01T00:00:00Z" testId="bulk-since" />
              </>
            ) : kind === 'jql' ? (
              <TextField label="JQL" value={jql} onChange={(v) => { setJql(v); setPreview(undefined); }} placeholder="project = OPS AND created < 2026-01-01" testId="bulk-jql" hint="Jira checks the query when you run the dry run." />
            ) : (
              <SelectField
                label="Project mapping"
                value={mapping}
                options={mappings.map((p, i) => ({ value: String(i), label: `${p.projectKey} · ${p.issueType === '*' ? 'any type' : p.issueType} → ${p.module}` }))}
                onChange={(v) => { setMapping(v); setPreview(undefined); }}
                testId="bulk-mapping"
              />
            )}
            <SelectField
              label="Records already in the tool"
              value={matchRule}
              options={[
                { value: 'reference', label: 'Link a record that names the issue key' },
                { value: 'summary-and-day', label: 'Also link a record with the same summary, made the same day' },
              ]}
              onChange={(v) => { setMatchRule(v as BulkMatchRule); setPreview(undefined); }}
              testId="bulk-match"
            />
            <Inline space="space.100">
              <Button onClick={() => void dryRun()} isDisabled={busy || !scope} testId="bulk-dry-run">Dry run</Button>
              <Button appearance="primary" onClick={() => void start()} isDisabled={busy || !preview} testId="bulk-start">Start sync</Button>
            </Inline>
          </Stack>
        </Card>
      )}
      {preview && !active && (
        <Card label="Dry run" testId="bulk-preview">
          <Stack space="space.100">
            <Table>
              <thead>
                <tr><HeadCell>Items</HeadCell><HeadCell>How many</HeadCell><HeadCell>For example</HeadCell></tr>
              </thead>
              <tbody>
                {CLASSES.map((c) => (
                  <tr key={c.id} data-testid={`bulk-count-${c.id}`}>
                    <Cell>{c.label}</Cell>
                    <Cell>{preview.counts[c.id]}</Cell>
                    <Cell>{preview.samples[c.id].map((s) => (s.detail ? `${s.issueKey} (${s.detail})` : s.issueKey)).join(', ')}</Cell>
                  </tr>
                ))}
              </tbody>
            </Table>
            <Text>
              About {preview.jiraRequests} Jira requests and {preview.points} rate-limit points; about {duration(preview.estimatedSeconds)} at {preview.budgetPointsPerHour} points an hour.
            </Text>
          </Stack>
        </Card>
      )}
      {job && (
        <Card label="Progress" testId="bulk-job">
          <Stack space="space.100">
            <Text weight="bold" testId="bulk-status">
              {job.status === 'done' ? (job.counts.failed > 0 ? `Done with ${job.counts.failed} failures` : 'Done') : job.status === 'running' ? 'Running' : job.status === 'paused' ? 'Paused' : job.status === 'cancelled' ? 'Cancelled' : `Failed${job.note ? `: ${job.note}` : ''}`}
            </Text>
            <Text testId="bulk-progress">
              {job.counts.done}{job.total === undefined ? '' : ` of ${job.total}`} done: {job.counts.created} created, {job.counts.linked} linked, {job.counts.updated} updated, {job.counts.skipped} skipped, {job.counts.failed} failed
              {job.remaining === undefined ? '' : `; ${job.remaining} remaining`}
              {job.rate === undefined ? '' : `; ${job.rate} a minute`}
              {job.etaSeconds === undefined ? '' : `; about ${duration(job.etaSeconds)} left`}
            </Text>
            {job.note && job.status === 'running' && <Text size="small">{job.note}</Text>}
            {active && (
              <Inline space="space.100">
                {job.status === 'running' ? (
                  <Button onClick={() => void control('pauseBulkSync')} isDisabled={busy} testId="bulk-pause">Pause</Button>
                ) : (
                  <Button onClick={() => void control('resumeBulkSync')} isDisabled={busy} testId="bulk-resume">Resume</Button>
                )}
                <Button appearance="subtle" onClick={() => void control('cancelBulkSync')} isDisabled={busy} testId="bulk-cancel">Cancel</Button>
              </Inline>
            )}
          </Stack>
        </Card>
      )}
    </Stack>
  );
}
