// The page's building blocks, on Atlaskit's own components (text fields, selects, checkboxes, tabs,
// modal dialogs, lozenges) and design tokens through `xcss`, so the keyboard, screen readers and
// Jira's light and dark themes work as everywhere else in Jira. Tabs use these, never raw controls.
import { Children, createContext, useContext, useId, useState, useSyncExternalStore, type ReactNode } from 'react';
import Button from '@atlaskit/button/new';
import Checkbox from '@atlaskit/checkbox';
import { ErrorMessage, HelperMessage, Label } from '@atlaskit/form';
import Heading from '@atlaskit/heading';
import AkLozenge from '@atlaskit/lozenge';
import Modal, { ModalBody, ModalFooter, ModalHeader, ModalTitle, ModalTransition } from '@atlaskit/modal-dialog';
import { Box, Inline, Stack, Text, xcss } from '@atlaskit/primitives';
import SectionMessage, { SectionMessageAction } from '@atlaskit/section-message';
import Select from '@atlaskit/select';
import AkTabs, { Tab, TabList, TabPanel } from '@atlaskit/tabs';
import TextArea from '@atlaskit/textarea';
import Textfield from '@atlaskit/textfield';
import VisuallyHidden from '@atlaskit/visually-hidden';
import { showFlag } from '@forge/bridge';
import type { AdminError, AdminErrorCode } from '../../../src/contract/admin';

// ---------------------------------------------------------------- fields

function FieldFrame(props: { id: string; label: string; hint?: string | undefined; error?: string | undefined; children: ReactNode; hideLabel?: boolean | undefined }) {
  const stacked = useContext(StackedTable);
  return (
    <Stack space="space.050">
      {props.hideLabel && stacked ? (
        // A row stacked on a narrow page has no column headers above it: its labels show instead.
        <Label htmlFor={props.id}>{props.label}</Label>
      ) : props.hideLabel ? (
        <VisuallyHidden>
          <label htmlFor={props.id}>{props.label}</label>
        </VisuallyHidden>
      ) : (
        <Label htmlFor={props.id}>{props.label}</Label>
      )}
      {props.children}
      {props.hint && !props.error && (
        <Box id={`${props.id}-hint`}>
          <HelperMessage>{props.hint}</HelperMessage>
        </Box>
      )}
      {props.error && (
        <Box id={`${props.id}-error`} role="alert">
          <ErrorMessage>{props.error}</ErrorMessage>
        </Box>
      )}
    </Stack>
  );
}

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
  /** A datalist of suggestions (free text stays allowed). */
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
    isInvalid: Boolean(props.error),
    isReadOnly: props.readOnly ?? false,
    'aria-describedby': describedBy(id, props.hint, props.error),
    ...(props.placeholder === undefined ? {} : { placeholder: props.placeholder }),
    ...(props.testId === undefined ? {} : { testId: props.testId }),
    ...(props.onBlur === undefined ? {} : { onBlur: props.onBlur }),
    autoFocus: props.autoFocus ?? false,
    spellCheck: false,
  };
  return (
    <FieldFrame id={id} label={props.label} hint={props.hint} error={props.error} hideLabel={props.hideLabel}>
      {props.multiline ? (
        <TextArea {...common} minimumRows={6} resize="vertical" isMonospaced onChange={(e) => props.onChange(e.currentTarget.value)} />
      ) : (
        <Textfield {...common} type={props.type ?? 'text'} list={props.list} autoComplete="off" onChange={(e) => props.onChange(e.currentTarget.value)} />
      )}
    </FieldFrame>
  );
}

/** A text box of several lines that stays plain text (fixed values, JSON). */
export function TextAreaField(props: { label: string; value: string; onChange: (value: string) => void; error?: string | undefined; hideLabel?: boolean; rows?: number }) {
  const id = useId();
  return (
    <FieldFrame id={id} label={props.label} error={props.error} hideLabel={props.hideLabel}>
      <TextArea
        id={id}
        value={props.value}
        isInvalid={Boolean(props.error)}
        aria-describedby={describedBy(id, undefined, props.error)}
        minimumRows={props.rows ?? 2}
        resize="vertical"
        onChange={(e) => props.onChange(e.currentTarget.value)}
      />
    </FieldFrame>
  );
}

