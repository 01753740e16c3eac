import type { CodegenConfig } from '@graphql-codegen/cli'

// Types from the server's schema files and the operations the pages send:
// the contract's (graph/operations) and the front end's own (src/graphql).
const config: CodegenConfig = {
  schema: ['../schema.graphqls', '../schema/*.graphqls'],
  documents: ['../graph/operations/*.graphql', 'src/graphql/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', Date: 'string', LocalTime: 'string' },
      },
      presetConfig: { fragmentMasking: false },
    },
  },
}
export default config
