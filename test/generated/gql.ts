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
    "\n  query ContactWithRelations($id: ID!) {\n    contact(id: $id) {\n      id\n      firstName\n      phone\n      status {\n        name\n      }\n      source {\n        name\n      }\n      groups {\n        name\n      }\n    }\n  }\n": typeof types.ContactWithRelationsDocument,
    "\n  query Contacts(\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n    $filter: ContactFilter\n    $orderBy: ContactOrder\n  ) {\n    contacts(\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      filter: $filter\n      orderBy: $orderBy\n    ) {\n      totalCount\n      edges {\n        node {\n          id\n          firstName\n          lastName\n          phone\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": typeof types.ContactsDocument,
    "\n  mutation CreateContact($input: CreateContactInput!) {\n    createContact(input: $input) {\n      contact {\n        id\n        firstName\n        lastName\n        company\n        type\n        email\n        phone\n        country\n        description\n        status {\n          id\n          name\n        }\n        source {\n          id\n          name\n        }\n        groups {\n          id\n          name\n        }\n        createdAt\n        updatedAt\n      }\n    }\n  }\n": typeof types.CreateContactDocument,
    "\n  mutation UpdateContact($input: UpdateContactInput!) {\n    updateContact(input: $input) {\n      contact {\n        id\n        firstName\n        lastName\n        company\n        type\n        email\n        phone\n        country\n        description\n        status {\n          name\n        }\n        source {\n          name\n        }\n      }\n    }\n  }\n": typeof types.UpdateContactDocument,
    "\n  mutation DeleteContact($id: ID!) {\n    deleteContact(input: { id: $id }) {\n      deletedContactId\n    }\n  }\n": typeof types.DeleteContactDocument,
    "\n  query Contact($id: ID!) {\n    contact(id: $id) {\n      id\n      firstName\n      phone\n      status {\n        name\n      }\n      source {\n        name\n      }\n      groups {\n        name\n      }\n    }\n  }\n": typeof types.ContactDocument,
    "\n  mutation CreateGroup($input: CreateGroupInput!) {\n    createGroup(input: $input) {\n      group {\n        id\n        name\n        description\n        contactCount\n      }\n    }\n  }\n": typeof types.CreateGroupDocument,
    "\n  mutation UpdateGroup($input: UpdateGroupInput!) {\n    updateGroup(input: $input) {\n      group {\n        id\n        name\n        description\n      }\n    }\n  }\n": typeof types.UpdateGroupDocument,
    "\n  mutation DeleteGroup($id: ID!) {\n    deleteGroup(input: { id: $id }) {\n      deletedGroupId\n    }\n  }\n": typeof types.DeleteGroupDocument,
    "\n  mutation AddContactsToGroup($groupId: ID!, $contactIds: [ID!]!) {\n    addContactsToGroup(input: { groupId: $groupId, contactIds: $contactIds }) {\n      addedCount\n      group {\n        id\n        contactCount\n      }\n    }\n  }\n": typeof types.AddContactsToGroupDocument,
    "\n  mutation RemoveContactsFromGroup($groupId: ID!, $contactIds: [ID!]!) {\n    removeContactsFromGroup(input: { groupId: $groupId, contactIds: $contactIds }) {\n      removedCount\n      group {\n        id\n        contactCount\n      }\n    }\n  }\n": typeof types.RemoveContactsFromGroupDocument,
    "\n  query GroupContacts($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      ... on Group {\n        name\n        contactCount\n        contacts(first: $first, after: $after, orderBy: { field: FIRST_NAME, direction: ASC }) {\n          totalCount\n          edges {\n            node {\n              firstName\n            }\n          }\n          pageInfo {\n            hasNextPage\n            endCursor\n          }\n        }\n      }\n    }\n  }\n": typeof types.GroupContactsDocument,
    "\n  subscription MessageStatusChanged($messageId: ID, $contactId: ID) {\n    messageStatusChanged(messageId: $messageId, contactId: $contactId) {\n      status\n      previousStatus\n      occurredAt\n      error {\n        code\n        title\n        message\n        details\n      }\n      message {\n        id\n        status\n        wamid\n        attempts\n      }\n    }\n  }\n": typeof types.MessageStatusChangedDocument,
    "\n  query CloudMessage($id: ID!) {\n    message(id: $id) {\n      status\n      wamid\n      attempts\n      error {\n        code\n        title\n      }\n      deliveredAt\n      readAt\n      statusHistory {\n        status\n      }\n    }\n  }\n": typeof types.CloudMessageDocument,
    "\n  mutation CreateSource($input: CreateSourceInput!) {\n    createSource(input: $input) {\n      source {\n        id\n        name\n        createdAt\n        updatedAt\n      }\n    }\n  }\n": typeof types.CreateSourceDocument,
    "\n  mutation UpdateSource($input: UpdateSourceInput!) {\n    updateSource(input: $input) {\n      source {\n        id\n        name\n      }\n    }\n  }\n": typeof types.UpdateSourceDocument,
    "\n  mutation DeleteSource($id: ID!) {\n    deleteSource(input: { id: $id }) {\n      deletedSourceId\n    }\n  }\n": typeof types.DeleteSourceDocument,
    "\n  query Sources($first: Int, $after: String, $last: Int, $before: String) {\n    sources(first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": typeof types.SourcesDocument,
    "\n  mutation CreateStatus($input: CreateStatusInput!) {\n    createStatus(input: $input) {\n      status {\n        id\n        name\n        color\n        createdAt\n      }\n    }\n  }\n": typeof types.CreateStatusDocument,
    "\n  mutation UpdateStatus($input: UpdateStatusInput!) {\n    updateStatus(input: $input) {\n      status {\n        id\n        name\n        color\n      }\n    }\n  }\n": typeof types.UpdateStatusDocument,
    "\n  mutation DeleteStatus($id: ID!) {\n    deleteStatus(input: { id: $id }) {\n      deletedStatusId\n    }\n  }\n": typeof types.DeleteStatusDocument,
    "\n  query Statuses($first: Int, $after: String, $last: Int, $before: String) {\n    statuses(first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          name\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": typeof types.StatusesDocument,
    "\n  query WebhookMessage($id: ID!) {\n    message(id: $id) {\n      status\n      wamid\n      deliveredAt\n      readAt\n      error {\n        code\n        title\n        message\n        details\n      }\n      statusHistory {\n        status\n        previousStatus\n      }\n    }\n  }\n": typeof types.WebhookMessageDocument,
};
const documents: Documents = {
    "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      token\n      apiToken {\n        id\n        name\n        hint\n        abilities\n        expiresAt\n        active\n      }\n    }\n  }\n": types.CreateApiTokenDocument,
    "\n  query ApiTokens {\n    apiTokens(first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          abilities\n          lastUsedAt\n          revokedAt\n        }\n      }\n    }\n  }\n": types.ApiTokensDocument,
    "\n  query Viewer {\n    viewer {\n      kind\n      tokenName\n      tenant {\n        subdomain\n      }\n    }\n  }\n": types.ViewerDocument,
    "\n  query ContactWithRelations($id: ID!) {\n    contact(id: $id) {\n      id\n      firstName\n      phone\n      status {\n        name\n      }\n      source {\n        name\n      }\n      groups {\n        name\n      }\n    }\n  }\n": types.ContactWithRelationsDocument,
    "\n  query Contacts(\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n    $filter: ContactFilter\n    $orderBy: ContactOrder\n  ) {\n    contacts(\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      filter: $filter\n      orderBy: $orderBy\n    ) {\n      totalCount\n      edges {\n        node {\n          id\n          firstName\n          lastName\n          phone\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": types.ContactsDocument,
    "\n  mutation CreateContact($input: CreateContactInput!) {\n    createContact(input: $input) {\n      contact {\n        id\n        firstName\n        lastName\n        company\n        type\n        email\n        phone\n        country\n        description\n        status {\n          id\n          name\n        }\n        source {\n          id\n          name\n        }\n        groups {\n          id\n          name\n        }\n        createdAt\n        updatedAt\n      }\n    }\n  }\n": types.CreateContactDocument,
    "\n  mutation UpdateContact($input: UpdateContactInput!) {\n    updateContact(input: $input) {\n      contact {\n        id\n        firstName\n        lastName\n        company\n        type\n        email\n        phone\n        country\n        description\n        status {\n          name\n        }\n        source {\n          name\n        }\n      }\n    }\n  }\n": types.UpdateContactDocument,
    "\n  mutation DeleteContact($id: ID!) {\n    deleteContact(input: { id: $id }) {\n      deletedContactId\n    }\n  }\n": types.DeleteContactDocument,
    "\n  query Contact($id: ID!) {\n    contact(id: $id) {\n      id\n      firstName\n      phone\n      status {\n        name\n      }\n      source {\n        name\n      }\n      groups {\n        name\n      }\n    }\n  }\n": types.ContactDocument,
    "\n  mutation CreateGroup($input: CreateGroupInput!) {\n    createGroup(input: $input) {\n      group {\n        id\n        name\n        description\n        contactCount\n      }\n    }\n  }\n": types.CreateGroupDocument,
    "\n  mutation UpdateGroup($input: UpdateGroupInput!) {\n    updateGroup(input: $input) {\n      group {\n        id\n        name\n        description\n      }\n    }\n  }\n": types.UpdateGroupDocument,
    "\n  mutation DeleteGroup($id: ID!) {\n    deleteGroup(input: { id: $id }) {\n      deletedGroupId\n    }\n  }\n": types.DeleteGroupDocument,
    "\n  mutation AddContactsToGroup($groupId: ID!, $contactIds: [ID!]!) {\n    addContactsToGroup(input: { groupId: $groupId, contactIds: $contactIds }) {\n      addedCount\n      group {\n        id\n        contactCount\n      }\n    }\n  }\n": types.AddContactsToGroupDocument,
    "\n  mutation RemoveContactsFromGroup($groupId: ID!, $contactIds: [ID!]!) {\n    removeContactsFromGroup(input: { groupId: $groupId, contactIds: $contactIds }) {\n      removedCount\n      group {\n        id\n        contactCount\n      }\n    }\n  }\n": types.RemoveContactsFromGroupDocument,
    "\n  query GroupContacts($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      ... on Group {\n        name\n        contactCount\n        contacts(first: $first, after: $after, orderBy: { field: FIRST_NAME, direction: ASC }) {\n          totalCount\n          edges {\n            node {\n              firstName\n            }\n          }\n          pageInfo {\n            hasNextPage\n            endCursor\n          }\n        }\n      }\n    }\n  }\n": types.GroupContactsDocument,
    "\n  subscription MessageStatusChanged($messageId: ID, $contactId: ID) {\n    messageStatusChanged(messageId: $messageId, contactId: $contactId) {\n      status\n      previousStatus\n      occurredAt\n      error {\n        code\n        title\n        message\n        details\n      }\n      message {\n        id\n        status\n        wamid\n        attempts\n      }\n    }\n  }\n": types.MessageStatusChangedDocument,
    "\n  query CloudMessage($id: ID!) {\n    message(id: $id) {\n      status\n      wamid\n      attempts\n      error {\n        code\n        title\n      }\n      deliveredAt\n      readAt\n      statusHistory {\n        status\n      }\n    }\n  }\n": types.CloudMessageDocument,
    "\n  mutation CreateSource($input: CreateSourceInput!) {\n    createSource(input: $input) {\n      source {\n        id\n        name\n        createdAt\n        updatedAt\n      }\n    }\n  }\n": types.CreateSourceDocument,
    "\n  mutation UpdateSource($input: UpdateSourceInput!) {\n    updateSource(input: $input) {\n      source {\n        id\n        name\n      }\n    }\n  }\n": types.UpdateSourceDocument,
    "\n  mutation DeleteSource($id: ID!) {\n    deleteSource(input: { id: $id }) {\n      deletedSourceId\n    }\n  }\n": types.DeleteSourceDocument,
    "\n  query Sources($first: Int, $after: String, $last: Int, $before: String) {\n    sources(first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": types.SourcesDocument,
    "\n  mutation CreateStatus($input: CreateStatusInput!) {\n    createStatus(input: $input) {\n      status {\n        id\n        name\n        color\n        createdAt\n      }\n    }\n  }\n": types.CreateStatusDocument,
    "\n  mutation UpdateStatus($input: UpdateStatusInput!) {\n    updateStatus(input: $input) {\n      status {\n        id\n        name\n        color\n      }\n    }\n  }\n": types.UpdateStatusDocument,
    "\n  mutation DeleteStatus($id: ID!) {\n    deleteStatus(input: { id: $id }) {\n      deletedStatusId\n    }\n  }\n": types.DeleteStatusDocument,
    "\n  query Statuses($first: Int, $after: String, $last: Int, $before: String) {\n    statuses(first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          name\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": types.StatusesDocument,
    "\n  query WebhookMessage($id: ID!) {\n    message(id: $id) {\n      status\n      wamid\n      deliveredAt\n      readAt\n      error {\n        code\n        title\n        message\n        details\n      }\n      statusHistory {\n        status\n        previousStatus\n      }\n    }\n  }\n": types.WebhookMessageDocument,
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
export function graphql(source: "\n  query ContactWithRelations($id: ID!) {\n    contact(id: $id) {\n      id\n      firstName\n      phone\n      status {\n        name\n      }\n      source {\n        name\n      }\n      groups {\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query ContactWithRelations($id: ID!) {\n    contact(id: $id) {\n      id\n      firstName\n      phone\n      status {\n        name\n      }\n      source {\n        name\n      }\n      groups {\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Contacts(\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n    $filter: ContactFilter\n    $orderBy: ContactOrder\n  ) {\n    contacts(\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      filter: $filter\n      orderBy: $orderBy\n    ) {\n      totalCount\n      edges {\n        node {\n          id\n          firstName\n          lastName\n          phone\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Contacts(\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n    $filter: ContactFilter\n    $orderBy: ContactOrder\n  ) {\n    contacts(\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      filter: $filter\n      orderBy: $orderBy\n    ) {\n      totalCount\n      edges {\n        node {\n          id\n          firstName\n          lastName\n          phone\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateContact($input: CreateContactInput!) {\n    createContact(input: $input) {\n      contact {\n        id\n        firstName\n        lastName\n        company\n        type\n        email\n        phone\n        country\n        description\n        status {\n          id\n          name\n        }\n        source {\n          id\n          name\n        }\n        groups {\n          id\n          name\n        }\n        createdAt\n        updatedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateContact($input: CreateContactInput!) {\n    createContact(input: $input) {\n      contact {\n        id\n        firstName\n        lastName\n        company\n        type\n        email\n        phone\n        country\n        description\n        status {\n          id\n          name\n        }\n        source {\n          id\n          name\n        }\n        groups {\n          id\n          name\n        }\n        createdAt\n        updatedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateContact($input: UpdateContactInput!) {\n    updateContact(input: $input) {\n      contact {\n        id\n        firstName\n        lastName\n        company\n        type\n        email\n        phone\n        country\n        description\n        status {\n          name\n        }\n        source {\n          name\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateContact($input: UpdateContactInput!) {\n    updateContact(input: $input) {\n      contact {\n        id\n        firstName\n        lastName\n        company\n        type\n        email\n        phone\n        country\n        description\n        status {\n          name\n        }\n        source {\n          name\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteContact($id: ID!) {\n    deleteContact(input: { id: $id }) {\n      deletedContactId\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteContact($id: ID!) {\n    deleteContact(input: { id: $id }) {\n      deletedContactId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Contact($id: ID!) {\n    contact(id: $id) {\n      id\n      firstName\n      phone\n      status {\n        name\n      }\n      source {\n        name\n      }\n      groups {\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query Contact($id: ID!) {\n    contact(id: $id) {\n      id\n      firstName\n      phone\n      status {\n        name\n      }\n      source {\n        name\n      }\n      groups {\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateGroup($input: CreateGroupInput!) {\n    createGroup(input: $input) {\n      group {\n        id\n        name\n        description\n        contactCount\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateGroup($input: CreateGroupInput!) {\n    createGroup(input: $input) {\n      group {\n        id\n        name\n        description\n        contactCount\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateGroup($input: UpdateGroupInput!) {\n    updateGroup(input: $input) {\n      group {\n        id\n        name\n        description\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateGroup($input: UpdateGroupInput!) {\n    updateGroup(input: $input) {\n      group {\n        id\n        name\n        description\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteGroup($id: ID!) {\n    deleteGroup(input: { id: $id }) {\n      deletedGroupId\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteGroup($id: ID!) {\n    deleteGroup(input: { id: $id }) {\n      deletedGroupId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddContactsToGroup($groupId: ID!, $contactIds: [ID!]!) {\n    addContactsToGroup(input: { groupId: $groupId, contactIds: $contactIds }) {\n      addedCount\n      group {\n        id\n        contactCount\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AddContactsToGroup($groupId: ID!, $contactIds: [ID!]!) {\n    addContactsToGroup(input: { groupId: $groupId, contactIds: $contactIds }) {\n      addedCount\n      group {\n        id\n        contactCount\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveContactsFromGroup($groupId: ID!, $contactIds: [ID!]!) {\n    removeContactsFromGroup(input: { groupId: $groupId, contactIds: $contactIds }) {\n      removedCount\n      group {\n        id\n        contactCount\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveContactsFromGroup($groupId: ID!, $contactIds: [ID!]!) {\n    removeContactsFromGroup(input: { groupId: $groupId, contactIds: $contactIds }) {\n      removedCount\n      group {\n        id\n        contactCount\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GroupContacts($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      ... on Group {\n        name\n        contactCount\n        contacts(first: $first, after: $after, orderBy: { field: FIRST_NAME, direction: ASC }) {\n          totalCount\n          edges {\n            node {\n              firstName\n            }\n          }\n          pageInfo {\n            hasNextPage\n            endCursor\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query GroupContacts($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      ... on Group {\n        name\n        contactCount\n        contacts(first: $first, after: $after, orderBy: { field: FIRST_NAME, direction: ASC }) {\n          totalCount\n          edges {\n            node {\n              firstName\n            }\n          }\n          pageInfo {\n            hasNextPage\n            endCursor\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MessageStatusChanged($messageId: ID, $contactId: ID) {\n    messageStatusChanged(messageId: $messageId, contactId: $contactId) {\n      status\n      previousStatus\n      occurredAt\n      error {\n        code\n        title\n        message\n        details\n      }\n      message {\n        id\n        status\n        wamid\n        attempts\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription MessageStatusChanged($messageId: ID, $contactId: ID) {\n    messageStatusChanged(messageId: $messageId, contactId: $contactId) {\n      status\n      previousStatus\n      occurredAt\n      error {\n        code\n        title\n        message\n        details\n      }\n      message {\n        id\n        status\n        wamid\n        attempts\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CloudMessage($id: ID!) {\n    message(id: $id) {\n      status\n      wamid\n      attempts\n      error {\n        code\n        title\n      }\n      deliveredAt\n      readAt\n      statusHistory {\n        status\n      }\n    }\n  }\n"): (typeof documents)["\n  query CloudMessage($id: ID!) {\n    message(id: $id) {\n      status\n      wamid\n      attempts\n      error {\n        code\n        title\n      }\n      deliveredAt\n      readAt\n      statusHistory {\n        status\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateSource($input: CreateSourceInput!) {\n    createSource(input: $input) {\n      source {\n        id\n        name\n        createdAt\n        updatedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateSource($input: CreateSourceInput!) {\n    createSource(input: $input) {\n      source {\n        id\n        name\n        createdAt\n        updatedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateSource($input: UpdateSourceInput!) {\n    updateSource(input: $input) {\n      source {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateSource($input: UpdateSourceInput!) {\n    updateSource(input: $input) {\n      source {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteSource($id: ID!) {\n    deleteSource(input: { id: $id }) {\n      deletedSourceId\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteSource($id: ID!) {\n    deleteSource(input: { id: $id }) {\n      deletedSourceId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Sources($first: Int, $after: String, $last: Int, $before: String) {\n    sources(first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Sources($first: Int, $after: String, $last: Int, $before: String) {\n    sources(first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"];
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
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebhookMessage($id: ID!) {\n    message(id: $id) {\n      status\n      wamid\n      deliveredAt\n      readAt\n      error {\n        code\n        title\n        message\n        details\n      }\n      statusHistory {\n        status\n        previousStatus\n      }\n    }\n  }\n"): (typeof documents)["\n  query WebhookMessage($id: ID!) {\n    message(id: $id) {\n      status\n      wamid\n      deliveredAt\n      readAt\n      error {\n        code\n        title\n        message\n        details\n      }\n      statusHistory {\n        status\n        previousStatus\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;