/** The line that tells people how to undo a run (kept here so the run path need not load the store). */
export function restoreHint(id: string): string {
  return `to undo what the program changed: saferun snapshots restore ${id}`;
}
