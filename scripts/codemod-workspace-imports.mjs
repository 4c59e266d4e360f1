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
//   … --root DIR                                        another checkout (the tests use a small one)
//
// The entry for an import is the narrowest entry of the library (fewest exports, so it loads least) that
// exports every imported name as the same declaration (TypeScript's checker decides). An import naming nothing it can check (`import * as`, a side effect, `vi.mock` of an
// internal file, `export *`) maps only when it names an entry's index file itself. Unmapped imports are
// listed and the exit status is 1: export the symbol from the right index, then run it again. Running it
// again on a rewritten tree changes nothing.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import * as prettier from 'prettier';
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

/** @returns {ts.SourceFile} */
function parse(file, text) {
  const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : file.endsWith('.mjs') ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
}

/** Every reference from a source file into a library it must reach through its package. */
function libraryReferences(root, libraries) {
  return sourceFiles(root).flatMap((file) =>
    moduleReferences(parse(file, readFileSync(file, 'utf8'))).flatMap(({ literal, names }) => {
      const reached = reachedFile(libraries, file, literal.text);
      return reached ? [{ file, literal, names, ...reached }] : [];
    }),
  );
}

/** `exported(file)`: name → the declaration it finally stands for, from one program over `files`. */
function exportTables(files) {
  const program = ts.createProgram([...new Set(files)], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    noLib: true, // only export tables are read, never diagnostics: no need for the standard library's types
  });
  const checker = program.getTypeChecker();
  const tables = new Map();
  return (file) => {
    if (!tables.has(file)) {
      const sf = program.getSourceFile(file);
      const moduleSymbol = sf && checker.getSymbolAtLocation(sf);
      const table = new Map();
      for (const s of moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []) {
        table.set(s.escapedName, s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
      }
      tables.set(file, table);
    }
    return tables.get(file);
  };
}

/** The entry an import should use: the index it names, or the narrowest entry exporting all it takes. */
function entryFor(ref, exported) {
  const exact = ref.lib.entries.find((e) => e.file === ref.target);
  if (exact || !ref.names) return exact;
  const same = (e, n) => exported(e.file).has(n) && exported(e.file).get(n) === exported(ref.target).get(n);
  // The narrowest entry wins: it loads least (`@ota/protocol/keys` rather than `/tuf`, `/tuf` rather than `.`).
  const narrowest = [...ref.lib.entries].sort((a, b) => exported(a.file).size - exported(b.file).size);
  return narrowest.find((e) => ref.names.every((n) => same(e, n)));
}

/**
 * Merges the import declarations of one kind (value or type) from one package specifier that the rewrite
 * made separate, e.g. `{ a }` from tuf/keys.ts and `{ b }` from tuf/time.ts, both now '@ota/protocol/tuf'.
 */
function mergeImports(file, text, specifiers) {
  const groups = new Map();
  for (const node of parse(file, text).statements) {
    if (!ts.isImportDeclaration(node) || !specifiers.has(node.moduleSpecifier.text)) continue;
    const clause = node.importClause;
    if (!clause || clause.name || !clause.namedBindings || !ts.isNamedImports(clause.namedBindings)) continue;
    const key = `${clause.isTypeOnly ? 'type ' : ''}${node.moduleSpecifier.text}`;
    groups.set(key, [...(groups.get(key) ?? []), node]);
  }
  const edits = [];
  for (const [key, nodes] of groups) {
    if (nodes.length < 2) continue;
    const elements = nodes.flatMap((n) => n.importClause.namedBindings.elements.map((e) => e.getText()));
    const [kind, specifier] = key.startsWith('type ') ? ['type ', key.slice(5)] : ['', key];
    const merged = `import ${kind}{ ${elements.join(', ')} } from '${specifier}';`;
    edits.push({ start: nodes[0].getStart(), end: nodes[0].getEnd(), to: merged });
    for (const n of nodes.slice(1)) edits.push({ start: n.getFullStart(), end: n.getEnd(), to: '' });
  }
  return applyEdits(text, edits);
}

function applyEdits(text, edits) {
  for (const e of [...edits].sort((a, b) => b.start - a.start))
    text = text.slice(0, e.start) + e.to + text.slice(e.end);
  return text;
}

async function rewrite(edits) {
  for (const [file, list] of edits) {
    const rewritten = applyEdits(readFileSync(file, 'utf8'), list);
    const merged = mergeImports(file, rewritten, new Set(list.map((e) => e.to)));
    const options = { ...(await prettier.resolveConfig(file)), filepath: file };
    writeFileSync(file, await prettier.format(merged, options));
  }
}

async function main() {
  const check = process.argv.includes('--check');
  const rootAt = process.argv.indexOf('--root');
  const root = rootAt > 0 ? resolve(process.argv[rootAt + 1] ?? '.') : REPO_ROOT;
  const libraries = workspaceLibraries(root);
  const refs = libraryReferences(root, libraries);
  const entryFiles = libraries.flatMap((l) => l.entries.map((e) => e.file));
  const exported = exportTables([...entryFiles, ...refs.map((r) => r.target)]);

  const unmapped = [];
  const edits = new Map();
  for (const ref of refs) {
    const line = ref.literal.getSourceFile().getLineAndCharacterOfPosition(ref.literal.getStart()).line + 1;
    const where = `${shown(ref.file, root)}:${line}`;
    const entry = entryFor(ref, exported);
    if (!entry) {
      const names = ref.names ? `{ ${ref.names.join(', ')} }` : '(names unknown)';
      unmapped.push(`${where}: '${ref.literal.text}' ${names}: no entry of ${ref.lib.name} exports it`);
      continue;
    }
    const edit = { start: ref.literal.getStart() + 1, end: ref.literal.getEnd() - 1, to: entry.specifier, where };
    edits.set(ref.file, [...(edits.get(ref.file) ?? []), edit]);
  }

  const deep = refs.filter((r) => !r.lib.entries.some((e) => e.file === r.target)).length;
  const dirs = libraries.map((l) => `${l.dir}/`).join(', ');
  console.log(
    `${refs.length} imports reach into ${dirs} from outside: ${deep} into internal files, ` +
      `${refs.length - deep} into an index; ${unmapped.length} cannot be mapped`,
  );
  if (check) {
    for (const list of edits.values()) for (const e of list) console.log(`${e.where}: → '${e.to}'`);
  } else {
    await rewrite(edits);
    console.log(`rewrote ${[...edits.values()].flat().length} imports in ${edits.size} files`);
  }
  for (const line of unmapped) console.error(line);
  process.exitCode = unmapped.length > 0 || (check && refs.length > 0) ? 1 : 0;
}

await main();
