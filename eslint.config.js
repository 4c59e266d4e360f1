import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', 'test-artifacts/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': 'off',
    },
  },
  // The rules of the house: shared code imports none of the programs, programs never import each other.
  {
    files: ['protocol/**', 'uds/**', 'runtime/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['**/backend/**', '**/vehicle-gateway/**', '**/ecu-sim/**', '**/fleet-sim/**'] },
      ],
    },
  },
  {
    files: ['backend/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['**/vehicle-gateway/**', '**/ecu-sim/**', '**/fleet-sim/**', '**/uds/**', 'socketcan'] },
      ],
    },
  },
  {
    files: ['vehicle-gateway/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/backend/**', '**/ecu-sim/**', '**/fleet-sim/**'] }] },
  },
  {
    files: ['fleet-sim/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['**/backend/**', '**/vehicle-gateway/**', '**/ecu-sim/**', '**/uds/**', 'socketcan'] },
      ],
    },
  },
  {
    files: ['ecu-sim/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['**/backend/**', '**/vehicle-gateway/**', '**/fleet-sim/**', 'mqtt', 'aedes'] },
      ],
    },
  },
);
