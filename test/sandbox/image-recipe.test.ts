import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapBaseName, imageNamesForRecipe, mirrorFromAptSources, sandboxImageName } from '../../src/sandbox/image-recipe.js';

test('the image is tagged by its recipe', () => {
  assert.match(sandboxImageName(), /^saferun-python:[0-9a-f]{12}$/);
  assert.match(bootstrapBaseName(), /^saferun-base:bookworm-[0-9a-f]{12}$/);
  assert.equal(sandboxImageName(), sandboxImageName(), 'stable within a process');
});

test('changing any recipe file or the default base gives a new tag, so the next run rebuilds', () => {
  const recipe = { dockerfile: 'FROM ${BASE}\nUSER sandbox\n', bootstrap: 'debootstrap bookworm\n', base: 'python:3.12-slim' };
  const original = imageNamesForRecipe(recipe);
  assert.deepEqual(imageNamesForRecipe({ ...recipe }), original, 'same recipe, same names');
  const dockerfileChanged = imageNamesForRecipe({ ...recipe, dockerfile: `${recipe.dockerfile}ENV X=1\n` });
  assert.notEqual(dockerfileChanged.image, original.image);
  assert.equal(dockerfileChanged.base, original.base, 'the offline base only depends on the bootstrap script');
  const bootstrapChanged = imageNamesForRecipe({ ...recipe, bootstrap: 'debootstrap --include=python3 bookworm\n' });
  assert.notEqual(bootstrapChanged.image, original.image);
  assert.notEqual(bootstrapChanged.base, original.base);
  assert.notEqual(imageNamesForRecipe({ ...recipe, base: 'python:3.13-slim' }).image, original.image);
  assert.match(original.image, /^saferun-python:[0-9a-f]{12}$/);
});

test('the Debian mirror comes from the host apt sources, never from saferun', () => {
  const table: [{ name: string; text: string }[], string | undefined][] = [
    [[{ name: '/etc/apt/sources.list', text: '# comment\ndeb http://mirror.example/debian bookworm main contrib\n' }], 'http://mirror.example/debian'],
    [[{ name: '/etc/apt/sources.list', text: 'deb [arch=amd64 signed-by=/k.gpg] https://m.example/debian bookworm main\n' }], 'https://m.example/debian'],
    [[{ name: '/etc/apt/sources.list', text: 'deb http://m.example/debian-security bookworm-security main\n' }], undefined],
    [[{ name: '/etc/apt/sources.list.d/debian.sources', text: 'Types: deb\nURIs: http://a.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: http://b.example/debian-security\nSuites: bookworm-security\nComponents: main\n' }], 'http://a.example/debian'],
    [[{ name: '/etc/apt/sources.list.d/x.sources', text: 'Types: deb\nURIs: http://off.example/debian\nSuites: bookworm\nComponents: main\nEnabled: no\n' }], undefined],
    [[{ name: '/etc/apt/sources.list.d/node.sources', text: 'Types: deb\nURIs: https://n.example/node_20.x\nSuites: nodistro\nComponents: main\n' }], undefined],
    [[], undefined],
  ];
  for (const [files, expected] of table) assert.equal(mirrorFromAptSources(files), expected, JSON.stringify(files));
});
