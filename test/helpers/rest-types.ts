import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';

/**
 * TypeScript types of the REST API, generated from its OpenAPI document by openapi-typescript, for
 * the typed client in test/rest-openapi.test.ts. The committed file must equal a fresh generation
 * from the served document (the test checks it); `npm run rest:types` rewrites it.
 */
export const REST_TYPES_FILE = fileURLToPath(new URL('../generated/rest-api.ts', import.meta.url));

export async function generateRestTypes(document: object): Promise<string> {
  const ast = await openapiTS(document as OpenAPI3, { silent: true, alphabetize: true });
  return COMMENT_HEADER + astToString(ast);
}

// `npm run rest:types`: the document as the server builds it (types do not depend on `servers`).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { REST_ROUTES } = await import('../../src/rest/routes.js');
  const { buildOpenApiDocument } = await import('../../src/rest/openapi.js');
  writeFileSync(REST_TYPES_FILE, await generateRestTypes(buildOpenApiDocument(REST_ROUTES)));
  console.log(`wrote ${REST_TYPES_FILE}`);
}
