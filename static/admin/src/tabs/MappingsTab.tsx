// Mappings of one connection: which Jira projects and issue types map to which of the tool's
// modules; how each field travels (with Jira's field picker and a type check that says why a field
// cannot carry another); the status table with its category fallback; the priority table.
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import { Box, Inline, Stack, Text, xcss } from '@atlaskit/primitives';
import type { Connection, FieldMapping, JiraBoardInfo, ProjectMapping, StatusCategory, ToolDescription, TransformFitInfo, TransformKind } from '../../../../src/contract/admin';
import { call } from '../api';
import { useAdmin, useJiraMeta } from '../admin-state';
import { Body, Button, Card, CardTitle, Cell, Head, HeadCell, RemoveCell, Row, SelectField, Table, TextAreaField, TextField, useRowKeys, type Option } from '../ui';
import { ConnectionPicker, NoConnection } from './common';
import { ToolFieldTypes } from './ToolFieldTypes';
import { ValueTable } from './ValueTable';

const categoryStyles = xcss({ minWidth: '180px' });
const listStyles = xcss({ margin: 'space.0', paddingInlineStart: 'space.200' });

const DIRECTIONS: Option[] = [
  { value: 'both', label: 'Both ways' },
  { value: 'jira-to-tool', label: 'Jira → tool' },
  { value: 'tool-to-jira', label: 'Tool → Jira' },
];

const TRANSFORMS: Array<{ value: TransformKind; label: string }> = [
  { value: 'text', label: 'Text' },
  { value: 'adf-markdown', label: 'Rich text ⇄ Markdown' },
  { value: 'adf-plain', label: 'Rich text ⇄ plain text' },
  { value: 'user-email', label: 'User by email' },
  { value: 'priority', label: 'Priority table' },
  { value: 'status', label: 'Status table' },
  { value: 'labels', label: 'Labels' },
  { value: 'number', label: 'Number' },
  { value: 'date', label: 'Date' },
  { value: 'option', label: 'Choice table' },
  { value: 'checkbox', label: 'Checkbox (true/false)' },
  { value: 'cascading', label: 'Cascading choice' },
  { value: 'names', label: 'Versions or components by name' },
  { value: 'users-email', label: 'User list by email' },
  { value: 'url', label: 'Web address' },
  { value: 'team', label: 'Team table' },
  { value: 'parent', label: 'Parent (record reference)' },
  { value: 'sprint', label: 'Sprint by name' },
];

const CATEGORIES: Array<{ value: StatusCategory; label: string }> = [
  { value: 'new', label: 'To Do' },
  { value: 'indeterminate', label: 'In Progress' },
  { value: 'done', label: 'Done' },
];

export function MappingsTab(props: { connectionId: string | undefined; onSelectConnection: (id: string) => void; onAdd: () => void }) {
  const admin = useAdmin();
  const index = admin.draft.connections.findIndex((c) => c.id === props.connectionId);
  const connection = admin.draft.connections[index];
  const tool = useToolDescription(connection?.id);
  if (!connection) return <NoConnection onAdd={props.onAdd} what="Mappings" />;
  const names = toolNames(connection, tool.description);
  return (
    <Stack space="space.200">
      <ConnectionPicker connectionId={connection.id} onSelect={props.onSelectConnection} />
      <Text as="p" color="color.text.subtle" testId="tool-description-note">
        {tool.description
          ? `Modules, fields and states are picked from ${connection.name}’s own description, and checked against it when you save.`
          : (tool.cannot ?? `Asking ${connection.name} to describe itself…`)}
        {!tool.description && connection.toolFieldTypes && ` The types of ${connection.name}’s fields come from its preset’s table, so only the transforms that fit both sides are offered.`}
      </Text>
      <ProjectTable connection={connection} index={index} modules={names.modules} />
      {/* A tool that cannot describe itself may carry its field types (a preset's table), which the admin extends. */}
      {!tool.description && connection.toolFieldTypes && <ToolFieldTypes connection={connection} index={index} />}
      <FieldTable connection={connection} index={index} toolFields={names.fields} toolTypes={names.fieldTypes ?? connection.toolFieldTypes} />
      <StatusTable connection={connection} index={index} states={names.states} />
      <PriorityTable connection={connection} index={index} />
    </Stack>
  );
}

