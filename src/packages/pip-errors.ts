/**
 * pip's output, turned into one sentence that names the package: the failures a user can meet
 * when packages are prepared (a name the index lacks, an index down or slow, a hash mismatch, a
 * wheel for another platform, an sdist whose build fails, a resolver conflict).
 */
export type PipFailureKind = 'not-found' | 'index-unreachable' | 'hash-mismatch' | 'platform' | 'build-failed' | 'conflict' | 'other';

export interface PipFailure {
  kind: PipFailureKind;
  message: string;
}

const lastMatch = (text: string, pattern: RegExp): RegExpExecArray | null => {
  let found: RegExpExecArray | null = null;
  for (const m of text.matchAll(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`))) found = m as RegExpExecArray;
  return found;
};

export function explainPipFailure(output: string, step: 'download' | 'install'): PipFailure {
  const text = output.replace(/\u001b\[[0-9;]*m/g, '');
  const hash = /THESE PACKAGES DO NOT MATCH THE HASHES[\s\S]*?\n\s+(\S+?)(?:==(\S+))? from /.exec(text);
  if (hash) return { kind: 'hash-mismatch', message: `package ${hash[1]}${hash[2] ? ` ${hash[2]}` : ''}: the file downloaded does not match the hash the requirements pin; nothing was installed` };
  if (/Hashes are required in --require-hashes mode/.test(text)) {
    const name = /but they are missing[\s\S]*?\n\s+(\S+)/.exec(text)?.[1];
    return { kind: 'hash-mismatch', message: `${name ? `package ${name}: ` : ''}every requirement needs a --hash once one has it (a dependency was not pinned with a hash)` };
  }
  const conflict = /(?:ResolutionImpossible|conflicting dependencies|Cannot install (.+?) because)/.exec(text);
  if (conflict) {
    const who = /Cannot install (.+?) because/.exec(text)?.[1];
    return { kind: 'conflict', message: `the requirements conflict${who ? ` (${who})` : ''}: no set of versions satisfies them all` };
  }
  const unreachable = /(ProxyError|Connection refused|Max retries exceeded|Read timed out|ConnectTimeout|Temporary failure in name resolution|403 Forbidden|Network is unreachable)/.exec(text);
  const missing = lastMatch(text, /No matching distribution found for (\S+)/);
  if (unreachable && missing) {
    return { kind: 'index-unreachable', message: `package ${missing[1]}: the index could not be reached (${unreachable[1]}); check --index-url and that it is up` };
  }
  if (missing) {
    const platform = /is not a supported wheel on this platform|none of the available wheels/.test(text);
    return platform
      ? { kind: 'platform', message: `package ${missing[1]}: the index has only wheels for another platform or Python; nothing was installed` }
      : { kind: 'not-found', message: `package ${missing[1]}: the index has no distribution that matches (a misspelt name, a version that does not exist, or sdists refused by --only-binary)` };
  }
  const platform = /(\S+\.whl) is not a supported wheel on this platform/.exec(text);
  if (platform) return { kind: 'platform', message: `${platform[1]} is a wheel for another platform or Python; nothing was installed` };
  const build = /(?:Failed to build|Building wheel for|Running setup\.py install for|Preparing metadata \(setup\.py\)|Getting requirements to build wheel)[^\n]*?([A-Za-z0-9_.-]+)?[^\n]*\n[\s\S]*?(subprocess-exited-with-error|did not run successfully)/.exec(text);
  if (build || /subprocess-exited-with-error/.test(text)) {
    const name = /(?:Failed to build|Building wheel for|Collecting|Processing)\s+(\S+)/.exec(text)?.[1] ?? 'an sdist';
    return { kind: 'build-failed', message: `package ${name.replace(/^\/\S*\//, '')}: its sdist did not build (its setup.py failed inside the sandbox); nothing was installed` };
  }
  if (unreachable) return { kind: 'index-unreachable', message: `the index could not be reached (${unreachable[1]}); check --index-url and that it is up` };
  const lastError = lastMatch(text, /^ERROR: (.+)$/m)?.[1];
  return { kind: 'other', message: `pip ${step} failed${lastError ? `: ${lastError}` : ''}` };
}
