// ESLint rule `ota/library-boundaries`: a workspace library (scripts/workspace-libraries.mjs) is imported
// from outside only as its package and the subpaths its package.json exports (`@ota/protocol`,
// `@ota/protocol/tuf`), never by a relative path into its directory nor deeper than its exports; its own
// files import each other by relative path. Checks imports, `export … from`, import() and its types, and
// vi.mock-style paths. scripts/codemod-workspace-imports.mjs rewrites offending imports.
import { dirname, resolve } from 'node:path';
import { libraryOf, packageOf, VI_PATH_METHODS, workspaceLibraries } from './workspace-libraries.mjs';

/** @type {import('eslint').Rule.RuleModule} */
export const libraryBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'import a workspace library only through its package exports' },
    schema: [],
    messages: {
      relative:
        "'{{spec}}' reaches into {{name}} by path: import it from {{name}}'s exports " +
        '(node scripts/codemod-workspace-imports.mjs rewrites it)',
      deep: "'{{spec}}' is not exported by {{name}}: use {{allowed}}",
      self: "'{{spec}}' is this file's own library {{name}}: import its files by relative path",
    },
  },
  create(context) {
    const libraries = workspaceLibraries();
    const own = libraryOf(libraries, context.filename);
    const report = (node, messageId, spec, lib) =>
      context.report({
        node,
        messageId,
        data: { spec, name: lib.name, allowed: lib.entries.map((e) => `'${e.specifier}'`).join(', ') },
      });
    const check = (node) => {
      if (node?.type !== 'Literal' || typeof node.value !== 'string') return;
      const spec = node.value;
      if (spec.startsWith('./') || spec.startsWith('../')) {
        const lib = libraryOf(libraries, resolve(dirname(context.filename), spec));
        if (lib && lib !== own) report(node, 'relative', spec, lib);
        return;
      }
      const pkg = packageOf(libraries, spec);
      if (!pkg) return;
      if (pkg.lib === own) report(node, 'self', spec, pkg.lib);
      else if (!pkg.lib.entries.some((e) => e.specifier === spec)) report(node, 'deep', spec, pkg.lib);
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      TSImportType: (node) => check(node.source ?? node.argument?.literal),
      CallExpression(node) {
        const callee = node.callee;
        const viPath =
          callee.type === 'MemberExpression' &&
          callee.object.type === 'Identifier' &&
          callee.object.name === 'vi' &&
          callee.property.type === 'Identifier' &&
          VI_PATH_METHODS.has(callee.property.name);
        if (viPath) check(node.arguments[0]);
      },
    };
  },
};
