/** Jupyter notebooks: the code cells, joined, with a map from joined line to cell and line. */
import type { ScanSource } from './source.js';

export function notebookSource(displayPath: string, bytes: Uint8Array): ScanSource | { problem: string } {
  let notebook: unknown;
  try {
    notebook = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return { problem: 'not a valid notebook (JSON parse error)' };
  }
  const cells = (notebook as { cells?: unknown }).cells;
  if (!Array.isArray(cells)) return { problem: 'not a notebook: no cells' };
  const lines: string[] = [];
  const origin: string[] = [];
  cells.forEach((cell: { cell_type?: unknown; source?: unknown }, index) => {
    if (cell?.cell_type !== 'code') return;
    const text = Array.isArray(cell.source) ? cell.source.map(String).join('') : String(cell.source ?? '');
    // IPython magics and shell escapes are not Python; keep the line count, show them as comments.
    text.split('\n').forEach((line, i) => {
      lines.push(/^\s*[!%]/.test(line) ? `# ${line}` : line);
      origin.push(`cell ${index + 1}, line ${i + 1}`);
    });
  });
  return {
    displayPath,
    bytes: Buffer.from(lines.join('\n'), 'utf8'),
    lineMap: (line) => origin[line - 1] ?? `line ${line}`,
  };
}
