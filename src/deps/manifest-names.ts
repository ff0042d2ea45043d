/** Which file names are dependency manifests. Pure and light: the run loads it before deciding to look closer. */

export type ManifestKind = 'requirements' | 'pyproject' | 'setup.py' | 'setup.cfg' | 'pipfile' | 'pipfile-lock' | 'toml-lock' | 'conda-environment';

export function manifestKind(fileName: string): ManifestKind | undefined {
  const name = fileName.toLowerCase();
  if (name === 'pyproject.toml') return 'pyproject';
  if (name === 'setup.py') return 'setup.py';
  if (name === 'setup.cfg') return 'setup.cfg';
  if (name === 'pipfile') return 'pipfile';
  if (name === 'pipfile.lock') return 'pipfile-lock';
  if (name === 'poetry.lock' || name === 'uv.lock' || name === 'pdm.lock') return 'toml-lock';
  if (/^(environment|conda[-_]?env(ironment)?)\.ya?ml$/.test(name)) return 'conda-environment';
  if (/requirements.*\.(txt|in)$|^(dev|test|build|docs?)-?requirements\.(txt|in)$/.test(name)) return 'requirements';
  return undefined;
}