/** What the connection's tool says about itself, asked once per connection shown. */
function useToolDescription(connectionId: string | undefined): { description?: ToolDescription; cannot?: string } {
  const [answer, setAnswer] = useState<{ id: string; description?: ToolDescription; cannot?: string }>();
  useEffect(() => {
    if (!connectionId) return;
    let live = true;
    void call('getToolDescription', { connectionId }).then((got) => {
      if (!live) return;
      if (!got.ok) setAnswer({ id: connectionId, cannot: got.error.code === 'NOT_FOUND' ? 'Save the connection first: then Tandem asks the tool to describe itself.' : got.error.message });
      else setAnswer({ id: connectionId, ...(got.description ? { description: got.description } : {}), ...(got.cannot ? { cannot: got.cannot } : {}) });
    });
    return () => {
      live = false;
    };
  }, [connectionId]);
  return answer && answer.id === connectionId ? answer : {};
}

/** The lists the editor offers; undefined where the tool did not describe itself, so names are typed. */
interface ToolNames {
  modules?: Option[];
  fields?: Option[];
  /** Each tool field's type as the tool describes it, so the fit check narrows the transforms. */
  fieldTypes?: Record<string, string>;
  states?: Option[];
}

function toolNames(connection: Connection, description: ToolDescription | undefined): ToolNames {
  if (!description) return {};
  const mapped = description.modules.filter((m) => connection.projects.some((p) => p.module === m.name));
  const used = mapped.length > 0 ? mapped : description.modules;
  const fields = new Map<string, Option>();
  const fieldTypes: Record<string, string> = {};
  for (const module of used) {
    for (const f of module.fields) {
      if (fields.has(f.name)) continue;
      fields.set(f.name, { value: f.name, label: `${f.label ?? f.name} (${f.name}, ${f.type}${f.readOnly ? ', read-only' : ''})` });
      fieldTypes[f.name] = f.type;
    }
  }
  const states = [...new Set(used.flatMap((m) => m.states ?? []))];
  return {
    modules: description.modules.map((m) => ({ value: m.name, label: m.label ? `${m.label} (${m.name})` : m.name })),
    fields: [...fields.values()],
    fieldTypes,
    ...(states.length > 0 ? { states: states.map((state) => ({ value: state, label: state })) } : {}),
  };
}

/** A tool name: picked from the tool's list when it described itself, typed otherwise. */
function ToolName(props: { label: string; value: string; options: Option[] | undefined; onChange: (value: string) => void; error?: string | undefined; placeholder?: string; suggestions?: string | undefined }) {
  if (props.options) return <SelectField hideLabel label={props.label} value={props.value} options={props.options} onChange={props.onChange} error={props.error} />;
  return <TextField hideLabel label={props.label} value={props.value} onChange={props.onChange} error={props.error} {...(props.placeholder ? { placeholder: props.placeholder } : {})} {...(props.suggestions ? { list: props.suggestions } : {})} />;
}

function useConnectionEdit(index: number) {
  const admin = useAdmin();
  return (change: (c: Connection) => void) =>
    admin.edit((draft) => {
      const target = draft.connections[index];
      if (target) change(target);
    });
}

