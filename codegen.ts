import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * `npm run codegen` prints the schema from the Pothos code (src/schema.ts) into
 * schema/schema.graphql, sorted, and types the GraphQL documents the tests write with `graphql()`.
 * `npm run schema:check` fails when the committed output differs from what the code produces.
 */
const config: CodegenConfig = {
  schema: './src/schema.ts',
  documents: ['test/**/*.ts', '!test/generated/**'],
  ignoreNoDocuments: true,
  importExtension: '.js',
  generates: {
    'schema/schema.graphql': {
      plugins: ['schema-ast'],
      config: { includeDirectives: true, sort: true, commentDescriptions: false },
    },
    'test/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string' },
      },
    },
  },
};

export default config;
