// What the ADF → text walk carries down the tree: which output it writes and where it is.

export type Flavour = 'markdown' | 'plain';

export interface Ctx {
  flavour: Flavour;
  depth: number;
  /** Inside a GFM table cell: one line, `|` escaped, breaks as `<br>`. */
  cell: boolean;
  /** A heading line: breaks become spaces, a trailing `#` is escaped. */
  heading: boolean;
}

/** Deeper than this, a node shows only its text: input is Jira's and may be nested beyond reason. */
export const MAX_DEPTH = 40;
// Emphasis styles as bits of an atom's `flags`.
export const EM = 1;
export const STRONG = 2;
export const STRIKE = 4;

export function deeper(ctx: Ctx): Ctx {
  return { ...ctx, depth: ctx.depth + 1 };
}
