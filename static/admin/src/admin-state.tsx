// The page's shared state: the saved configuration, the admin's draft of it, the errors of the last
// save by field path, and Jira's metadata for the pickers (read once, on demand).
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type {
  AdminError,
  ConfigView,
  FieldError,
  JiraBoardInfo,
  JiraFieldMeta,
  JiraPriorityInfo,
  JiraProjectInfo,
  JiraProjectMetaResponse,
  PresetSummary,
  TandemConfig,
} from '../../../src/contract/admin';
import { call } from './api';
import { flag } from './ui';

/** A project's issue types and statuses, and its boards (empty when Jira Software lists none). */
export type ProjectMeta = Extract<JiraProjectMetaResponse, { ok: true }> & { boards: JiraBoardInfo[] };

/** The tabs whose part of the configuration an unsaved edit touches. */
export type DraftArea = 'connections' | 'mappings' | 'settings';

/** Which parts of the configuration differ between what is saved and the admin's draft. */
export function changedAreas(saved: TandemConfig, draft: TandemConfig): Set<DraftArea> {
  const areas = new Set<DraftArea>();
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (saved.connections.length !== draft.connections.length) areas.add('connections');
  for (const edited of draft.connections) {
    const before = saved.connections.find((c) => c.id === edited.id);
    if (!before) {
      areas.add('connections');
      continue;
    }
    // The tool's field types are edited with the field mappings, on the Mappings tab.
    const { projects, fields, options, inbound, toolFieldTypes, ...rest } = edited;
    const { projects: p0, fields: f0, options: o0, inbound: i0, toolFieldTypes: t0, ...rest0 } = before;
    if (!same(projects, p0) || !same(fields, f0) || !same(toolFieldTypes, t0)) areas.add('mappings');
    if (!same(options, o0) || !same(inbound, i0)) areas.add('settings');
    if (!same(rest, rest0)) areas.add('connections');
  }
  return areas;
}

export interface AdminState {
  saved: ConfigView;
  presets: PresetSummary[];
  draft: TandemConfig;
  dirty: boolean;
  /** Where the unsaved edits are, to mark their tabs. */
  changed: Set<DraftArea>;
  saving: boolean;
  errors: FieldError[];
  /** The last failed save (its code and a short sentence), shown above the tabs. */
  saveError: AdminError | undefined;
  edit(change: (draft: TandemConfig) => void): void;
  save(): Promise<boolean>;
  discard(): void;
  /** After a call that saved on its own (add, rename, disconnect…). */
  applySaved(view: ConfigView): void;
  showError(error: AdminError): void;
  errorAt(path: string): string | undefined;
  errorsUnder(prefix: string): FieldError[];
}

const Context = createContext<AdminState | undefined>(undefined);

export function useAdmin(): AdminState {
  const state = useContext(Context);
  if (!state) throw new Error('useAdmin outside AdminProvider');
  return state;
}

const NOTHING_CHANGED: Set<DraftArea> = new Set();

