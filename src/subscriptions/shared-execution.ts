import type { ExecutionArgs, ExecutionResult, GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import type { Principal } from '../auth/principal.js';

/**
 * Subscriptions run once per event for all their subscribers on this instance, not once per
 * subscriber. Subscribers of one tenant with the same document, operation, variables and caller
 * (principal kind and abilities) get the same result for an event, so they share a *group*: its
 * first subscriber's `subscribe` runs (the field's subscribe resolver, scope-auth's check on
 * subscribe), and each result it yields is executed once, serialised once, and written to every
 * member. Nothing is shared across tenants, documents, variables or abilities: they are the key.
 *
 * What stays per subscriber:
 * - every plugin's `onSubscribe` (the rate-limit charge, metrics) runs for each, before joining;
 * - authorization: on the tenant's `auth_changed` events and at a token's expiry, `revalidate`
 *   runs once per principal (not per subscriber); a principal that fails gets its error and ends,
 *   alone, with `onAuthLost` called for each of its subscribers. While a principal's check is in
 *   flight, its subscribers' events wait for the verdict (none reaches a revoked token after its
 *   revocation was heard);
 * - graphql-ws subscribers (`attachSocket`) get each clean result as a prebuilt frame written to
 *   their socket; a result with errors, and everything for other transports (SSE), goes through
 *   the subscriber's own stream, so masking and error codes apply as ever.
 */
export interface SharedSubscriptionsOptions {
  /** The subscriber's auth now: undefined while it holds, else the error that ends it. */
  revalidate: (context: Context) => Promise<GraphQLError | undefined>;
  /** Called once per event executed for a group (for metrics and tests). */
  onExecuted?: () => void;
}

/** Writes one graphql-ws message (text) to the subscriber's socket. */
type Socket = { send(data: string): void; readonly readyState: number };
const OPEN = 1;

const sockets = new WeakMap<object, { socket: Socket; prefix: string }>();

/**
 * Marks a graphql-ws operation's context: clean results are written straight to `socket` as the
 * `next` message of operation `id`, serialised once per event for all subscribers.
 */
export function attachSocket(context: object, socket: Socket, id: string): void {
  sockets.set(context, { socket, prefix: `{"id":${JSON.stringify(id)},"type":"next","payload":` });
}

const sharedContexts = new WeakSet<object>();

/**
 * True for the context a group's subscription runs with: its subscribe resolver then yields the
 * events only, authorization being re-checked per principal by the group (see above).
 */
export function isSharedExecution(context: object): boolean {
  return sharedContexts.has(context);
}

export function useSharedSubscriptions(options: SharedSubscriptionsOptions): Plugin {
  const hubs = new Map<string, TenantHub>();
  return {
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const context = args.contextValue as unknown as Context;
      const key = groupKey(args, context);
      if (key === undefined) return;
      setSubscribeFn(async (execution: ExecutionArgs) => {
        const tenantId = context.tenant.id;
        let hub = hubs.get(tenantId);
        if (!hub) {
          const created: TenantHub = new TenantHub(context, options, () => {
            if (hubs.get(tenantId) === created) hubs.delete(tenantId);
          });
          hubs.set(tenantId, (hub = created));
        }
        return hub.join(key, execution, subscribeFn as Subscribe, context);
      });
    },
  };
}

type Subscribe = (args: ExecutionArgs) => Promise<AsyncIterable<ExecutionResult> | ExecutionResult>;

/**
 * The group key: tenant, caller kind and abilities, operation, document text and variables; or
 * undefined when the operation is not shared (no authenticated caller, no document text).
 */
function groupKey(args: ExecutionArgs, context: Context): string | undefined {
  if (!context?.tenant || !context.principal || context.principal.kind === 'anonymous') return;
  const text = args.document.loc?.source.body;
  if (text === undefined) return;
  return JSON.stringify([
    context.tenant.id,
    callerKey(context.principal),
    args.operationName ?? null,
    canonical(args.variableValues ?? {}),
    text,
  ]);
}

function callerKey(principal: Principal): string {
  if (principal.kind === 'admin') return 'admin';
  return `${principal.kind}:${[...principal.abilities].sort().join(',')}`;
}

/** Objects with their keys sorted, so that the same variables make the same key. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort())
    sorted[key] = canonical((value as Record<string, unknown>)[key]);
  return sorted;
}

/** The principal a subscriber's auth is checked as: one check serves all its subscribers. */
function principalKey(principal: Principal): string {
  return principal.kind === 'token' ? `token:${principal.tokenId}` : principal.kind;
}

