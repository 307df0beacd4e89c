// What a record REST tool says about itself (`describe` in the record REST contract): its modules,
// each module's fields with their types, and the states a record can be in. The admin page offers
// these as lists, and a save checks the mappings against them, as it checks Jira's fields.
import * as z from 'zod';
import type { ConfigError } from './config';
import type { Connection, FieldMapping } from './schema';


const name = z.string().trim().min(1).max(200);

const toolFieldSchema = z.looseObject({
  name,
  type: z.string().trim().min(1).max(60).catch('string'),
  label: z.string().trim().max(200).optional().catch(undefined),
  required: z.boolean().optional().catch(undefined),
  readOnly: z.boolean().optional().catch(undefined),
  /** The values an option field takes, when the tool lists them. */
  options: z.array(z.union([name, z.number().transform(String)])).optional().catch(undefined),
});

/** A state is a name, or `{name, label?}`. */
const stateSchema = z.union([name, z.looseObject({ name, label: z.string().trim().max(200).optional().catch(undefined) }).transform((s) => s.name)]);

const toolModuleSchema = z.looseObject({
  name,
  label: z.string().trim().max(200).optional().catch(undefined),
  fields: z.array(toolFieldSchema).default(() => []),
  /** Absent: the tool did not say, so states are not checked for this module. */
  states: z.array(stateSchema).optional(),
  /** The field that holds the state, when the tool names it. */
  stateField: name.optional().catch(undefined),
});

const descriptionBody = z.object({ modules: z.array(toolModuleSchema).min(1) });

/** `{modules: […]}` or the `{result: {modules: […]}}` envelope. */
export const toolDescriptionSchema = z.union([z.object({ result: descriptionBody }).transform((a) => a.result), descriptionBody]);

export interface ToolField {
  name: string;
  type: string;
  label?: string;
  required?: boolean;
  readOnly?: boolean;
  options?: string[];
}

export interface ToolModule {
  name: string;
  label?: string;
  fields: ToolField[];
  states?: string[];
  stateField?: string;
}

export interface ToolDescription {
  modules: ToolModule[];
}

/** The tool's answer, checked; undefined when it does not read as a description. */
export function parseToolDescription(raw: unknown): ToolDescription | undefined {
  const parsed = toolDescriptionSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  return {
    modules: parsed.data.modules.map((m) => ({
      name: m.name,
      ...(m.label ? { label: m.label } : {}),
      fields: m.fields.map((f) => ({
        name: f.name,
        type: f.type,
        ...(f.label ? { label: f.label } : {}),
        ...(f.required === undefined ? {} : { required: f.required }),
        ...(f.readOnly === undefined ? {} : { readOnly: f.readOnly }),
        ...(f.options ? { options: f.options } : {}),
      })),
      ...(m.states ? { states: m.states } : {}),
      ...(m.stateField ? { stateField: m.stateField } : {}),
    })),
  };
}

const listed = (names: readonly string[]): string => (names.length > 12 ? `${names.slice(0, 12).join(', ')}…` : names.join(', '));

/**
 * Every module, field and state a connection's mappings name that the tool says it does not have,
 * each at its place (`connections.<c>.…`), naming what the tool has instead.
 */
export function checkAgainstDescription(connection: Connection, c: number, description: ToolDescription): ConfigError[] {
  const errors: ConfigError[] = [];
  const tool = connection.name;
  const modules = new Map(description.modules.map((m) => [m.name, m]));
  const moduleNames = description.modules.map((m) => m.name);
  const fieldsOf = (m: ToolModule) => new Set(m.fields.map((f) => f.name));

  // Which described modules each field list is used with: a connection-wide list goes to every
  // project mapping that brings none of its own.
  const usedWith = new Map<string, ToolModule[]>();
  const use = (at: string, module: ToolModule | undefined) => {
    if (!module) return;
    usedWith.set(at, [...(usedWith.get(at) ?? []), module]);
  };

  connection.projects.forEach((project, p) => {
    const at = `connections.${c}.projects.${p}`;
    const module = modules.get(project.module);
    if (!module) {
      errors.push({ path: `${at}.module`, message: `${tool} has no module ${project.module} (it has ${listed(moduleNames)})` });
      return;
    }
    use(project.fields ? `${at}.fields` : `connections.${c}.fields`, module);
    for (const key of Object.keys(project.fixedValues)) {
      if (!fieldsOf(module).has(key)) errors.push({ path: `${at}.fixedValues`, message: `${module.name} has no field ${key} (fixed value)` });
    }
  });

  const checkFields = (at: string, fields: readonly FieldMapping[]) => {
    // Without a mapped module, any described module will do.
    const against = usedWith.get(at) ?? description.modules;
    fields.forEach((mapping, index) => {
      const missingIn = against.filter((m) => !fieldsOf(m).has(mapping.tool));
      if (missingIn.length > 0 && (usedWith.has(at) || missingIn.length === against.length)) {
        const where = missingIn.map((m) => m.name).join(' and ');
        const has = listed([...new Set(missingIn.flatMap((m) => m.fields.map((f) => f.name)))]);
        errors.push({ path: `${at}.${index}.tool`, message: missingIn.length > 1 ? `${where} have no field ${mapping.tool} (they have ${has})` : `${where} has no field ${mapping.tool} (it has ${has})` });
      }
      if (mapping.transform.kind !== 'status') return;
      const withStates = against.filter((m) => m.states !== undefined);
      if (withStates.length === 0) return;
      const known = new Set(withStates.flatMap((m) => m.states ?? []));
      const knownList = listed([...known]);
      const state = (path: string, value: string | undefined) => {
        if (value !== undefined && !known.has(value)) errors.push({ path: `${at}.${index}.transform.${path}`, message: `${tool} has no state ${value} (it has ${knownList})` });
      };
      mapping.transform.toTool.forEach((row, r) => state(`toTool.${r}.tool`, row.tool));
      for (const category of ['new', 'indeterminate', 'done'] as const) state(`categoryToTool.${category}`, mapping.transform.categoryToTool[category]);
      mapping.transform.toJira.forEach((row, r) => state(`toJira.${r}.tool`, row.tool));
      if (connection.options.onJiraDelete === 'close' && !known.has(connection.options.closedState)) {
        errors.push({ path: `connections.${c}.options.closedState`, message: `${tool} has no state ${connection.options.closedState} (it has ${knownList})` });
      }
    });
  };

  checkFields(`connections.${c}.fields`, connection.fields);
  connection.projects.forEach((project, p) => {
    if (project.fields) checkFields(`connections.${c}.projects.${p}.fields`, project.fields);
  });

  if (connection.protocol === 'record-rest') {
    const mapped = connection.projects.map((p) => modules.get(p.module)).filter((m): m is ToolModule => m !== undefined);
    for (const key of ['issueKeyField', 'issueUrlField'] as const) {
      const field = connection[key];
      if (field === '' || mapped.length === 0) continue;
      const missingIn = mapped.filter((m) => !fieldsOf(m).has(field));
      if (missingIn.length > 0) errors.push({ path: `connections.${c}.${key}`, message: `${missingIn.map((m) => m.name).join(' and ')} ${missingIn.length > 1 ? 'have' : 'has'} no field ${field}` });
    }
  }
  return dedupe(errors);
}

function dedupe(errors: ConfigError[]): ConfigError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.path}|${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
