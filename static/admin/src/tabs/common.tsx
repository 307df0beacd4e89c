// Pieces several tabs share: choosing the connection a tab works on, and the empty state before
// the first connection.
import { Box, Inline, Text, xcss } from '@atlaskit/primitives';
import { useAdmin } from '../admin-state';
import { Button, EmptyState, SelectField } from '../ui';

const pickerStyles = xcss({ maxWidth: '320px' });

export function ConnectionPicker(props: { connectionId: string | undefined; onSelect: (id: string) => void }) {
  const admin = useAdmin();
  if (admin.draft.connections.length < 2) return null;
  return (
    <Box xcss={pickerStyles}>
      <SelectField
        label="Connection"
        value={props.connectionId ?? ''}
        options={admin.draft.connections.map((c) => ({ value: c.id, label: `${c.name}${c.enabled ? '' : ' (disconnected)'}` }))}
        onChange={props.onSelect}
      />
    </Box>
  );
}

export function NoConnection(props: { onAdd: () => void; what: string }) {
  return (
    <EmptyState title="Add a connection first" action={<Button appearance="primary" onClick={props.onAdd}>Go to Connections</Button>}>
      {props.what} belong to a connection. Connect Tandem to your tool on the Connections tab, then come back here.
    </EmptyState>
  );
}

/** Actions that save on their own wait until the draft is saved or discarded, so no edit is lost. */
export function DirtyHint() {
  const admin = useAdmin();
  if (!admin.dirty) return null;
  return (
    <Inline>
      <Text size="small" color="color.text.warning">
        Save or discard your changes first: this action saves on its own.
      </Text>
    </Inline>
  );
}