function fixedText(values: ProjectMapping['fixedValues']): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${v === null ? '' : String(v)}`)
    .join('\n');
}

function parseFixed(text: string): ProjectMapping['fixedValues'] {
  const out: ProjectMapping['fixedValues'] = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at <= 0) continue;
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

function ProjectTable(props: { connection: Connection; index: number; modules: Option[] | undefined }) {
  const admin = useAdmin();
  const edit = useConnectionEdit(props.index);
  const keys = props.connection.projects.map((p) => p.projectKey);
  const meta = useJiraMeta(keys);
  const at = `connections.${props.index}.projects`;
  const projectKeys = useRowKeys(props.connection.projects.length);
  const projectOptions = (meta.projects ?? []).map((p) => ({ value: p.key, label: `${p.name} (${p.key})` }));
  return (
    <Card label="Projects and issue types">
      <CardTitle>Projects and issue types</CardTitle>
      <Text as="p" color="color.text.subtle">
        Each row sends issues of one Jira project (and issue type) to one of the tool’s modules. Fixed values go to the tool when a record is created, one
        name=value per line.
      </Text>
      {props.connection.projects.length === 0 ? (
        <Text as="p">No project is mapped yet, so nothing syncs. Add a mapping to start.</Text>
      ) : (
        <>
          <Table stack>
            <Head>
              <Row>
                {['Jira project', 'Issue type', 'Tool module', 'Direction', 'Board (sprints)', 'Fixed values', 'Only issues matching JQL', 'Ignore issue types', ''].map((h) => (
                  <HeadCell key={h}>
                    {h}
                  </HeadCell>
                ))}
              </Row>
            </Head>
            <Body>
              {props.connection.projects.map((project, row) => {
                const p = `${at}.${row}`;
                const types = meta.project(project.projectKey)?.issueTypes.filter((t) => !t.subtask) ?? [];
                const rowEdit = (change: (m: ProjectMapping) => void) => edit((c) => c.projects[row] && change(c.projects[row]));
                return (
                  <Row key={projectKeys.keys[row]} testId={`project-row-${row}`}>
                    <Cell>
                      <SelectField hideLabel label={`Jira project, row ${row + 1}`} value={project.projectKey} options={projectOptions} onChange={(v) => rowEdit((m) => (m.projectKey = v))} error={admin.errorAt(`${p}.projectKey`)} />
                    </Cell>
                    <Cell minWidth="select">
                      <SelectField
                        hideLabel
                        label={`Issue type, row ${row + 1}`}
                        value={project.issueType}
                        options={[{ value: '*', label: 'Any issue type' }, ...types.map((t) => ({ value: t.name, label: t.name }))]}
                        onChange={(v) => rowEdit((m) => (m.issueType = v))}
                        error={admin.errorAt(`${p}.issueType`) ?? admin.errorAt(`${p}.defaultIssueType`)}
                      />
                    </Cell>
                    <Cell>
                      <ToolName label={`Tool module, row ${row + 1}`} value={project.module} options={props.modules} onChange={(v) => rowEdit((m) => (m.module = v))} error={admin.errorAt(`${p}.module`)} placeholder="incidents" />
                    </Cell>
                    <Cell minWidth="select">
                      <SelectField hideLabel label={`Project direction, row ${row + 1}`} value={project.direction} options={DIRECTIONS} onChange={(v) => rowEdit((m) => (m.direction = v as ProjectMapping['direction']))} />
                    </Cell>
                    <Cell minWidth="select">
                      <SelectField
                        hideLabel
                        label={`Board, row ${row + 1}`}
                        value={project.board === undefined ? '' : String(project.board)}
                        options={boardOptions(meta.project(project.projectKey)?.boards ?? [], project.board)}
                        onChange={(v) => rowEdit((m) => (v === '' ? delete m.board : (m.board = Number(v))))}
                        error={admin.errorAt(`${p}.board`)}
                      />
                    </Cell>
                    <Cell>
                      <FixedValues label={`Fixed values, row ${row + 1}`} value={project.fixedValues} onChange={(v) => rowEdit((m) => (m.fixedValues = v))} error={admin.errorsUnder(`${p}.fixedValues`)[0]?.message} />
                    </Cell>
                    <Cell>
                      <TextField
                        hideLabel
                        label={`JQL filter, row ${row + 1}`}
                        value={project.jql ?? ''}
                        onChange={(v) => rowEdit((m) => (v.trim() === '' ? delete m.jql : (m.jql = v)))}
                        placeholder="e.g. labels = customer"
                        error={admin.errorAt(`${p}.jql`)}
                      />
                    </Cell>
                    <Cell>
                      <TextField
                        hideLabel
                        label={`Ignored issue types, row ${row + 1}`}
                        value={project.ignoredIssueTypes.join(', ')}
                        onChange={(v) => rowEdit((m) => (m.ignoredIssueTypes = v.split(',').map((s) => s.trim()).filter(Boolean)))}
                        error={admin.errorAt(`${p}.ignoredIssueTypes`)}
                        placeholder="Sub-task"
                      />
                    </Cell>
                    <RemoveCell
                      label={`Remove project mapping ${row + 1}`}
                      onRemove={() => {
                        projectKeys.removed(row);
                        edit((c) => c.projects.splice(row, 1));
                      }}
                    />
                  </Row>
                );
              })}
            </Body>
          </Table>
        </>
      )}
      <Inline>
        <Button
          onClick={() =>
            edit((c) =>
              c.projects.push({ projectKey: meta.projects?.[0]?.key ?? '', issueType: '*', module: '', direction: 'both', fixedValues: {}, ignoredIssueTypes: [] }),
            )
          }
        >
          Add project mapping
        </Button>
      </Inline>
    </Card>
  );
}

/** The project's scrum boards (kanban boards have no sprints), and the saved one even when Jira no longer lists it. */
function boardOptions(boards: readonly JiraBoardInfo[], chosen: number | undefined): Option[] {
  const options: Option[] = [{ value: '', label: 'No board' }, ...boards.filter((b) => b.type === 'scrum').map((b) => ({ value: String(b.id), label: `${b.name} (${b.id})` }))];
  if (chosen !== undefined && !options.some((o) => o.value === String(chosen))) options.push({ value: String(chosen), label: `Board ${chosen}` });
  return options;
}

/** Edits name=value lines as text, so a half-typed line is not lost while typing. */
function FixedValues(props: { label: string; value: ProjectMapping['fixedValues']; onChange: (v: ProjectMapping['fixedValues']) => void; error?: string | undefined }) {
  const [text, setText] = useState(fixedText(props.value));
  const [shown, setShown] = useState(props.value);
  // A change from elsewhere (discard, import, a removed row) replaces the text; the admin's own typing does not.
  if (shown !== props.value) {
    setShown(props.value);
    if (JSON.stringify(parseFixed(text)) !== JSON.stringify(props.value)) setText(fixedText(props.value));
  }
  return (
    <TextAreaField
      hideLabel
      label={props.label}
      value={text}
      error={props.error}
      onChange={(value) => {
        setText(value);
        props.onChange(parseFixed(value));
      }}
    />
  );
}

function FieldTable(props: { connection: Connection; index: number; toolFields: Option[] | undefined; toolTypes: Record<string, string> | undefined }) {
  const admin = useAdmin();
  const edit = useConnectionEdit(props.index);
  const meta = useJiraMeta();
  const at = `connections.${props.index}.fields`;
  const fieldKeys = useRowKeys(props.connection.fields.length);
  // Typed names are suggested from the connection's table of field types (with each one's type).
  const suggestionsId = useId();
  const suggestions = !props.toolFields && props.toolTypes ? Object.entries(props.toolTypes) : undefined;
  const fieldOptions = (meta.fields ?? [])
    .filter((f) => f.schema)
    .map((f) => ({ value: f.id, label: `${f.name} (${f.schema?.type}${f.schema?.items ? ` of ${f.schema.items}` : ''})` }))
    .sort((a, b) => a.label.localeCompare(b.label));
  return (
    <Card label="Fields">
      <CardTitle>Fields</CardTitle>
      <Text as="p" color="color.text.subtle">
        How each Jira field travels to the tool’s field and back. Tandem checks that the Jira field can hold what the transform produces.
      </Text>
      {props.connection.fields.length === 0 && <Text as="p">No field is mapped yet: records would be created empty. Add summary and description first.</Text>}
      {props.connection.fields.length > 0 && (
        <>
          <Table stack>
            <Head>
              <Row>
                {['Jira field', 'Tool field', 'Direction', 'Transform', 'Check', ''].map((h) => (
                  <HeadCell key={h}>
                    {h}
                  </HeadCell>
                ))}
              </Row>
            </Head>
            <Body>
              {props.connection.fields.map((field, row) => (
                <FieldRow key={fieldKeys.keys[row]} field={field} row={row} at={`${at}.${row}`} fieldOptions={fieldOptions} toolFields={props.toolFields} suggestions={suggestions ? suggestionsId : undefined} toolType={props.toolTypes?.[field.tool]} edit={edit} onRemove={() => fieldKeys.removed(row)} />
              ))}
            </Body>
          </Table>
        </>
      )}
      {suggestions && (
        <datalist id={suggestionsId} data-testid="tool-field-suggestions">
          {suggestions.map(([name, type]) => (
            <option key={name} value={name} label={`${name} (${type})`} />
          ))}
        </datalist>
      )}
      {admin.errorAt(at) && <Text color="color.text.danger">{admin.errorAt(at)}</Text>}
      <Inline>
        <Button onClick={() => edit((c) => c.fields.push({ jira: '', tool: '', direction: 'both', transform: { kind: 'text' } }))}>Add field mapping</Button>
      </Inline>
    </Card>
  );
}

const labelOf = (kind: TransformKind): string => TRANSFORMS.find((t) => t.value === kind)?.label ?? kind;

function defaultTransform(kind: TransformKind): FieldMapping['transform'] {
  switch (kind) {
    case 'priority':
      return { kind, table: [] };
    case 'status':
      return { kind, toTool: [], categoryToTool: {}, toJira: [] };
    case 'labels':
      return { kind, format: 'array' };
    case 'date':
      return { kind, jiraType: 'date' };
    case 'option':
      return { kind, table: [], unmatched: 'skip' };
    case 'names':
      return { kind, format: 'list' };
    case 'checkbox':
      return { kind, option: 'Yes' };
    case 'cascading':
      return { kind, separator: ' / ' };
    case 'team':
      return { kind, table: [] };
    default:
      return { kind } as FieldMapping['transform'];
  }
}

function FieldRow(props: { field: FieldMapping; row: number; at: string; fieldOptions: Option[]; toolFields: Option[] | undefined; suggestions: string | undefined; toolType: string | undefined; edit: (change: (c: Connection) => void) => void; onRemove: () => void }) {
  const admin = useAdmin();
  const { field, row } = props;
  const [check, setCheck] = useState<{ fits: boolean; message?: string | undefined; transforms?: TransformFitInfo[] | undefined }>();
  const rowEdit = (change: (m: FieldMapping) => void) => props.edit((c) => c.fields[row] && change(c.fields[row]));
  // Checked again when what decides the fit changes, not at every edit of a transform's table.
  const key = `${field.jira}|${field.tool}|${field.direction}|${field.transform.kind}|${field.transform.kind === 'date' ? field.transform.jiraType : ''}|${props.toolType ?? ''}`;
  const latest = useRef({ field, toolType: props.toolType });
  useLayoutEffect(() => {
    latest.current = { field, toolType: props.toolType };
  });
  useEffect(() => {
    const { field: mapping, toolType } = latest.current;
    if (!mapping.jira) return setCheck(undefined);
    let live = true;
    // Checked as the admin picks, so a refusal is explained before saving; the Jira field alone
    // already says which transforms fit it, and the tool field's described type narrows them further.
    const timer = setTimeout(() => {
      void call('checkFieldMapping', { mapping: { ...mapping, tool: mapping.tool || 'tool' }, ...(toolType ? { toolType } : {}) }).then(
        (answer) => live && setCheck(answer.ok ? { fits: answer.fits, message: answer.message, transforms: answer.transforms } : undefined),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key]);
  // Only the transforms that fit both fields are offered (and the chosen one, so a misfit shows).
  const fits = check?.transforms;
  const offered = fits ? TRANSFORMS.filter((t) => t.value === field.transform.kind || fits.some((f) => f.kind === t.value && f.ok)) : TRANSFORMS;
  const refused = (fits ?? []).filter((f) => !f.ok && f.reason !== undefined);
  return (
    <Row testId={`field-row-${row}`}>
      <Cell>
        <SelectField hideLabel label={`Jira field, row ${row + 1}`} value={field.jira} options={props.fieldOptions} onChange={(v) => rowEdit((m) => (m.jira = v))} error={admin.errorAt(`${props.at}.jira`)} />
      </Cell>
      <Cell>
        <ToolName label={`Tool field, row ${row + 1}`} value={field.tool} options={props.toolFields} suggestions={props.suggestions} onChange={(v) => rowEdit((m) => (m.tool = v))} error={admin.errorAt(`${props.at}.tool`)} />
      </Cell>
      <Cell>
        <SelectField hideLabel label={`Field direction, row ${row + 1}`} value={field.direction} options={DIRECTIONS} onChange={(v) => rowEdit((m) => (m.direction = v as FieldMapping['direction']))} />
      </Cell>
      <Cell>
        <SelectField
          hideLabel
          label={`Transform, row ${row + 1}`}
          value={field.transform.kind}
          options={offered}
          onChange={(v) => rowEdit((m) => (m.transform = defaultTransform(v as TransformKind)))}
          error={admin.errorAt(`${props.at}.transform.kind`)}
        />
        <ValueTable row={row} transform={field.transform} onChange={(change) => rowEdit((m) => change(m.transform))} />
      </Cell>
      <Cell aria-live="polite">
        {field.tool && check?.fits === true && <Text color="color.text.success">Fits</Text>}
        {field.tool && check?.fits === false && <Text color="color.text.danger">{check.message}</Text>}
        {refused.length > 0 && (
          <details data-testid={`refused-transforms-${row}`}>
            <summary>
              <Text size="small">Why not the other transforms</Text>
            </summary>
            <Box as="ul" xcss={listStyles}>
              {refused.map((t) => (
                <li key={t.kind}>
                  {labelOf(t.kind)}: {t.reason}
                </li>
              ))}
            </Box>
          </details>
        )}
      </Cell>
      <RemoveCell
        label={`Remove field mapping ${row + 1}`}
        onRemove={() => {
          props.onRemove();
          props.edit((c) => c.fields.splice(row, 1));
        }}
      />
    </Row>
  );
}

function StatusTable(props: { connection: Connection; index: number; states: Option[] | undefined }) {
  const admin = useAdmin();
  const edit = useConnectionEdit(props.index);
  const keys = props.connection.projects.map((p) => p.projectKey);
  const meta = useJiraMeta(keys);
  const row = props.connection.fields.findIndex((f) => f.transform.kind === 'status');
  const field = props.connection.fields[row];
  const toToolKeys = useRowKeys(field?.transform.kind === 'status' ? field.transform.toTool.length : 0);
  const toJiraKeys = useRowKeys(field?.transform.kind === 'status' ? field.transform.toJira.length : 0);
  if (!field || field.transform.kind !== 'status') return null;
  const transform = field.transform;
  const at = `connections.${props.index}.fields.${row}.transform`;
  const statuses = [...new Set(keys.flatMap((k) => meta.project(k)?.statuses.map((s) => s.name) ?? []))].sort();
  const statusOptions = statuses.map((s) => ({ value: s, label: s }));
  const tEdit = (change: (t: typeof transform) => void) =>
    edit((c) => {
      const f = c.fields[row];
      if (f && f.transform.kind === 'status') change(f.transform);
    });
  return (
    <Card label="Statuses">
      <CardTitle>Statuses</CardTitle>
      <Text as="p" color="color.text.subtle">
        Jira → tool: a Jira status name first, then its category when no name matches. Tool → Jira: the status to move to; when Jira cannot reach it, any
        status of the category.
      </Text>
      <>
        <Table stack caption="Jira → tool">
          <Head>
            <Row>
              <HeadCell>Jira statuses (comma-separated)</HeadCell>
              <HeadCell>Tool state</HeadCell>
              <HeadCell />
            </Row>
          </Head>
          <Body>
            {transform.toTool.map((entry, i) => (
              <Row key={toToolKeys.keys[i]}>
                <Cell>
                  <TextField hideLabel label={`Jira statuses, row ${i + 1}`} value={entry.jira.join(', ')} list="tandem-statuses" onChange={(v) => tEdit((t) => t.toTool[i] && (t.toTool[i].jira = v.split(',').map((s) => s.trim()).filter(Boolean)))} />
                </Cell>
                <Cell>
                  <ToolName label={`Tool state, row ${i + 1}`} value={entry.tool} options={props.states} onChange={(v) => tEdit((t) => t.toTool[i] && (t.toTool[i].tool = v))} error={admin.errorAt(`${at}.toTool.${i}.tool`)} />
                </Cell>
                <RemoveCell
                  label={`Remove status row ${i + 1}`}
                  onRemove={() => {
                    toToolKeys.removed(i);
                    tEdit((t) => t.toTool.splice(i, 1));
                  }}
                />
              </Row>
            ))}
          </Body>
        </Table>
      </>
      <datalist id="tandem-statuses">
        {statuses.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      <Inline>
        <Button onClick={() => tEdit((t) => t.toTool.push({ jira: [], tool: '' }))}>Add status row</Button>
      </Inline>
      <Text weight="medium">When no name matches: by category</Text>
      <Inline space="space.150" shouldWrap>
        {CATEGORIES.map((category) => (
          <Box key={category.value} xcss={categoryStyles}>
            {props.states ? (
              <SelectField
                label={`${category.label} → tool state`}
                value={transform.categoryToTool[category.value] ?? ''}
                options={[{ value: '', label: 'None' }, ...props.states]}
                onChange={(v) => tEdit((t) => (v === '' ? delete t.categoryToTool[category.value] : (t.categoryToTool[category.value] = v)))}
                error={admin.errorAt(`${at}.categoryToTool.${category.value}`)}
              />
            ) : (
              <TextField
                label={`${category.label} → tool state`}
                value={transform.categoryToTool[category.value] ?? ''}
                onChange={(v) => tEdit((t) => (v.trim() === '' ? delete t.categoryToTool[category.value] : (t.categoryToTool[category.value] = v)))}
                error={admin.errorAt(`${at}.categoryToTool.${category.value}`)}
              />
            )}
          </Box>
        ))}
      </Inline>
      <>
        <Table stack caption="Tool → Jira">
          <Head>
            <Row>
              <HeadCell>Tool state</HeadCell>
              <HeadCell>Jira status</HeadCell>
              <HeadCell>Fallback category</HeadCell>
              <HeadCell />
            </Row>
          </Head>
          <Body>
            {transform.toJira.map((entry, i) => (
              <Row key={toJiraKeys.keys[i]}>
                <Cell>
                  <ToolName label={`Tool state, reverse row ${i + 1}`} value={entry.tool} options={props.states} onChange={(v) => tEdit((t) => t.toJira[i] && (t.toJira[i].tool = v))} error={admin.errorAt(`${at}.toJira.${i}.tool`)} />
                </Cell>
                <Cell>
                  <SelectField hideLabel label={`Jira status, reverse row ${i + 1}`} value={entry.jira ?? ''} options={[{ value: '', label: 'Any of the category' }, ...statusOptions]} onChange={(v) => tEdit((t) => t.toJira[i] && (v === '' ? delete t.toJira[i].jira : (t.toJira[i].jira = v)))} />
                </Cell>
                <Cell>
                  <SelectField hideLabel label={`Category, reverse row ${i + 1}`} value={entry.category} options={CATEGORIES} onChange={(v) => tEdit((t) => t.toJira[i] && (t.toJira[i].category = v as StatusCategory))} />
                </Cell>
                <RemoveCell
                  label={`Remove reverse status row ${i + 1}`}
                  onRemove={() => {
                    toJiraKeys.removed(i);
                    tEdit((t) => t.toJira.splice(i, 1));
                  }}
                />
              </Row>
            ))}
          </Body>
        </Table>
      </>
      <Inline>
        <Button onClick={() => tEdit((t) => t.toJira.push({ tool: '', category: 'new' }))}>Add reverse row</Button>
      </Inline>
    </Card>
  );
}

function PriorityTable(props: { connection: Connection; index: number }) {
  const edit = useConnectionEdit(props.index);
  const meta = useJiraMeta();
  const row = props.connection.fields.findIndex((f) => f.transform.kind === 'priority');
  const field = props.connection.fields[row];
  const priorityKeys = useRowKeys(field?.transform.kind === 'priority' ? field.transform.table.length : 0);
  if (!field || field.transform.kind !== 'priority') return null;
  const options = (meta.priorities ?? []).map((p) => ({ value: p.name, label: p.name }));
  const tEdit = (change: (table: Array<{ tool: string; jira: string }>) => void) =>
    edit((c) => {
      const f = c.fields[row];
      if (f && f.transform.kind === 'priority') change(f.transform.table);
    });
  return (
    <Card label="Priorities">
      <CardTitle>Priorities</CardTitle>
      <Text as="p" color="color.text.subtle">
        Read top to bottom; the first row that matches wins in each direction.
      </Text>
      <Table stack>
        <Head>
          <Row>
            <HeadCell>Tool priority</HeadCell>
            <HeadCell>Jira priority</HeadCell>
            <HeadCell />
          </Row>
        </Head>
        <Body>
          {field.transform.table.map((entry, i) => (
            <Row key={priorityKeys.keys[i]}>
              <Cell>
                <TextField hideLabel label={`Tool priority, row ${i + 1}`} value={entry.tool} onChange={(v) => tEdit((t) => t[i] && (t[i].tool = v))} />
              </Cell>
              <Cell>
                <SelectField hideLabel label={`Jira priority, row ${i + 1}`} value={entry.jira} options={options} onChange={(v) => tEdit((t) => t[i] && (t[i].jira = v))} />
              </Cell>
              <RemoveCell
                label={`Remove priority row ${i + 1}`}
                onRemove={() => {
                  priorityKeys.removed(i);
                  tEdit((t) => t.splice(i, 1));
                }}
              />
            </Row>
          ))}
        </Body>
      </Table>
      <Inline>
        <Button onClick={() => tEdit((t) => t.push({ tool: '', jira: options[0]?.value ?? '' }))}>Add priority row</Button>
      </Inline>
    </Card>
  );
}