export interface Option {
  value: string;
  label: string;
}

/** Lists longer than this can be searched by typing (projects, fields, statuses). */
const SEARCHABLE_FROM = 8;

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
  const known = props.options.find((o) => o.value === props.value);
  // A saved value the list does not offer (yet) stays shown as it is.
  const options = known || props.value === '' ? props.options : [{ value: props.value, label: props.value }, ...props.options];
  const selected = known ?? (props.value === '' ? null : { value: props.value, label: props.value });
  return (
    <FieldFrame id={id} label={props.label} hint={props.hint} error={props.error} hideLabel={props.hideLabel}>
      <Select<Option>
        inputId={id}
        options={options}
        value={selected}
        isSearchable={options.length >= SEARCHABLE_FROM}
        isInvalid={Boolean(props.error)}
        aria-describedby={describedBy(id, props.hint, props.error)}
        onChange={(option) => option && props.onChange(option.value)}
        menuPortalTarget={document.body}
        // eslint-disable-next-line @atlaskit/design-system/no-unsafe-style-overrides -- a chosen label must wrap, never be cut off (see selectStyles)
        styles={selectStyles}
        {...(props.testId === undefined ? {} : { testId: props.testId })}
      />
    </FieldFrame>
  );
}

// The chosen label wraps between words instead of being cut off with an ellipsis; `break-word`
// (not `anywhere`) keeps each word's width in the column's minimum, so a table never squeezes a
// label to a letter a line ("B u g"). The menu sits above tables and dialogs.
const selectStyles = {
  singleValue: (base: object) => ({ ...base, whiteSpace: 'normal', overflow: 'visible', textOverflow: 'clip', overflowWrap: 'break-word' }),
  menuPortal: (base: object) => ({ ...base, zIndex: 900 }),
} as const;

export function CheckboxField(props: { label: string; checked: boolean; onChange: (checked: boolean) => void; hint?: string }) {
  const id = useId();
  return (
    <Stack space="space.050">
      <Checkbox id={id} label={props.label} isChecked={props.checked} onChange={(e) => props.onChange(e.currentTarget.checked)} aria-describedby={props.hint ? `${id}-hint` : undefined} />
      {props.hint && (
        <Box id={`${id}-hint`} xcss={checkboxHintStyles}>
          <HelperMessage>{props.hint}</HelperMessage>
        </Box>
      )}
    </Stack>
  );
}
const checkboxHintStyles = xcss({ paddingInlineStart: 'space.300' });

// ---------------------------------------------------------------- tabs

export interface TabDef {
  id: string;
  label: string;
  /** The tab holds unsaved edits: marked in words (for screen readers) and with a dot. */
  unsaved?: boolean;
}

/** Atlaskit's tabs; only the open tab's panel is mounted, so a hidden tab does not poll the backend. */
export function Tabs(props: { tabs: readonly TabDef[]; selected: string; onSelect: (id: string) => void; children: ReactNode[] }) {
  const index = Math.max(0, props.tabs.findIndex((t) => t.id === props.selected));
  const panels = Children.toArray(props.children);
  return (
    <AkTabs id="tandem-tabs" selected={index} onChange={(next) => props.onSelect(props.tabs[next]?.id ?? props.selected)} shouldUnmountTabPanelOnChange>
      <TabList>
        {props.tabs.map((tab) => (
          <Tab key={tab.id} testId={`tab-${tab.id}`}>
            {tab.label}
            {tab.unsaved && (
              <>
                <Box as="span" aria-hidden="true" xcss={unsavedDotStyles} testId={`unsaved-${tab.id}`} />
                <VisuallyHidden> (unsaved changes)</VisuallyHidden>
              </>
            )}
          </Tab>
        ))}
      </TabList>
      {props.tabs.map((tab, i) => (
        <TabPanel key={tab.id}>
          <Box xcss={tabPanelStyles}>{panels[i]}</Box>
        </TabPanel>
      ))}
    </AkTabs>
  );
}
const unsavedDotStyles = xcss({
  display: 'inline-block',
  width: '8px',
  height: '8px',
  marginInlineStart: 'space.075',
  borderRadius: 'radius.full',
  backgroundColor: 'color.background.warning.bold',
});
const tabPanelStyles = xcss({ paddingBlockStart: 'space.200', width: '100%' });

