#!/usr/bin/env node
// Rewrites every import that reaches into a workspace library from outside it (a relative path into
// protocol/, uds/, …, or a package specifier deeper than the library's `exports`) to the package
// specifier of the library's public entry that exports what the import names: `@ota/protocol`,
// `@ota/protocol/tuf`, … Covers .ts/.tsx/.mjs files: `import`, `import type`, `export … from`, dynamic
// `import()`, `import('…')` types and vi.mock-style paths. The libraries come from
// scripts/workspace-libraries.mjs (the root package.json's `workspaces`), so a new library is data.
//
//   node scripts/codemod-workspace-imports.mjs          rewrite, then list what could not be mapped
//   node scripts/codemod-workspace-imports.mjs --check  only count and list; exit 1 when any is left
//
// The entry for an import is the deepest entry of the library whose directory holds the imported file,
// then the shallower ones, that exports every imported name as the same declaration (TypeScript's
// checker decides). An import naming nothing it can check (`import * as`, a side effect, `vi.mock` of an
// internal file, `export *`) maps only when it names an entry's index file itself. Unmapped imports are
// listed and the exit status is 1: export the symbol from the right index, then run it again. Running it
// again on a rewritten tree changes nothing.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import ts from 'typescript';
import { libraryOf, packageOf, REPO_ROOT, shown, VI_PATH_METHODS, workspaceLibraries } from './workspace-libraries.mjs';

const SOURCE_EXTENSIONS = new Set(['.ts', '.tsx', '.mjs']);
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', '.data', 'test-artifacts']);

/** @returns {string[]} the source files under `dir` */
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return SKIPPED_DIRS.has(d.name) ? [] : sourceFiles(path);
    return d.isFile() && SOURCE_EXTENSIONS.has(extname(d.name)) && !d.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Names bound from a dynamic import: `const { a, b } = await import(…)` or `(await import(…)).a`. */
function dynamicImportNames(call) {
  let node = call.parent;
  if (!ts.isAwaitExpression(node)) return null;
  node = node.parent;
  while (ts.isParenthesizedExpression(node)) node = node.parent;
  if (ts.isVariableDeclaration(node) && ts.isObjectBindingPattern(node.name)) {
    const names = node.name.elements.map((e) => (e.propertyName ?? e.name).getText());
    return node.name.elements.some((e) => e.dotDotDotToken) ? null : names;
  }
  if (ts.isPropertyAccessExpression(node)) return [node.name.text];
  return null;
}

/**
 * Every module specifier in a file with the names it takes from the module (null: it cannot tell).
 * @returns {{ literal: ts.StringLiteral, names: string[] | null }[]}
 */
