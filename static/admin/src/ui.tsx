// Small accessible building blocks on @atlaskit/primitives and design tokens: text fields, selects,
// checkboxes, tabs, a dialog, lamps and lozenges. Native elements underneath, so the keyboard and
// screen readers work as they do everywhere else; tokens, so light and dark themes follow Jira.
import { useEffect, useId, useRef, useState, type CSSProperties, type KeyboardEvent, type ReactNode } from 'react';
import Button from '@atlaskit/button/new';
import { Box, Inline, Stack, Text, xcss } from '@atlaskit/primitives';
import { token } from '@atlaskit/tokens';
import { showFlag } from '@forge/bridge';

export const inputStyle: CSSProperties = {
  font: 'inherit',
  fontSize: '14px',
  color: token('color.text', '#172B4D'),
  backgroundColor: token('color.background.input', '#FFFFFF'),
  border: `1px solid ${token('color.border.input', '#8590A2')}`,
  borderRadius: '3px',
  padding: '6px 8px',
  minHeight: '32px',
  boxSizing: 'border-box',
  width: '100%',
};

const invalidStyle: CSSProperties = { borderColor: token('color.border.danger', '#E2483D') };

function FieldFrame(props: { id: string; label: string; hint?: string | undefined; error?: string | undefined; children: ReactNode; hideLabel?: boolean | undefined }) {
  return (
    <Stack space="space.050">
      <label htmlFor={props.id} style={props.hideLabel ? visuallyHidden : { fontSize: '12px', fontWeight: 600, color: token('color.text.subtle', '#44546F') }}>
        {props.label}
      </label>
      {props.children}
      {props.hint && !props.error && (
        <span id={`${props.id}-hint`} style={{ fontSize: '12px', color: token('color.text.subtlest', '#626F86') }}>
          {props.hint}
        </span>
      )}
      {props.error && (
        <span id={`${props.id}-error`} role="alert" style={{ fontSize: '12px', color: token('color.text.danger', '#AE2E24') }}>
          {props.error}
        </span>
      )}
    </Stack>
  );
}

export const visuallyHidden: CSSProperties = {
  position: 'absolute',
  width: '1px',
  height: '1px',
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
};

function describedBy(id: string, hint?: string, error?: string): string | undefined {
  if (error) return `${id}-error`;
  return hint ? `${id}-hint` : undefined;
}