// ---------------------------------------------------------------- dialog

export function Dialog(props: { title: string; onClose: () => void; children: ReactNode; footer: ReactNode }) {
  return (
    <ModalTransition>
      <Modal onClose={props.onClose} width="medium">
        <ModalHeader hasCloseButton>
          <ModalTitle>{props.title}</ModalTitle>
        </ModalHeader>
        <ModalBody>
          <Stack space="space.200">{props.children}</Stack>
        </ModalBody>
        <ModalFooter>{props.footer}</ModalFooter>
      </Modal>
    </ModalTransition>
  );
}

// ---------------------------------------------------------------- status

export type LampColour = 'green' | 'red' | 'yellow' | 'grey';

const lampBase = xcss({ width: '10px', height: '10px', borderRadius: 'radius.full', display: 'inline-block' });
const LAMP = {
  green: xcss({ backgroundColor: 'color.background.success.bold' }),
  red: xcss({ backgroundColor: 'color.background.danger.bold' }),
  yellow: xcss({ backgroundColor: 'color.background.warning.bold' }),
  grey: xcss({ backgroundColor: 'color.background.accent.gray.subtle' }),
} as const;

/** A coloured dot with its meaning in words beside it (colour is never the only signal). */
export function Lamp(props: { colour: LampColour; label: string; testId?: string }) {
  return (
    <Box as="span" testId={props.testId} data-lamp={props.colour}>
      <Inline space="space.075" alignBlock="center">
        <Box as="span" aria-hidden="true" xcss={[lampBase, LAMP[props.colour]]} />
        <Text>{props.label}</Text>
      </Inline>
    </Box>
  );
}

export function Lozenge(props: { appearance: 'success' | 'removed' | 'moved' | 'inprogress' | 'default'; children: ReactNode }) {
  return <AkLozenge appearance={props.appearance}>{props.children}</AkLozenge>;
}

const cardStyles = xcss({
  padding: 'space.200',
  borderRadius: 'radius.large',
  borderWidth: 'border.width',
  borderStyle: 'solid',
  borderColor: 'color.border',
  backgroundColor: 'elevation.surface.raised',
  minWidth: '0',
});

export function Card(props: { children: ReactNode; testId?: string; label?: string }) {
  return (
    <Box xcss={cardStyles} testId={props.testId} as="section" {...(props.label ? { 'aria-label': props.label } : {})}>
      <Stack space="space.150">{props.children}</Stack>
    </Box>
  );
}

/** A card's title. */
export function CardTitle(props: { children: ReactNode }) {
  return (
    <Heading size="small" as="h3">
      {props.children}
    </Heading>
  );
}

export function EmptyState(props: { title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <Card>
      <Stack space="space.100" alignInline="start">
        <CardTitle>{props.title}</CardTitle>
        <Text as="p" color="color.text.subtle">
          {props.children}
        </Text>
        {props.action}
      </Stack>
    </Card>
  );
}

// ---------------------------------------------------------------- tables

/** Inside a table whose rows are stacked because the page is narrower than Atlaskit's `md` breakpoint. */
const StackedTable = createContext(false);

const WIDE = '(min-width: 64rem)';
function subscribeWide(onChange: () => void): () => void {
  const query = window.matchMedia(WIDE);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}