/** One tenant's groups, and its principals' auth, checked on its `auth_changed` events. */
class TenantHub {
  private readonly groups = new Map<string, Group>();
  private readonly principals = new Map<string, PrincipalWatch>();
  private readonly events: AsyncIterator<unknown> & { return(): Promise<unknown> };
  private members = 0;
  /** Joins awaiting their group's start: the hub stays while any is pending. */
  private joining = 0;
  private closed = false;

  constructor(
    first: Context,
    private readonly options: SharedSubscriptionsOptions,
    private readonly onEmpty: () => void,
  ) {
    const events = first.events.subscribe(first.tenant.id);
    this.events = events as never;
    void (async () => {
      for await (const event of events) {
        if (event.topic === 'auth_changed') {
          for (const watch of this.principals.values()) void watch.check();
        }
      }
    })().catch(() => {});
  }

  async join(
    key: string,
    execution: ExecutionArgs,
    subscribe: Subscribe,
    context: Context,
  ): Promise<AsyncIterable<ExecutionResult> | ExecutionResult> {
    let group: Group;
    let started: AsyncIterable<ExecutionResult> | ExecutionResult;
    this.joining += 1;
    try {
      do {
        group = this.groupOf(key, execution, subscribe);
        started = await group.started;
      } while (isAsyncIterable(started) && group.ended);
    } finally {
      this.joining -= 1;
    }
    if (!isAsyncIterable(started)) {
      this.leaveIfEmpty();
      return started;
    }
    const pKey = principalKey(context.principal);
    let watch = this.principals.get(pKey);
    if (!watch) {
      watch = new PrincipalWatch(context, this.options, () => this.principals.delete(pKey));
      this.principals.set(pKey, watch);
    }
    const member = new Member(context, group, watch, () => {
      this.members -= 1;
      this.leaveIfEmpty();
    });
    this.members += 1;
    group.add(member);
    watch.add(member);
    return member;
  }

  private groupOf(key: string, execution: ExecutionArgs, subscribe: Subscribe): Group {
    const known = this.groups.get(key);
    if (known && !known.ended) return known;
    const group: Group = new Group(this.options, () => {
      if (this.groups.get(key) === group) this.groups.delete(key);
    });
    this.groups.set(key, group);
    group.start(execution, subscribe);
    return group;
  }

  private leaveIfEmpty(): void {
    if (this.closed || this.members > 0 || this.joining > 0 || this.groups.size > 0) return;
    this.closed = true;
    this.onEmpty();
    void this.events.return();
  }
}

/** Subscribers with one key: one source, each result executed and serialised once for all. */
class Group {
  readonly members = new Set<Member>();
  started!: Promise<AsyncIterable<ExecutionResult> | ExecutionResult>;
  private source: AsyncIterator<ExecutionResult> | undefined;
  /** Its source is gone (or going): a subscriber arriving now starts a new group. */
  ended = false;

  constructor(
    private readonly options: SharedSubscriptionsOptions,
    private readonly onEnd: () => void,
  ) {}

  start(execution: ExecutionArgs, subscribe: Subscribe): void {
    // The first subscriber's context, marked shared: its subscribe resolver yields events only.
    const shared = { ...(execution.contextValue as Context), onAuthLost: undefined };
    sharedContexts.add(shared);
    this.started = Promise.resolve().then(() => subscribe({ ...execution, contextValue: shared }));
    void this.started.then(
      (result) => {
        if (!isAsyncIterable(result)) return this.end();
        this.source = result[Symbol.asyncIterator]();
        if (this.ended) void this.source.return?.();
        else void this.pump();
      },
      () => this.end(),
    );
  }

  add(member: Member): void {
    this.members.add(member);
  }

  remove(member: Member): void {
    this.members.delete(member);
    if (this.members.size === 0) this.end();
  }

  private async pump(): Promise<void> {
    const source = this.source!;
    try {
      for (;;) {
        const next = await source.next();
        if (next.done) break;
        this.options.onExecuted?.();
        const result = next.value;
        const clean = !result.errors?.length;
        let text: string | undefined;
        const serialised = () => (text ??= JSON.stringify(result));
        for (const member of this.members) member.deliver(result, clean, serialised);
      }
      for (const member of [...this.members]) member.finish();
    } catch (error) {
      for (const member of [...this.members]) member.fail(error);
    }
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    void this.source?.return?.();
  }
}

