// The last reconciliation sweep of each connection: when it ran, what it compared, how many pairs
// differed and were queued, and whether it finished or goes on at the next run.
import { useEffect, useState } from 'react';
import Spinner from '@atlaskit/spinner';
import { Text } from '@atlaskit/primitives';
import type { SweepView } from '../../../../src/contract/admin';
import { call } from '../api';
import { formatDate } from '../admin-state';
import { Card, Cell, HeadCell, Table, CardTitle } from '../ui';

export function SweepCard(props: { names: Map<string, string> }) {
  const [sweeps, setSweeps] = useState<SweepView[] | { failed: string }>();
  useEffect(() => {
    void call('getSweeps').then((answer) => setSweeps(answer.ok ? answer.sweeps : { failed: answer.error.message }));
  }, []);
  return (
    <Card label="Last sweep" testId="sweeps">
      <CardTitle>Last sweep</CardTitle>
      <Text as="p" color="color.text.subtle">
        Tandem compares what changed since the last sweep on both sides and sends only what events missed: hourly, or as often as a connection asks.
      </Text>
      {sweeps === undefined && <Spinner label="Loading the last sweeps" />}
      {sweeps && 'failed' in sweeps && <Text as="p">{sweeps.failed}</Text>}
      {Array.isArray(sweeps) && sweeps.length === 0 && <Text as="p">No sweep has run yet.</Text>}
      {Array.isArray(sweeps) && sweeps.length > 0 && (
        <Table>
          <thead>
            <tr>
              {['Connection', 'Started', 'Compared', 'Sent', 'State'].map((h) => (
                <HeadCell key={h}>
                  {h}
                </HeadCell>
              ))}
            </tr>
          </thead>
          <tbody>
            {sweeps.map((s) => (
              <tr key={s.connectionId} data-testid="sweep-row">
                <Cell>{props.names.get(s.connectionId) ?? s.connectionId}</Cell>
                <Cell minWidth="narrow">{formatDate(s.startedAt, 'second')}</Cell>
                <Cell>
                  {s.issuesCompared} {s.issuesCompared === 1 ? 'issue' : 'issues'}, {s.recordsCompared} {s.recordsCompared === 1 ? 'record' : 'records'}
                </Cell>
                <Cell>{s.queued === 0 ? 'Nothing: all in line' : `${s.queued} that differed`}</Cell>
                <Cell>
                  {s.finished ? `Finished ${s.finishedAt ? formatDate(s.finishedAt, 'second') : ''}` : 'Goes on at the next run'}
                  {s.note ? ` · ${s.note}` : ''}
                </Cell>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}
