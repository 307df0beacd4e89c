// Plain text as ADF, for fields mapped as plain rich text.
type AdfInline = { type: 'text'; text: string } | { type: 'hardBreak' };

/** Plain text as ADF: blank lines separate paragraphs, single newlines become hard breaks. */
export function plainTextToAdf(text: string): { type: 'doc'; version: 1; content: Array<{ type: 'paragraph'; content: AdfInline[] }> } {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n+/)
    .map((block) => block.replace(/^\n+|\n+$/g, ''))
    .filter((block) => block.trim() !== '');
  return {
    type: 'doc',
    version: 1,
    content: paragraphs.map((block) => {
      const content: AdfInline[] = [];
      block.split('\n').forEach((line, index) => {
        if (index > 0) content.push({ type: 'hardBreak' });
        if (line !== '') content.push({ type: 'text', text: line });
      });
      return { type: 'paragraph', content };
    }),
  };
}
