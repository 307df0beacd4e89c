// What happened: the failures first (retrying ones with their next try, kept ones; retry one, retry
// all, discard), then the activity log, newest first, filtered by connection and issue key, a page at
// a time. Both refresh themselves while the tab is open.
import { useCallback, useEffect, useState } from 'react';
import SectionMessage from '@atlaskit/section-message';
import Spinner from '@atlaskit/spinner';
import { Inline, Stack, Text, Box, xcss } from '@atlaskit/primitives';
import type { ActivityEntry, FailureEntry, RefusedCalls } from '../../../../src/contract/admin';
import { call } from '../api';
import { formatDate, useAdmin } from '../admin-state';
import { SweepCard } from './SweepCard';
import { Button, Card, Lozenge, SelectField, TextField, flag, Cell, HeadCell, Table, CardTitle } from '../ui';

const connectionFilterStyles = xcss({ minWidth: '220px' });
const keyFilterStyles = xcss({ minWidth: '180px' });

const OUTCOME: Record<ActivityEntry['outcome'], 'success' | 'default' | 'moved' | 'removed' | 'inprogress'> = {
  synced: 'success',
  skipped: 'default',
  conflict: 'moved',
  failed: 'removed',
  retrying: 'inprogress',
};

/** How often the open tab looks for new failures. */
const REFRESH_MS = 4000;

function stateOf(f: FailureEntry): { label: string; appearance: 'inprogress' | 'removed' } {
  if (f.state === 'failed') return { label: 'Failed', appearance: 'removed' };
  return { label: 'Retrying', appearance: 'inprogress' };
}

