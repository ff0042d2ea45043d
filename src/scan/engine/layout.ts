/**
 * How a source is laid out on screen, for the obfuscation signals that live there: absurdly long
 * lines, and code pushed past the right edge of the editor by a run of blanks. Computed once per
 * module and shared by the rules that ask.
 */
import type { ModuleModel } from './module-model.js';

export interface SourceLayout {
  longestLine: { length: number; row: number };
  /** The first line where code follows 150+ blanks (not inside a string): hidden off-screen. */
  offscreenCode: { row: number; column: number } | undefined;
}

const memo = new WeakMap<ModuleModel, SourceLayout>();
const PADDED_CODE = /[^\s][ \t]{150,}(?=[^\s#])|^[ \t]{150,}(?=[^\s#])/;

export function sourceLayout(model: ModuleModel): SourceLayout {
  const known = memo.get(model);
  if (known) return known;
  const root = model.root;
  const lines = model.lines;
  let longestLine = { length: 0, row: 0 };
  let offscreenCode: SourceLayout['offscreenCode'];
  lines.forEach((line, row) => {
    if (line.length > longestLine.length) longestLine = { length: line.length, row };
    if (offscreenCode || line.length < 150) return;
    const match = PADDED_CODE.exec(line);
    if (!match) return;
    const column = match.index + match[0].length;
    const at = root.descendantForPosition({ row, column });
    if (at && !/string|comment/.test(at.type) && !/string/.test(at.parent?.type ?? '')) offscreenCode = { row, column };
  });
  const layout = { longestLine, offscreenCode };
  memo.set(model, layout);
  return layout;
}

/** Whether the file is laid out to hide code from a reader. */
export function looksObfuscated(model: ModuleModel): boolean {
  const layout = sourceLayout(model);
  return layout.offscreenCode !== undefined || layout.longestLine.length > 2000;
}