export function TextField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: string | undefined;
  error?: string | undefined;
  placeholder?: string;
  type?: 'text' | 'password' | 'url';
  hideLabel?: boolean;
  testId?: string;
  list?: string;
  autoFocus?: boolean;
  readOnly?: boolean;
  multiline?: boolean;
  onBlur?: () => void;
}) {
  const id = useId();
  const common = {
    id,
    value: props.value,
    placeholder: props.placeholder,
    'aria-invalid': props.error ? true : undefined,
    'aria-describedby': describedBy(id, props.hint, props.error),
    'data-testid': props.testId,
    readOnly: props.readOnly,
    autoFocus: props.autoFocus,
    onBlur: props.onBlur,
    style: { ...inputStyle, ...(props.error ? invalidStyle : {}) },
  };
  return (
    <FieldFrame id={id} label={props.label} hint={props.hint} error={props.error} hideLabel={props.hideLabel}>
      {props.multiline ? (
        <textarea {...common} rows={6} style={{ ...common.style, fontFamily: 'monospace', fontSize: '12px' }} onChange={(e) => props.onChange(e.target.value)} />
      ) : (
        <input {...common} type={props.type ?? 'text'} list={props.list} autoComplete="off" spellCheck={false} onChange={(e) => props.onChange(e.target.value)} />
      )}
    </FieldFrame>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function SelectField(props: {
  label: string;
  value: string;
  options: readonly Option[];
  onChange: (value: string) => void;
  hint?: string | undefined;
  error?: string | undefined;
  hideLabel?: boolean;
  testId?: string;
}) {
  const id = useId();
  const known = props.options.some((o) => o.value === props.value);
  return (
    <FieldFrame id={id} label={props.label} hint={props.hint} error={props.error} hideLabel={props.hideLabel}>
      <select
        id={id}
        value={props.value}
        data-testid={props.testId}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy(id, props.hint, props.error)}
        onChange={(e) => props.onChange(e.target.value)}
        style={{ ...inputStyle, ...(props.error ? invalidStyle : {}) }}
      >
        {!known && <option value={props.value}>{props.value === '' ? 'Choose…' : props.value}</option>}
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

export function Checkbox(props: { label: string; checked: boolean; onChange: (checked: boolean) => void; hint?: string }) {
  const id = useId();
  return (
    <Stack space="space.050">
      <Inline space="space.100" alignBlock="center">
        <input id={id} type="checkbox" checked={props.checked} onChange={(e) => props.onChange(e.target.checked)} style={{ width: 16, height: 16 }} />
        <label htmlFor={id}>{props.label}</label>
      </Inline>
      {props.hint && (
        <span style={{ fontSize: '12px', color: token('color.text.subtlest', '#626F86'), paddingLeft: 24 }}>{props.hint}</span>
      )}
    </Stack>
  );
}

// ---------------------------------------------------------------- tabs (WAI-ARIA tabs pattern)

export interface TabDef {
  id: string;
  label: string;
}

export function Tabs(props: { tabs: readonly TabDef[]; selected: string; onSelect: (id: string) => void; children: ReactNode }) {
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const base = useId();
  const move = (event: KeyboardEvent<HTMLButtonElement>, index: number) => {
    const last = props.tabs.length - 1;
    const next = event.key === 'ArrowRight' ? (index === last ? 0 : index + 1) : event.key === 'ArrowLeft' ? (index === 0 ? last : index - 1) : event.key === 'Home' ? 0 : event.key === 'End' ? last : undefined;
    if (next === undefined) return;
    event.preventDefault();
    const tab = props.tabs[next];
    if (!tab) return;
    props.onSelect(tab.id);
    refs.current[tab.id]?.focus();
  };
  return (
    <Stack space="space.200">
      <div role="tablist" aria-label="Tandem settings" style={{ display: 'flex', gap: 4, borderBottom: `2px solid ${token('color.border', '#091E4224')}` }}>
        {props.tabs.map((tab, index) => {
          const active = tab.id === props.selected;
          return (
            <button
              key={tab.id}
              ref={(el) => {
                refs.current[tab.id] = el;
              }}
              role="tab"
              id={`${base}-tab-${tab.id}`}
              aria-selected={active}
              aria-controls={`${base}-panel`}
              tabIndex={active ? 0 : -1}
              onClick={() => props.onSelect(tab.id)}
              onKeyDown={(e) => move(e, index)}
              style={{
                font: 'inherit',
                fontWeight: 600,
                background: 'none',
                border: 'none',
                borderBottom: `2px solid ${active ? token('color.border.selected', '#0C66E4') : 'transparent'}`,
                marginBottom: -2,
                padding: '8px 12px',
                cursor: 'pointer',
                color: active ? token('color.text.selected', '#0C66E4') : token('color.text.subtle', '#44546F'),
              }}
            >
              {tab.label}
            </button>
          );
        })}
      </div>
      <div role="tabpanel" id={`${base}-panel`} aria-labelledby={`${base}-tab-${props.selected}`} tabIndex={0}>
        {props.children}
      </div>
    </Stack>
  );
}

// ---------------------------------------------------------------- dialog

export function Dialog(props: { title: string; onClose: () => void; children: ReactNode; footer: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const opener = useRef<Element | null>(null);
  useEffect(() => {
    opener.current = document.activeElement;
    const first = ref.current?.querySelector<HTMLElement>('input, select, textarea, button');
    first?.focus();
    return () => {
      if (opener.current instanceof HTMLElement) opener.current.focus();
    };
  }, []);
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      props.onClose();
      return;
    }
    if (event.key !== 'Tab' || !ref.current) return;
    // Keep focus inside the dialog while it is open.
    const focusable = [...ref.current.querySelectorAll<HTMLElement>('input, select, textarea, button:not([disabled]), [href]')];
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last?.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first?.focus();
    }
  };
  return (
    <div style={{ position: 'fixed', inset: 0, background: token('color.blanket', '#091E427A'), display: 'flex', alignItems: 'flex-start', justifyContent: 'center', paddingTop: 60, zIndex: 100 }}>
      <div
        ref={ref}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onKeyDown={onKeyDown}
        style={{
          background: token('elevation.surface.overlay', '#FFFFFF'),
          boxShadow: token('elevation.shadow.overlay', '0 8px 12px #091E4226'),
          borderRadius: 8,
          width: 'min(600px, 92vw)',
          maxHeight: '80vh',
          overflow: 'auto',
          padding: 24,
          color: token('color.text', '#172B4D'),
        }}
      >
        <Stack space="space.200">
          <h2 id={titleId} style={{ margin: 0, fontSize: 20 }}>
            {props.title}
          </h2>
          {props.children}
          <Inline space="space.100" alignInline="end">
            {props.footer}
          </Inline>
        </Stack>
      </div>
    </div>
  );
}

// ---------------------------------------------------------------- status

export type LampColour = 'green' | 'red' | 'yellow' | 'grey';

const LAMP: Record<LampColour, string> = {
  green: token('color.icon.success', '#22A06B'),
  red: token('color.icon.danger', '#C9372C'),
  yellow: token('color.icon.warning', '#E2B203'),
  grey: token('color.icon.disabled', '#8590A2'),
};

/** A coloured dot with its meaning in words beside it (colour is never the only signal). */
export function Lamp(props: { colour: LampColour; label: string; testId?: string }) {
  return (
    <span data-testid={props.testId} data-lamp={props.colour} style={{ display: 'inline-flex', alignItems: 'center', gap: 6 }}>
      <span aria-hidden="true" style={{ width: 10, height: 10, borderRadius: '50%', background: LAMP[props.colour], display: 'inline-block' }} />
      <span>{props.label}</span>
    </span>
  );
}

const LOZENGE: Record<string, [string, string]> = {
  success: [token('color.background.success', '#DCFFF1'), token('color.text.success', '#216E4E')],
  removed: [token('color.background.danger', '#FFECEB'), token('color.text.danger', '#AE2E24')],
  moved: [token('color.background.warning', '#FFF7D6'), token('color.text.warning', '#A54800')],
  inprogress: [token('color.background.information', '#E9F2FF'), token('color.text.information', '#0055CC')],
  default: [token('color.background.neutral', '#091E420F'), token('color.text.subtle', '#44546F')],
};

export function Lozenge(props: { appearance: keyof typeof LOZENGE; children: ReactNode }) {
  const [background, color] = LOZENGE[props.appearance] ?? LOZENGE.default ?? ['', ''];
  return (
    <span style={{ background, color, borderRadius: 3, padding: '0 4px', fontSize: 11, fontWeight: 700, textTransform: 'uppercase', whiteSpace: 'nowrap' }}>
      {props.children}
    </span>
  );
}

const cardStyles = xcss({
  padding: 'space.200',
  borderRadius: 'radius.large',
  borderWidth: 'border.width',
  borderStyle: 'solid',
  borderColor: 'color.border',
  backgroundColor: 'elevation.surface.raised',
});

export function Card(props: { children: ReactNode; testId?: string; label?: string }) {
  return (
    <Box xcss={cardStyles} testId={props.testId} as="section" {...(props.label ? { 'aria-label': props.label } : {})}>
      <Stack space="space.150">{props.children}</Stack>
    </Box>
  );
}

export function EmptyState(props: { title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <Card>
      <Stack space="space.100" alignInline="start">
        <h3 style={{ margin: 0 }}>{props.title}</h3>
        <Text as="p" color="color.text.subtle">
          {props.children}
        </Text>
        {props.action}
      </Stack>
    </Card>
  );
}

export const tableStyle: CSSProperties = { width: '100%', borderCollapse: 'collapse', fontSize: 14 };
export const cellStyle: CSSProperties = { textAlign: 'left', verticalAlign: 'top', padding: '6px 8px', borderBottom: `1px solid ${token('color.border', '#091E4224')}` };
export const headStyle: CSSProperties = { ...cellStyle, fontSize: 12, color: token('color.text.subtle', '#44546F'), fontWeight: 600 };

// ---------------------------------------------------------------- copy and flags

export function CopyButton(props: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
    } catch {
      // The frame may not be allowed the clipboard API; the old way still works from a click.
      const area = document.createElement('textarea');
      area.value = props.text;
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  return (
    <Button onClick={() => void copy()} aria-label={props.label}>
      {copied ? 'Copied' : 'Copy'}
    </Button>
  );
}

export function CodeBlock(props: { text: string; label: string; testId?: string }) {
  return (
    <pre
      aria-label={props.label}
      data-testid={props.testId}
      tabIndex={0}
      style={{
        margin: 0,
        padding: 12,
        borderRadius: 3,
        background: token('color.background.neutral', '#091E420F'),
        color: token('color.text', '#172B4D'),
        fontSize: 12,
        whiteSpace: 'pre-wrap',
        wordBreak: 'break-all',
      }}
    >
      {props.text}
    </pre>
  );
}

let flagCount = 0;
/** Jira's own flag, bottom left of the page (outside our frame). */
export function flag(type: 'success' | 'error' | 'info' | 'warning', title: string, description?: string): void {
  flagCount += 1;
  try {
    showFlag({ id: `tandem-${flagCount}`, title, type, ...(description ? { description } : {}), isAutoDismiss: type === 'success' });
  } catch {
    // A host without flags: the page itself still shows the outcome.
  }
}

export { Button };
