// Lint rules: typescript-eslint's recommended set, no console in server code,
// and process.env read only by server/config.ts.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const globals = require('globals');

module.exports = tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'coverage/**', 'public/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['server/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read settings through server/config.ts.' }],
    },
  },
  { files: ['server/config.ts'], rules: { 'no-restricted-properties': 'off' } },
  { files: ['public/**/*.js'], languageOptions: { globals: { ...globals.browser } } },
);