const clone = <T,>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export function AdminProvider(props: { initial: ConfigView; presets: PresetSummary[]; children: ReactNode }) {
  const [saved, setSaved] = useState<ConfigView>(props.initial);
  const [draft, setDraft] = useState<TandemConfig>(() => clone(props.initial.config));
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [saveError, setSaveError] = useState<AdminError | undefined>();
  const [saving, setSaving] = useState(false);
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved.config);
  const changed = dirty ? changedAreas(saved.config, draft) : NOTHING_CHANGED;

  // Leaving the page (reload, another Jira page, closing the tab) with unsaved edits asks first.
  useEffect(() => {
    if (!dirty) return;
    const ask = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers ask only when returnValue is set.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', ask);
    return () => window.removeEventListener('beforeunload', ask);
  }, [dirty]);

  const edit = useCallback((change: (draft: TandemConfig) => void) => {
    setDraft((current) => {
      const next = clone(current);
      change(next);
      return next;
    });
  }, []);

  const applySaved = useCallback((view: ConfigView) => {
    setSaved(view);
    setDraft(clone(view.config));
    setErrors([]);
    setSaveError(undefined);
  }, []);

  const showError = useCallback((error: AdminError) => {
    setErrors(error.fieldErrors ?? []);
    setSaveError(error);
    flag('error', 'Not saved', error.message);
  }, []);

  const save = useCallback(async () => {
    setSaving(true);
    const answer = await call('saveConfig', { config: draft, revision: saved.revision });
    setSaving(false);
    if (!answer.ok) {
      showError(answer.error);
      return false;
    }
    applySaved(answer);
    flag('success', 'Configuration saved', answer.warnings.join(' ') || undefined);
    return true;
  }, [draft, saved.revision, applySaved, showError]);

  const discard = useCallback(() => {
    setDraft(clone(saved.config));
    setErrors([]);
    setSaveError(undefined);
  }, [saved.config]);

  const errorAt = useCallback((path: string) => errors.find((e) => e.path === path)?.message, [errors]);
  const errorsUnder = useCallback((prefix: string) => errors.filter((e) => e.path === prefix || e.path.startsWith(`${prefix}.`)), [errors]);

  const value: AdminState = { saved, presets: props.presets, draft, dirty, changed, saving, errors, saveError, edit, save, discard, applySaved, showError, errorAt, errorsUnder };
  return <Context.Provider value={value}>{props.children}</Context.Provider>;
}

// ---------------------------------------------------------------- Jira metadata

export interface JiraMeta {
  projects: JiraProjectInfo[] | undefined;
  fields: JiraFieldMeta[] | undefined;
  priorities: JiraPriorityInfo[] | undefined;
  error: string | undefined;
  project(key: string): ProjectMeta | undefined;
}

const MetaContext = createContext<JiraMeta | undefined>(undefined);

export function useJiraMeta(projectKeys: readonly string[] = []): JiraMeta {
  const meta = useContext(MetaContext);
  if (!meta) throw new Error('useJiraMeta outside JiraMetaProvider');
  const request = useContext(ProjectRequestContext);
  const keys = projectKeys.join(',');
  useEffect(() => {
    for (const key of keys.split(',')) if (key) request(key);
  }, [keys, request]);
  return meta;
}

const ProjectRequestContext = createContext<(key: string) => void>(() => undefined);

export function JiraMetaProvider(props: { children: ReactNode }) {
  const [projects, setProjects] = useState<JiraProjectInfo[]>();
  const [fields, setFields] = useState<JiraFieldMeta[]>();
  const [priorities, setPriorities] = useState<JiraPriorityInfo[]>();
  const [error, setError] = useState<string>();
  const [byProject, setByProject] = useState<Record<string, ProjectMeta>>({});
  const asked = useRef(new Set<string>());

  useEffect(() => {
    void (async () => {
      const [p, f, r] = await Promise.all([call('getJiraProjects'), call('getJiraFields'), call('getJiraPriorities')]);
      if (p.ok) setProjects(p.projects);
      else setError(p.error.message);
      if (f.ok) setFields(f.fields);
      else setError(f.error.message);
      if (r.ok) setPriorities(r.priorities);
      else setError(r.error.message);
    })();
  }, []);

  const request = useCallback((key: string) => {
    const upper = key.toUpperCase();
    if (asked.current.has(upper) || !/^[A-Z][A-Z0-9_]*$/.test(upper)) return;
    asked.current.add(upper);
    void Promise.all([call('getJiraProjectMeta', { projectKey: upper }), call('getJiraBoards', { projectKey: upper })]).then(([answer, boards]) => {
      if (answer.ok) setByProject((current) => ({ ...current, [upper]: { ...answer, boards: boards.ok ? boards.boards : [] } }));
      // Asked again the next time the project is shown.
      else asked.current.delete(upper);
    });
  }, []);

  const value: JiraMeta = { projects, fields, priorities, error, project: (key) => byProject[key.toUpperCase()] };
  return (
    <MetaContext.Provider value={value}>
      <ProjectRequestContext.Provider value={request}>{props.children}</ProjectRequestContext.Provider>
    </MetaContext.Provider>
  );
}

export function formatDate(iso: string | undefined, precision: 'minute' | 'second' = 'minute'): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: precision === 'second' ? 'medium' : 'short' });
}
