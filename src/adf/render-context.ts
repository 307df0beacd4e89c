// What the ADF → mdast walk carries down the tree: which output it is for and where it is.

export type Flavour = 'markdown' | 'plain';

export interface Ctx {
  flavour: Flavour;
  depth: number;
  /** A heading line: breaks become spaces. */
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
