// The libraries that are npm workspace packages, read from the data that defines them: the root
// package.json's `workspaces` and each library's package.json (`name`, `exports`). Shared by the build
// (dist/ package links), the lint rule on library boundaries and the import codemod, so adding a library
// is adding its directory to `workspaces` and giving it a package.json.
import { readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..');

/** vitest's `vi.*` calls whose first argument is a module path, checked and rewritten like imports. */
export const VI_PATH_METHODS = new Set(['mock', 'doMock', 'unmock', 'doUnmock', 'importActual', 'importMock']);

/**
 * @typedef {{ subpath: string, specifier: string, file: string }} Entry  one `exports` key: `.` or `./tuf`,
 *   the specifier that imports it (`@ota/protocol/tuf`) and the absolute path of the index file it names.
 * @typedef {{ dir: string, root: string, name: string, entries: Entry[] }} Library
 */

/** @returns {Library[]} */
export function workspaceLibraries(root = REPO_ROOT) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return (pkg.workspaces ?? []).map((dir) => {
    const libRoot = join(root, dir);
    const lib = JSON.parse(readFileSync(join(libRoot, 'package.json'), 'utf8'));
    const entries = Object.entries(lib.exports ?? {}).map(([subpath, target]) => {
      if (typeof target !== 'string' || !target.startsWith('./')) {
        throw new Error(`${dir}/package.json: exports["${subpath}"] must be one "./…" file`);
      }
      return {
        subpath,
        specifier: subpath === '.' ? lib.name : `${lib.name}/${subpath.slice(2)}`,
        file: join(libRoot, target),
      };
    });
    return { dir, root: libRoot, name: lib.name, entries };
  });
}

/** The library whose directory holds `file` (absolute), or undefined. */
export function libraryOf(libraries, file) {
  return libraries.find((lib) => file === lib.root || file.startsWith(lib.root + sep));
}

/** The library a package specifier (`@ota/protocol/tuf`) names, with the rest (`tuf`), or undefined. */
export function packageOf(libraries, specifier) {
  const lib = libraries.find((l) => specifier === l.name || specifier.startsWith(`${l.name}/`));
  return lib && { lib, rest: specifier.slice(lib.name.length + 1) };
}

/** `file` relative to the repository, with forward slashes, for messages. */
export const shown = (file, root = REPO_ROOT) => relative(root, file).split(sep).join('/');
