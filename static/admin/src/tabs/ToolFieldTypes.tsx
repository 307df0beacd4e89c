// The types of a tool's fields, for a tool that cannot describe them (Craft.io): the preset's table
// plus the workspace's own custom fields the admin adds here by name and type. The fit check reads
// the same table, so a field added here is offered only the transforms that fit its type, and a
// save refuses a mapping across types, as for the preset's fields.
import { useState } from 'react';
import { Box, Inline, Stack, Text, xcss } from '@atlaskit/primitives';
import { toolFieldNameKey, toolTypeVocabulary, type Connection, type PresetSummary } from '../../../../src/contract/admin';
import { useAdmin } from '../admin-state';
import { Body, Button, Card, CardTitle, Cell, Head, HeadCell, RemoveCell, Row, SelectField, Table, TextField } from '../ui';

const nameBoxStyles = xcss({ minWidth: '200px', flexGrow: 1 });
const typeBoxStyles = xcss({ minWidth: '200px' });
const listStyles = xcss({ margin: 'space.0', paddingInlineStart: 'space.200' });

/** A field is the preset's when a preset's table names it with the same type; the admin added the others. */
function fromPreset(presets: readonly PresetSummary[], name: string, type: string): boolean {
  return presets.some((p) => p.toolFieldTypes?.[name] === type);
}

export function ToolFieldTypes(props: { connection: Connection; index: number }) {
  const admin = useAdmin();
  const [name, setName] = useState('');
  const [type, setType] = useState('');
  const [refusal, setRefusal] = useState<{ name?: string; type?: string }>({});
  const table = props.connection.toolFieldTypes ?? {};
  const words = toolTypeVocabulary(table);
  const entries = Object.entries(table);
  const added = entries.filter(([n, t]) => !fromPreset(admin.presets, n, t));
  const preset = entries.filter(([n, t]) => fromPreset(admin.presets, n, t));
  const at = `connections.${props.index}.toolFieldTypes`;
  const saveErrors = admin.errorsUnder(at);
  const edit = (change: (types: Record<string, string>) => void) =>
    admin.edit((draft) => {
      const target = draft.connections[props.index];
      if (!target) return;
      const types = { ...target.toolFieldTypes };
      change(types);
      target.toolFieldTypes = types;
    });
  // The same rules the save applies, said before the field is added.
  const add = () => {
    const trimmed = name.trim();
    const twin = Object.keys(table).find((n) => toolFieldNameKey(n) === toolFieldNameKey(trimmed));
    const next = {
      ...(trimmed === '' ? { name: 'Name the field as the tool shows it.' } : twin !== undefined ? { name: `${twin} is already listed: remove it first to change its type.` } : {}),
      ...(type === '' ? { type: 'Pick the field’s type.' } : {}),
    };
    setRefusal(next);
    if (next.name || next.type) return;
    edit((types) => (types[trimmed] = type));
    setName('');
    setType('');
  };
  return (
    <Card label="Tool fields" testId="tool-field-types">
      <CardTitle>{props.connection.name}’s fields</CardTitle>
      <Text as="p" color="color.text.subtle">
        {props.connection.name} cannot describe its fields, so their types are listed here. Add your workspace’s own custom fields by their name and
        type: a mapping onto one is offered only the transforms that fit its type, and a save refuses a mapping across types.
      </Text>
      {added.length === 0 ? (
        <Text as="p">No field added yet.</Text>
      ) : (
        <Table testId="added-tool-fields">
          <Head>
            <Row>
              <HeadCell>Field</HeadCell>
              <HeadCell>Type</HeadCell>
              <HeadCell />
            </Row>
          </Head>
          <Body>
            {added.map(([field, fieldType]) => (
              <Row key={field} testId={`tool-field-${field}`}>
                <Cell>{field}</Cell>
                <Cell>{fieldType}</Cell>
                <RemoveCell label={`Remove tool field ${field}`} onRemove={() => edit((types) => delete types[field])} />
              </Row>
            ))}
          </Body>
        </Table>
      )}
      {saveErrors.length > 0 && (
        <Stack space="space.050">
          {saveErrors.map((e) => (
            <Text key={`${e.path}|${e.message}`} color="color.text.danger">
              {e.message}
            </Text>
          ))}
        </Stack>
      )}
      <Inline space="space.150" alignBlock="end" shouldWrap>
        <Box xcss={nameBoxStyles}>
          <TextField label="New field’s name" value={name} onChange={setName} placeholder="e.g. Risk" error={refusal.name} testId="new-tool-field-name" />
        </Box>
        <Box xcss={typeBoxStyles}>
          <SelectField label="New field’s type" value={type} options={words.map((w) => ({ value: w, label: w }))} onChange={setType} error={refusal.type} />
        </Box>
        <Button onClick={add}>Add field</Button>
      </Inline>
      {preset.length > 0 && (
        <details data-testid="preset-tool-fields">
          <summary>
            <Text size="small">The preset’s fields ({preset.length})</Text>
          </summary>
          <Box as="ul" xcss={listStyles}>
            {preset.map(([field, fieldType]) => (
              <li key={field}>
                {field}: {fieldType}
              </li>
            ))}
          </Box>
        </details>
      )}
    </Card>
  );
}