/** Whether the page is at least 1024 px wide (Atlaskit's `md`), following resizes. */
function useWide(): boolean {
  return useSyncExternalStore(subscribeWide, () => window.matchMedia(WIDE).matches);
}

const scrollStyles = xcss({ overflowX: 'auto', width: '100%' });
const tableStyles = xcss({ width: '100%', borderCollapse: 'collapse' });
const cellStyles = xcss({
  textAlign: 'start',
  verticalAlign: 'top',
  paddingBlock: 'space.075',
  paddingInline: 'space.100',
  borderBlockEndWidth: 'border.width',
  borderBlockEndStyle: 'solid',
  borderBlockEndColor: 'color.border',
  // Wraps between words; `anywhere` would let a narrow page squeeze a column to a letter a line ("StackFl ow").
  overflowWrap: 'break-word',
});
const headStyles = xcss({ font: 'font.body.small', fontWeight: 'font.weight.semibold', color: 'color.text.subtle' });
const captionStyles = xcss({ textAlign: 'start', fontWeight: 'font.weight.semibold', paddingBlock: 'space.050' });
const stackedStyles = xcss({ display: 'block' });

/**
 * A table on tokens. `stack` turns each row into a block of labelled fields, for editors whose
 * columns would otherwise be squeezed below what their controls need on a narrow page.
 */
export function Table(props: { children: ReactNode; caption?: string; testId?: string; stack?: boolean }) {
  const wide = useWide();
  const stack = (props.stack ?? false) && !wide;
  return (
    <StackedTable.Provider value={stack}>
      <Box xcss={scrollStyles}>
        <Box as="table" xcss={[tableStyles, stack ? stackedStyles : undefined]} testId={props.testId}>
          {props.caption && (
            <Box as="caption" xcss={captionStyles}>
              {props.caption}
            </Box>
          )}
          {props.children}
        </Box>
      </Box>
    </StackedTable.Provider>
  );
}

/** The header row: on a narrow page a stacked table shows each field's label instead. */
export function Head(props: { children: ReactNode }) {
  const stacked = useContext(StackedTable);
  return stacked ? null : <thead>{props.children}</thead>;
}

export function Body(props: { children: ReactNode }) {
  const stacked = useContext(StackedTable);
  return (
    <Box as="tbody" xcss={stacked ? stackedBodyStyles : undefined}>
      {props.children}
    </Box>
  );
}

export function Row(props: { children: ReactNode; testId?: string }) {
  const stacked = useContext(StackedTable);
  return (
    <Box as="tr" xcss={stacked ? stackedRowStyles : undefined} testId={props.testId}>
      {props.children}
    </Box>
  );
}

export function HeadCell(props: { children?: ReactNode }) {
  return (
    <Box as="th" scope="col" xcss={[cellStyles, headStyles]}>
      {props.children}
    </Box>
  );
}

/** `whole` keeps a value on one line that must not break at its hyphen (an issue key: OPS-12). */
export function Cell(props: { children?: ReactNode; minWidth?: 'select' | 'narrow' | 'medium' | 'wide'; whole?: boolean; 'aria-live'?: 'polite' }) {
  const stacked = useContext(StackedTable);
  return (
    <Box
      as="td"
      aria-live={props['aria-live']}
      xcss={[cellStyles, props.minWidth ? CELL_WIDTH[props.minWidth] : undefined, props.whole ? wholeStyles : undefined, stacked ? stackedCellStyles : undefined]}
    >
      {props.children}
    </Box>
  );
}
/** A row's Remove button in its own cell; `label` says which row, for a screen reader. */
export function RemoveCell(props: { label: string; onRemove: () => void }) {
  return (
    <Cell>
      <Button appearance="subtle" onClick={props.onRemove} aria-label={props.label}>
        Remove
      </Button>
    </Cell>
  );
}
const wholeStyles = xcss({ whiteSpace: 'nowrap' });
const stackedBodyStyles = xcss({ display: 'block' });
const stackedRowStyles = xcss({
  display: 'block',
  paddingBlock: 'space.100',
  borderBlockEndWidth: 'border.width',
  borderBlockEndStyle: 'solid',
  borderBlockEndColor: 'color.border',
});
// Every stacked field starts at the card's edge (css-reset takes the first cell's padding away, not the others').
const stackedCellStyles = xcss({ display: 'block', borderBlockEndWidth: '0', paddingInline: 'space.0' });