/** One principal's subscribers on this tenant: its auth is checked once for all of them. */
class PrincipalWatch {
  readonly members = new Set<Member>();
  /** True while a check is in flight: deliveries to its members wait for the verdict. */
  checking = false;
  private again = false;
  private expiry: NodeJS.Timeout | undefined;

  constructor(
    private readonly context: Context,
    private readonly options: SharedSubscriptionsOptions,
    private readonly onEmpty: () => void,
  ) {
    const principal = context.principal;
    if (principal.kind === 'token' && principal.expiresAt) {
      const ms = principal.expiresAt.getTime() - Date.now();
      this.expiry = setTimeout(() => void this.check(), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    }
  }

  add(member: Member): void {
    this.members.add(member);
  }

  remove(member: Member): void {
    this.members.delete(member);
    if (this.members.size > 0) return;
    clearTimeout(this.expiry);
    this.onEmpty();
  }

  /** Checks the principal's auth; one check at a time, another after it if asked meanwhile. */
  async check(): Promise<void> {
    if (this.checking) {
      this.again = true;
      return;
    }
    this.checking = true;
    let problem: GraphQLError | undefined;
    try {
      do {
        this.again = false;
        problem = await this.options.revalidate(this.context);
      } while (this.again && !problem);
    } catch {
      // The check could not run (the database is unreachable): the subscribers go on.
    } finally {
      this.checking = false;
    }
    for (const member of [...this.members]) {
      if (problem) member.revoke(problem);
      else member.release();
    }
  }
}

/**
 * One subscriber: the stream graphql-ws (or SSE) iterates. Clean results are written straight to
 * its socket when it has one and nothing of its own stream is pending, else queued on the stream.
 */
class Member implements AsyncIterableIterator<ExecutionResult> {
  private readonly queue: ExecutionResult[] = [];
  /** Results waiting for their principal's auth check. */
  private held: ExecutionResult[] | undefined;
  private waiting:
    | { resolve: (next: IteratorResult<ExecutionResult>) => void; reject: (error: unknown) => void }
    | undefined;
  private failure: { error: unknown } | undefined;
  /** A result handed to the stream's consumer and not yet written (until it asks again). */
  private inFlight = false;
  private done = false;
  private readonly socket: { socket: Socket; prefix: string } | undefined;

  constructor(
    private readonly context: Context,
    private readonly group: Group,
    private readonly watch: PrincipalWatch,
    private readonly onLeave: () => void,
  ) {
    this.socket = sockets.get(context);
  }

  deliver(result: ExecutionResult, clean: boolean, serialised: () => string): void {
    if (this.done) return;
    if (this.watch.checking) {
      (this.held ??= []).push(result);
      return;
    }
    const socket = this.socket;
    if (socket && clean && !this.inFlight && this.queue.length === 0) {
      if (socket.socket.readyState === OPEN) socket.socket.send(`${socket.prefix}${serialised()}}`);
      return;
    }
    this.push(result);
  }

  /** Its principal still holds: what waited for the check goes out, in order. */
  release(): void {
    const held = this.held;
    this.held = undefined;
    if (!held || this.done) return;
    for (const result of held) this.push(result);
  }

  /** Its principal lost its auth: the error, then the end, for this subscriber alone. */
  revoke(problem: GraphQLError): void {
    if (this.done) return;
    this.held = undefined;
    this.push({ errors: [problem] });
    this.leave();
    this.context.onAuthLost?.(problem);
  }

  finish(): void {
    this.leave();
    this.flush();
  }

  fail(error: unknown): void {
    this.failure = { error };
    this.leave();
    this.flush();
  }

  private push(result: ExecutionResult): void {
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      this.inFlight = true;
      waiting.resolve({ value: result, done: false });
    } else this.queue.push(result);
  }

  /** Leaves its group and principal; what is queued is still delivered, then the stream ends. */
  private leave(): void {
    if (this.done) return;
    this.done = true;
    this.group.remove(this);
    this.watch.remove(this);
    this.onLeave();
  }

  /** Ends (or fails) a consumer waiting on an empty queue. */
  private flush(): void {
    const waiting = this.waiting;
    if (!waiting || this.queue.length > 0) return;
    this.waiting = undefined;
    const failure = this.failure;
    this.failure = undefined;
    if (failure) waiting.reject(failure.error);
    else waiting.resolve({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    this.inFlight = false;
    const value = this.queue.shift();
    if (value) {
      this.inFlight = true;
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) {
      const { error } = this.failure;
      this.failure = undefined;
      return Promise.reject(error);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    this.queue.length = 0;
    this.held = undefined;
    this.leave();
    this.flush();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    void this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
