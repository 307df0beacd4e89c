// The table under a field mapping whose values are named differently on each side: a choice table
// (with the value each side takes for a choice missing from it), a team table, a checkbox's option.
import { Inline, Stack, Text } from '@atlaskit/primitives';
import type { FieldMapping } from '../../../../src/contract/admin';
import { Button, TextField, useRowKeys } from '../ui';

type Tabled = Extract<FieldMapping['transform'], { kind: 'option' | 'team' }>;

export function ValueTable(props: { row: number; transform: FieldMapping['transform']; onChange: (change: (t: FieldMapping['transform']) => void) => void }) {
  const { transform, row } = props;
  // Pairs can be removed: each keeps its own key, so the pairs after a removed one keep what is theirs.
  const pairKeys = useRowKeys(transform.kind === 'option' || transform.kind === 'team' ? transform.table.length : 0);
  if (transform.kind === 'checkbox') {
    return <TextField label={`Jira option that stands for true, row ${row + 1}`} value={transform.option} onChange={(v) => props.onChange((t) => t.kind === 'checkbox' && (t.option = v))} />;
  }
  if (transform.kind !== 'option' && transform.kind !== 'team') return null;
  const what = transform.kind === 'team' ? { tool: 'Tool team', jira: 'Atlassian team id' } : { tool: 'Tool value', jira: 'Jira choice' };
  const tEdit = (change: (t: Tabled) => void) => props.onChange((t) => (t.kind === 'option' || t.kind === 'team') && change(t));
  return (
    <Stack space="space.050">
      {transform.table.map((pair, i) => (
        <Inline key={pairKeys.keys[i]} space="space.050" alignBlock="end">
          <TextField hideLabel label={`${what.tool} ${i + 1}, row ${row + 1}`} placeholder={what.tool} value={pair.tool} onChange={(v) => tEdit((t) => t.table[i] && (t.table[i].tool = v))} />
          <Text>⇄</Text>
          <TextField hideLabel label={`${what.jira} ${i + 1}, row ${row + 1}`} placeholder={what.jira} value={pair.jira} onChange={(v) => tEdit((t) => t.table[i] && (t.table[i].jira = v))} />
          <Button appearance="subtle" onClick={() => {
              pairKeys.removed(i);
              tEdit((t) => t.table.splice(i, 1));
            }} aria-label={`Remove value ${i + 1}, row ${row + 1}`}>
            Remove
          </Button>
        </Inline>
      ))}
      <Inline>
        <Button onClick={() => tEdit((t) => t.table.push({ tool: '', jira: '' }))} aria-label={`Add value, row ${row + 1}`}>
          Add value
        </Button>
      </Inline>
      {transform.kind === 'option' && (
        <Inline space="space.100" shouldWrap>
          <TextField
            label={`Jira choice for any other tool value, row ${row + 1}`}
            value={transform.defaultJira ?? ''}
            placeholder="none: skipped"
            onChange={(v) => props.onChange((t) => t.kind === 'option' && (v.trim() === '' ? delete t.defaultJira : (t.defaultJira = v)))}
          />
          <TextField
            label={`Tool value for any other Jira choice, row ${row + 1}`}
            value={transform.defaultTool ?? ''}
            placeholder="none: skipped"
            onChange={(v) => props.onChange((t) => t.kind === 'option' && (v.trim() === '' ? delete t.defaultTool : (t.defaultTool = v)))}
          />
        </Inline>
      )}
    </Stack>
  );
}