let rowCount = 0;
/**
 * Keys for rows that have no id of their own (mapping rows): a removed row takes its key with it,
 * so the rows after it keep what is theirs (a field check, text being typed, focus).
 */
export function useRowKeys(count: number): { keys: readonly string[]; removed: (index: number) => void } {
  const [keys, setKeys] = useState<string[]>(() => Array.from({ length: count }, () => `row-${++rowCount}`));
  let current = keys;
  // Rows added (or replaced by a discard, an import) get new keys; those that stay keep theirs.
  if (keys.length !== count) {
    current = keys.length < count ? [...keys, ...Array.from({ length: count - keys.length }, () => `row-${++rowCount}`)] : keys.slice(0, count);
    setKeys(current);
  }
  return { keys: current, removed: (index) => setKeys((k) => k.filter((_, i) => i !== index)) };
}
const CELL_WIDTH = {
  // A select with a short choice ("Task", "No board"): room for the word beside the select's arrow.
  select: xcss({ minWidth: '104px' }),
  narrow: xcss({ minWidth: '120px' }),
  medium: xcss({ minWidth: '180px' }),
  wide: xcss({ minWidth: '240px' }),
} as const;

// ---------------------------------------------------------------- refusals

/**
 * How each refusal reads, by its code (never by its words): FAILED and BUSY pass, so they offer
 * Try again; the others need something changed first, which their message says.
 */
const REFUSALS: Record<AdminErrorCode, { appearance: 'error' | 'warning' | 'information'; title: string; passes: boolean }> = {
  FAILED: { appearance: 'error', title: 'Tandem could not finish this just now', passes: true },
  BUSY: { appearance: 'information', title: 'Tandem is busy with this just now', passes: true },
  FORBIDDEN: { appearance: 'warning', title: 'Not allowed', passes: false },
  NOT_FOUND: { appearance: 'warning', title: 'No longer there', passes: false },
  CONFLICT: { appearance: 'warning', title: 'Not done', passes: false },
  INVALID: { appearance: 'error', title: 'Not done', passes: false },
};

/** A refused or failed answer, read out at once; `onTryAgain` is offered when the refusal passes by itself. */
export function Refusal(props: { error: AdminError; title?: string; onTryAgain?: () => void; headingLevel?: 'h2' | 'h3' }) {
  const kind = REFUSALS[props.error.code];
  const again = kind.passes ? props.onTryAgain : undefined;
  return (
    <Box role="alert" testId={`refusal-${props.error.code}`}>
      <SectionMessage
        appearance={kind.appearance}
        title={props.title ?? kind.title}
        headingLevel={props.headingLevel ?? 'h3'}
        {...(again
          ? {
              actions: [
                <SectionMessageAction key="again" onClick={again}>
                  Try again
                </SectionMessageAction>,
              ],
            }
          : {})}
      >
        <Text as="p">{props.error.message}</Text>
      </SectionMessage>
    </Box>
  );
}

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

const codeStyles = xcss({
  margin: 'space.0',
  padding: 'space.150',
  borderRadius: 'radius.small',
  backgroundColor: 'color.background.neutral',
  color: 'color.text',
  font: 'font.code',
  whiteSpace: 'pre-wrap',
  wordBreak: 'break-all',
});

export function CodeBlock(props: { text: string; label: string; testId?: string }) {
  return (
    <Box as="pre" aria-label={props.label} testId={props.testId} tabIndex={0} xcss={codeStyles}>
      {props.text}
    </Box>
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
