/** A file-system error in words people read ("no such file"), else its code. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'ELOOP') return 'symlink loop';
  if (code === 'EACCES') return 'permission denied';
  return code ?? String(error);
}