export function ActivityTab() {
  const admin = useAdmin();
  const [connectionId, setConnectionId] = useState('');
  const [issueKey, setIssueKey] = useState('');
  const [applied, setApplied] = useState({ connectionId: '', issueKey: '' });
  const [entries, setEntries] = useState<ActivityEntry[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [failures, setFailures] = useState<FailureEntry[]>();
  const [refused, setRefused] = useState<{ calls: RefusedCalls[]; last24h: number }>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  const [acting, setActing] = useState<string>();
  const names = new Map(admin.saved.config.connections.map((c) => [c.id, c.name]));

  const loadFailures = useCallback(async () => {
    const filter = applied.connectionId ? { connectionId: applied.connectionId } : {};
    const [answer, refusals] = await Promise.all([call('getFailures', filter), call('getRefusedCalls', filter)]);
    if (answer.ok) setFailures(answer.failures);
    else setError(answer.error.message);
    if (refusals.ok) setRefused({ calls: refusals.calls, last24h: refusals.last24h });
  }, [applied.connectionId]);

  const loadPage = useCallback(
    async (from?: string) => {
      setLoading(true);
      try {
        const answer = await call('getActivity', {
          limit: 25,
          ...(applied.connectionId ? { connectionId: applied.connectionId } : {}),
          ...(applied.issueKey ? { issueKey: applied.issueKey } : {}),
          ...(from ? { cursor: from } : {}),
        });
        if (!answer.ok) return setError(answer.error.message);
        setError(undefined);
        setEntries((current) => (from ? [...current, ...answer.entries] : answer.entries));
        setCursor(answer.cursor);
      } finally {
        setLoading(false);
      }
    },
    [applied],
  );

  const refresh = useCallback(() => {
    void loadFailures();
    void loadPage();
  }, [loadFailures, loadPage]);

  useEffect(refresh, [refresh]);

  // Deliveries fail, retry and go through while the page is open: the failures show it within seconds.
  useEffect(() => {
    const timer = setInterval(() => void loadFailures(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [loadFailures]);

  const retry = async (id: string | undefined) => {
    setActing(id ?? 'all');
    try {
      const answer = id ? await call('retryFailure', { id }) : await call('retryAllFailures', applied.connectionId ? { connectionId: applied.connectionId } : {});
      if (!answer.ok) {
        flag('error', 'Not retried', answer.error.message);
      } else {
        flag(answer.retried > 0 ? 'success' : 'warning', answer.retried === 1 ? 'Retry queued' : `${answer.retried} retries queued`, answer.skipped.join(' ') || 'The result shows here in a moment.');
      }
      await loadFailures();
    } finally {
      setActing(undefined);
    }
  };

  const discard = async (id: string) => {
    setActing(id);
    try {
      const answer = await call('discardFailure', { id });
      if (!answer.ok) flag('error', 'Not discarded', answer.error.message);
      else flag('success', 'Failure discarded');
      await loadFailures();
    } finally {
      setActing(undefined);
    }
  };

  const waiting = failures?.filter((f) => f.state === 'failed').length ?? 0;
  return (
    <Stack space="space.200">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ connectionId, issueKey: issueKey.trim() });
        }}
      >
        <Inline space="space.150" alignBlock="end" shouldWrap>
          <Box xcss={connectionFilterStyles}>
            <SelectField
              label="Connection"
              value={connectionId}
              options={[{ value: '', label: 'All connections' }, ...admin.saved.config.connections.map((c) => ({ value: c.id, label: c.name }))]}
              onChange={(v) => {
                setConnectionId(v);
                setApplied((a) => ({ ...a, connectionId: v }));
              }}
            />
          </Box>
          <Box xcss={keyFilterStyles}>
            <TextField label="Issue key" value={issueKey} onChange={setIssueKey} placeholder="OPS-123" testId="activity-issue-key" />
          </Box>
          <Button type="submit">Filter</Button>
          <Button appearance="subtle" onClick={refresh} testId="activity-refresh">
            Refresh
          </Button>
        </Inline>
      </form>
      {error && (
        <SectionMessage headingLevel="h3" appearance="error" title="The activity could not be loaded">
          <Text as="p">{error} Press Refresh to try again.</Text>
        </SectionMessage>
      )}
      <Card label="Failures" testId="failures">
        <Inline spread="space-between" alignBlock="center">
          <CardTitle>Failures</CardTitle>
          {waiting > 1 && (
            <Button onClick={() => void retry(undefined)} isLoading={acting === 'all'}>
              Retry all ({waiting})
            </Button>
          )}
        </Inline>
        {failures === undefined && <Spinner label="Loading failures" />}
        {failures?.length === 0 && (
          <Text as="p">Nothing failed. A delivery that fails shows here at once while Tandem retries it, and stays here if every retry fails.</Text>
        )}
        {failures && failures.length > 0 && (
          <Table>
            <thead>
              <tr>
                {['Issue', 'Connection', 'What failed', 'Attempts', 'State', ''].map((h) => (
                  <HeadCell key={h}>
                    {h}
                  </HeadCell>
                ))}
              </tr>
            </thead>
            <tbody>
              {failures.map((f) => (
                <tr key={f.id} data-testid="failure-row">
                  <Cell whole>{f.subject.issueKey}</Cell>
                  <Cell>{names.get(f.connectionId) ?? f.connectionId}</Cell>
                  <Cell>
                    <Stack space="space.050">
                      <Text weight="medium">{f.operation}</Text>
                      <Text>{f.explanation}</Text>
                      {f.toolMessage && <Text color="color.text.subtle">The tool said: {f.toolMessage}</Text>}
                      <Text size="small" color="color.text.subtlest">
                        Last tried {formatDate(f.lastAt, 'second')}
                      </Text>
                    </Stack>
                  </Cell>
                  <Cell>{f.attempts}</Cell>
                  <Cell>
                    <Stack space="space.050">
                      <span data-testid="failure-state">
                        <Lozenge appearance={stateOf(f).appearance}>{stateOf(f).label}</Lozenge>
                      </span>
                      {f.nextAttemptAt && (
                        <Text size="small" color="color.text.subtle">
                          Next try {formatDate(f.nextAttemptAt, 'second')}
                        </Text>
                      )}
                      {!f.nextAttemptAt && f.retryRequestedAt && (
                        <Text size="small" color="color.text.subtle">
                          Retry asked {formatDate(f.retryRequestedAt)}
                        </Text>
                      )}
                    </Stack>
                  </Cell>
                  <Cell>
                    <Inline space="space.050">
                      <Button
                        onClick={() => void retry(f.id)}
                        isLoading={acting === f.id}
                        isDisabled={f.state === 'retrying' && !f.nextAttemptAt}
                        aria-label={`${f.nextAttemptAt ? 'Retry now' : 'Retry'} ${f.subject.issueKey}`}
                      >
                        {f.nextAttemptAt ? 'Retry now' : 'Retry'}
                      </Button>
                      <Button appearance="subtle" onClick={() => void discard(f.id)} isDisabled={acting === f.id} aria-label={`Discard the failure of ${f.subject.issueKey}`}>
                        Discard
                      </Button>
                    </Inline>
                  </Cell>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
      <RefusedCallsCard refused={refused} names={names} />
      <SweepCard names={names} />
      <Card label="Activity log" testId="activity">
        <CardTitle>Activity</CardTitle>
        {entries.length === 0 && !loading && (
          <Text as="p">{applied.issueKey || applied.connectionId ? 'Nothing matches this filter.' : 'Nothing has synced yet. Create or change an issue in a mapped project and it shows here.'}</Text>
        )}
        {entries.length > 0 && (
          <Table>
            <thead>
              <tr>
                {['When', 'Connection', 'Direction', 'Outcome', 'Issue', 'What happened'].map((h) => (
                  <HeadCell key={h}>
                    {h}
                  </HeadCell>
                ))}
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id} data-testid="activity-row">
                  <Cell minWidth="narrow">{formatDate(entry.at)}</Cell>
                  <Cell>{names.get(entry.connectionId) ?? entry.connectionId}</Cell>
                  <Cell>{entry.direction === 'outbound' ? 'Jira → tool' : 'Tool → Jira'}</Cell>
                  <Cell>
                    <Lozenge appearance={OUTCOME[entry.outcome]}>{entry.outcome}</Lozenge>
                  </Cell>
                  <Cell whole>{entry.issueKey ?? ''}</Cell>
                  <Cell>
                    <Stack space="space.050">
                      <Text>{entry.summary}</Text>
                      {entry.details.map((d, i) => (
                        <Text key={i} size="small" color="color.text.subtle">
                          {d}
                        </Text>
                      ))}
                    </Stack>
                  </Cell>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {loading && <Spinner label="Loading activity" />}
        {cursor && !loading && (
          <Inline>
            <Button onClick={() => void loadPage(cursor)}>Show older</Button>
          </Inline>
        )}
      </Card>
    </Stack>
  );
}

/** Calls the inbound URL refused, an hour a row: how many, why, when; never what the caller sent. */
function RefusedCallsCard(props: { refused: { calls: RefusedCalls[]; last24h: number } | undefined; names: Map<string, string> }) {
  const { refused, names } = props;
  return (
    <Card label="Refused calls" testId="refused-calls">
      <CardTitle>Refused calls</CardTitle>
      {refused === undefined && <Spinner label="Loading refused calls" />}
      {refused && (
        <Text as="p" color="color.text.subtle" testId="refused-calls-summary">
          {refused.last24h === 0
            ? 'No call to the inbound URL was refused in the last 24 hours.'
            : `${refused.last24h} ${refused.last24h === 1 ? 'call' : 'calls'} to the inbound URL refused in the last 24 hours.`}{' '}
          Tandem keeps the reason and the time of each, never what the caller sent.
        </Text>
      )}
      {refused && refused.calls.length > 0 && (
        <Table>
          <thead>
            <tr>
              {['When', 'Connection', 'Calls', 'Why'].map((h) => (
                <HeadCell key={h}>
                  {h}
                </HeadCell>
              ))}
            </tr>
          </thead>
          <tbody>
            {refused.calls.map((c) => (
              <tr key={c.id} data-testid="refused-row">
                <Cell minWidth="narrow">
                  {c.count === 1 ? formatDate(c.lastAt, 'second') : `${formatDate(c.firstAt, 'second')} – ${formatDate(c.lastAt, 'second')}`}
                </Cell>
                <Cell>
                  {c.connectionId ? (names.get(c.connectionId) ?? c.connectionId) : c.namedConnection ? `No connection “${c.namedConnection}”` : 'No connection named'}
                </Cell>
                <Cell>{c.capped ? `${c.count} or more` : c.count}</Cell>
                <Cell>
                  <Stack space="space.050">
                    {c.reasons.map((r) => (
                      <Text key={r.reason}>
                        {r.reason}
                        {c.reasons.length > 1 || r.count > 1 ? ` (${r.count})` : ''}
                      </Text>
                    ))}
                  </Stack>
                </Cell>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}
