// Tandem's ADF ⇄ Markdown / plain-text converter: pure functions, no I/O.
export { adfToMarkdown, adfToPlainText } from './to-markdown';
export { markdownToAdf } from './from-markdown';
export type { AdfDoc, AdfMark, AdfNode } from './types';
