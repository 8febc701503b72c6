/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      token\n      apiToken {\n        id\n        name\n        hint\n        abilities\n        expiresAt\n        active\n      }\n    }\n  }\n": typeof types.CreateApiTokenDocument,
    "\n  query ApiTokens {\n    apiTokens(first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          abilities\n          lastUsedAt\n          revokedAt\n        }\n      }\n    }\n  }\n": typeof types.ApiTokensDocument,
    "\n  query Viewer {\n    viewer {\n      kind\n      tokenName\n      tenant {\n        subdomain\n      }\n    }\n  }\n": typeof types.ViewerDocument,
    "\n  mutation CreateStatus($input: CreateStatusInput!) {\n    createStatus(input: $input) {\n      status {\n        id\n        name\n        color\n        createdAt\n      }\n    }\n  }\n": typeof types.CreateStatusDocument,
    "\n  mutation UpdateStatus($input: UpdateStatusInput!) {\n    updateStatus(input: $input) {\n      status {\n        id\n        name\n        color\n      }\n    }\n  }\n": typeof types.UpdateStatusDocument,
    "\n  mutation DeleteStatus($id: ID!) {\n    deleteStatus(input: { id: $id }) {\n      deletedStatusId\n    }\n  }\n": typeof types.DeleteStatusDocument,
    "\n  query Statuses($first: Int, $after: String, $last: Int, $before: String) {\n    statuses(first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          name\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": typeof types.StatusesDocument,
};
const documents: Documents = {
    "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      token\n      apiToken {\n        id\n        name\n        hint\n        abilities\n        expiresAt\n        active\n      }\n    }\n  }\n": types.CreateApiTokenDocument,
    "\n  query ApiTokens {\n    apiTokens(first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          abilities\n          lastUsedAt\n          revokedAt\n        }\n      }\n    }\n  }\n": types.ApiTokensDocument,
    "\n  query Viewer {\n    viewer {\n      kind\n      tokenName\n      tenant {\n        subdomain\n      }\n    }\n  }\n": types.ViewerDocument,
    "\n  mutation CreateStatus($input: CreateStatusInput!) {\n    createStatus(input: $input) {\n      status {\n        id\n        name\n        color\n        createdAt\n      }\n    }\n  }\n": types.CreateStatusDocument,
    "\n  mutation UpdateStatus($input: UpdateStatusInput!) {\n    updateStatus(input: $input) {\n      status {\n        id\n        name\n        color\n      }\n    }\n  }\n": types.UpdateStatusDocument,
    "\n  mutation DeleteStatus($id: ID!) {\n    deleteStatus(input: { id: $id }) {\n      deletedStatusId\n    }\n  }\n": types.DeleteStatusDocument,
    "\n  query Statuses($first: Int, $after: String, $last: Int, $before: String) {\n    statuses(first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          name\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": types.StatusesDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      token\n      apiToken {\n        id\n        name\n        hint\n        abilities\n        expiresAt\n        active\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      token\n      apiToken {\n        id\n        name\n        hint\n        abilities\n        expiresAt\n        active\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiTokens {\n    apiTokens(first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          abilities\n          lastUsedAt\n          revokedAt\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ApiTokens {\n    apiTokens(first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          abilities\n          lastUsedAt\n          revokedAt\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer {\n      kind\n      tokenName\n      tenant {\n        subdomain\n      }\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer {\n      kind\n      tokenName\n      tenant {\n        subdomain\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateStatus($input: CreateStatusInput!) {\n    createStatus(input: $input) {\n      status {\n        id\n        name\n        color\n        createdAt\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateStatus($input: CreateStatusInput!) {\n    createStatus(input: $input) {\n      status {\n        id\n        name\n        color\n        createdAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateStatus($input: UpdateStatusInput!) {\n    updateStatus(input: $input) {\n      status {\n        id\n        name\n        color\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateStatus($input: UpdateStatusInput!) {\n    updateStatus(input: $input) {\n      status {\n        id\n        name\n        color\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteStatus($id: ID!) {\n    deleteStatus(input: { id: $id }) {\n      deletedStatusId\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteStatus($id: ID!) {\n    deleteStatus(input: { id: $id }) {\n      deletedStatusId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Statuses($first: Int, $after: String, $last: Int, $before: String) {\n    statuses(first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          name\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Statuses($first: Int, $after: String, $last: Int, $before: String) {\n    statuses(first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          name\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;