function moduleReferences(sourceFile) {
  const found = [];
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      let names = null;
      if (clause && !(clause.namedBindings && ts.isNamespaceImport(clause.namedBindings))) {
        names = [
          ...(clause.name ? ['default'] : []),
          ...(clause.namedBindings?.elements ?? []).map((e) => (e.propertyName ?? e.name).text),
        ];
      }
      found.push({ literal: node.moduleSpecifier, names });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.exportClause;
      const names =
        clause && ts.isNamedExports(clause) ? clause.elements.map((e) => (e.propertyName ?? e.name).text) : null;
      found.push({ literal: node.moduleSpecifier, names });
    } else if (ts.isCallExpression(node) && node.arguments.length > 0 && ts.isStringLiteral(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword) {
        found.push({ literal: node.arguments[0], names: dynamicImportNames(node) });
      } else if (
        ts.isPropertyAccessExpression(callee) &&
        ts.isIdentifier(callee.expression) &&
        callee.expression.text === 'vi' &&
        VI_PATH_METHODS.has(callee.name.text)
      ) {
        found.push({ literal: node.arguments[0], names: null });
      }
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const literal = node.argument.literal;
      const first = node.qualifier && (ts.isIdentifier(node.qualifier) ? node.qualifier : node.qualifier.left);
      if (ts.isStringLiteral(literal)) found.push({ literal, names: first ? [first.getText()] : null });
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

/** The library file a specifier reaches from `file`, when it reaches into a library it must not. */
function reachedFile(libraries, file, specifier) {
  let target;
  if (specifier.startsWith('./') || specifier.startsWith('../')) {
    target = resolve(dirname(file), specifier);
  } else {
    const pkg = packageOf(libraries, specifier);
    if (!pkg || pkg.lib.entries.some((e) => e.specifier === specifier)) return undefined;
    target = join(pkg.lib.root, pkg.rest);
  }
  const lib = libraryOf(libraries, target);
  if (!lib || libraryOf(libraries, file) === lib) return undefined;
  if (statSync(target, { throwIfNoEntry: false })?.isDirectory()) target = join(target, 'index.ts');
  return { lib, target };
}

/** Candidate entries for `target`: those whose directory holds it, deepest first, then the rest. */
function candidates(lib, target) {
  const holds = (e) => target.startsWith(dirname(e.file) + sep);
  const depth = (e) => dirname(e.file).length;
  return [...lib.entries].sort((a, b) => Number(holds(b)) - Number(holds(a)) || depth(b) - depth(a));
}

function main() {
  const check = process.argv.includes('--check');
  const libraries = workspaceLibraries();
  const refs = [];
  for (const file of sourceFiles(REPO_ROOT)) {
    const text = readFileSync(file, 'utf8');
    const kind = file.endsWith('.tsx')
      ? ts.ScriptKind.TSX
      : file.endsWith('.mjs')
        ? ts.ScriptKind.JS
        : ts.ScriptKind.TS;
    const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
    for (const { literal, names } of moduleReferences(sourceFile)) {
      const reached = reachedFile(libraries, file, literal.text);
      if (reached) refs.push({ file, text, literal, names, ...reached });
    }
  }

  // One program over the entries and the files reached, to compare what each exports.
  const entryFiles = libraries.flatMap((l) => l.entries.map((e) => e.file));
  const program = ts.createProgram([...new Set([...entryFiles, ...refs.map((r) => r.target)])], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const exportsOf = new Map();
  /** name → the declaration it finally stands for, of the module in `file` */
  const exported = (file) => {
    if (!exportsOf.has(file)) {
      const sf = program.getSourceFile(file);
      const moduleSymbol = sf && checker.getSymbolAtLocation(sf);
      const table = new Map();
      for (const s of moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []) {
        table.set(s.escapedName, s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
      }
      exportsOf.set(file, table);
    }
    return exportsOf.get(file);
  };

  const unmapped = [];
  const edits = new Map();
  for (const ref of refs) {
    const exact = ref.lib.entries.find((e) => e.file === ref.target);
    const entry =
      exact ??
      (ref.names &&
        candidates(ref.lib, ref.target).find((e) =>
          ref.names.every((n) => exported(e.file).has(n) && exported(e.file).get(n) === exported(ref.target).get(n)),
        ));
    const line = ref.literal.getSourceFile().getLineAndCharacterOfPosition(ref.literal.getStart()).line + 1;
    const where = `${shown(ref.file)}:${line}`;
    if (!entry) {
      const names = ref.names ? `{ ${ref.names.join(', ')} }` : '(names unknown)';
      unmapped.push(`${where}: '${ref.literal.text}' ${names} — no entry of ${ref.lib.name} exports it`);
      continue;
    }
    const list = edits.get(ref.file) ?? [];
    list.push({ start: ref.literal.getStart() + 1, end: ref.literal.getEnd() - 1, to: entry.specifier, where });
    edits.set(ref.file, list);
  }

  const deep = refs.filter((r) => !r.lib.entries.some((e) => e.file === r.target)).length;
  console.log(
    `${refs.length} imports reach into ${libraries.map((l) => l.dir + '/').join(', ')} from outside: ` +
      `${deep} into internal files, ${refs.length - deep} into an index; ${unmapped.length} cannot be mapped`,
  );
  if (check) {
    for (const list of edits.values()) for (const e of list) console.log(`${e.where}: → '${e.to}'`);
  } else {
    for (const [file, list] of edits) {
      let text = readFileSync(file, 'utf8');
      for (const e of list.sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.to + text.slice(e.end);
      writeFileSync(file, text);
    }
    console.log(`rewrote ${[...edits.values()].flat().length} imports in ${edits.size} files`);
  }
  for (const line of unmapped) console.error(line);
  process.exitCode = unmapped.length > 0 || (check && refs.length > 0) ? 1 : 0;
}

main();
