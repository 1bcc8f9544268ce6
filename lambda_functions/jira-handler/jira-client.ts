import type { AxiosResponse, AxiosStatic } from "axios";
import type { JiraApi } from "./config";
import { authorizationHeader, type JiraCredentials } from "./credentials";
import {
  JiraAuthError,
  JiraError,
  JiraNotFoundError,
  JiraRejectedError,
  JiraTransitionNotFoundError,
  JiraUnavailableError,
} from "./errors";
import type { Log } from "./logger";
import { toAdf, toWiki, type RichText } from "./ticket-text";

/** What the lifecycle needs to know about an issue. */
export interface IssueState {
  readonly key: string;
  /** `new`, `indeterminate` or `done` (JIRA's status categories). */
  readonly statusCategory: string;
  /** False once the status category is done. */
  readonly open: boolean;
  readonly resolution?: string;
  /** resolutiondate, else (for a done issue without one) statuscategorychangedate, in epoch ms. */
  readonly resolvedAt?: number;
  readonly createdAt?: number;
}

/** One workflow transition offered for an issue. */
export interface Transition {
  readonly id: string;
  readonly name: string;
  readonly toStatus?: string;
  readonly toCategory?: string;
}

/** `name -> target status (category)`, how logs, notices and the preflight list a transition. */
export function describeTransition(t: Transition): string {
  return `${t.name} -> ${t.toStatus ?? "?"} (${t.toCategory ?? "?"})`;
}

/** The resolve transition: the one named `resolveTransition` (trimmed, any case) when set, else any into done. */
export function resolveTransitionMatcher(resolveTransition?: string): (t: Transition) => boolean {
  if (resolveTransition === undefined) return (t) => t.toCategory === "done";
  const wanted = resolveTransition.trim().toLowerCase();
  return (t) => t.name.trim().toLowerCase() === wanted;
}

/** A reopen transition: one whose target status category is known and not done. */
export function isReopenTransition(t: Transition): boolean {
  return t.toCategory !== undefined && t.toCategory !== "done";
}

/** An id and a name: an issue type, a status. */
export interface NamedRef {
  readonly id: string;
  readonly name: string;
}

/** What the preflight needs of a project. */
export interface ProjectInfo {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly issueTypes: readonly NamedRef[];
}

/** One field of the create screen (create metadata) of a project and issue type. */
export interface CreateField {
  readonly fieldId: string;
  readonly name: string;
  readonly required: boolean;
  readonly hasDefaultValue: boolean;
}

/** The statuses an issue type's workflow uses in the project, with their categories (`new`, `indeterminate`, `done`). */
export interface IssueTypeStatuses {
  readonly issueTypeId: string;
  readonly issueTypeName: string;
  readonly statuses: ReadonlyArray<{ readonly name: string; readonly category?: string }>;
}

/** An issue as a search lists it for the preflight. */
export interface IssueSummary {
  readonly key: string;
  readonly status?: string;
  readonly statusCategory?: string;
  readonly labels: readonly string[];
}

/** Retry and timeout parameters; constructor options (not environment) so tests can shrink them. */
export interface RetryOptions {
  /** First backoff ceiling; the n-th retry waits a uniformly random time in [0, min(max, base * 2^(n-1))]. @default 500 */
  readonly baseDelayMs: number;
  /** @default 8000 */
  readonly maxDelayMs: number;
  /** Requests per operation, the first included. @default 8 */
  readonly maxAttempts: number;
  /** Upper bound of one request; lowered to what the invocation has left. @default 10000 */
  readonly requestTimeoutMs: number;
  /** Kept free at the end of the invocation for the notice and the table write. @default 3000 */
  readonly safetyMarginMs: number;
  /** A request is not started (and a wait not begun) unless this much time would remain for it. @default 1000 */
  readonly minRequestMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  baseDelayMs: 500,
  maxDelayMs: 8000,
  maxAttempts: 8,
  requestTimeoutMs: 10_000,
  safetyMarginMs: 3000,
  minRequestMs: 1000,
};

/** Constructor options of {@link JiraTicketCreator}. */
export interface JiraClientOptions {
  readonly baseUrl: string;
  readonly api: JiraApi;
  readonly projectKey: string;
  readonly issueType: string;
  /** Resolve by this transition name; unset: the first transition into a done status. */
  readonly resolveTransition?: string;
  readonly credentials: () => Promise<JiraCredentials>;
  /** Called on 401/403 so a rotated secret is re-read next time. */
  readonly onAuthFailure?: () => void;
  /** Milliseconds the invocation has left (`context.getRemainingTimeInMillis`). */
  readonly remainingTimeMs: () => number;
  readonly log: Log;
  /** @default DEFAULT_RETRY */
  readonly retry?: Partial<RetryOptions>;
  /** @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
}

/** Fields read for every issue lookup. */
const ISSUE_FIELDS = ["status", "resolution", "resolutiondate", "statuscategorychangedate", "created"];

/** Network failures worth another attempt: anything without an HTTP answer except our own programming errors. */
const NOT_RETRYABLE_CODES = new Set(["ERR_INVALID_URL", "ERR_BAD_OPTION", "ERR_BAD_OPTION_VALUE", "ERR_NOT_SUPPORT"]);

let axiosModule: Promise<AxiosStatic> | undefined;

/** axios costs ~57 ms to load (TOOLING.md 5), so it is loaded on the first JIRA request, not with the bundle. */
function loadAxios(): Promise<AxiosStatic> {
  axiosModule ??= import("axios").then((m) => m.default);
  return axiosModule;
}

interface Request {
  readonly operation: string;
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly params?: Record<string, string>;
  readonly body?: unknown;
}

/**
 * JIRA REST client (the original stack's class name, kept). Cloud: REST v3, ADF bodies, Basic email:apiToken, search
 * by `POST /rest/api/3/search/jql`. Data Center: REST v2, wiki markup, Bearer PAT, `POST /rest/api/2/search`.
 * Retries 429, 5xx and network errors with exponential backoff and full jitter, honouring `Retry-After` when it fits
 * the remaining time; any other 4xx fails at once with a typed error.
 */
export class JiraTicketCreator {
  readonly #options: JiraClientOptions;
  readonly #retry: RetryOptions;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #version: "2" | "3";

  constructor(options: JiraClientOptions) {
    this.#options = options;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
    this.#version = options.api === "cloud" ? "3" : "2";
  }

  /** The recovery search of DESIGN.md, verbatim; the fingerprint is hex and the project key validated, so no escaping. */
  static openTicketJql(projectKey: string, fingerprint: string): string {
    return `project = "${projectKey}" AND labels = "alarm-${fingerprint}" AND statusCategory != Done`;
  }

  async createIssue(input: { summary: string; description: RichText; labels: readonly string[] }): Promise<{ id: string; key: string }> {
    const response = await this.#request<{ id: string; key: string }>({
      operation: "createIssue",
      method: "POST",
      path: `/rest/api/${this.#version}/issue`,
      body: {
        fields: {
          project: { key: this.#options.projectKey },
          issuetype: { name: this.#options.issueType },
          summary: input.summary,
          description: this.#render(input.description),
          labels: input.labels,
        },
      },
    });
    const { id, key } = response.data ?? {};
    if (typeof key !== "string") throw new JiraUnavailableError("JIRA created an issue but its answer carried no key", 1, response.status);
    return { id: String(id), key };
  }

  async addComment(key: string, body: RichText): Promise<void> {
    await this.#request({
      operation: "addComment",
      method: "POST",
      path: `/rest/api/${this.#version}/issue/${encodeURIComponent(key)}/comment`,
      body: { body: this.#render(body) },
    });
  }

  /** @throws JiraNotFoundError when the issue no longer exists (deleted, or moved beyond our permissions). */
  async getIssue(key: string): Promise<IssueState> {
    const response = await this.#request<RawIssue>({
      operation: "getIssue",
      method: "GET",
      path: `/rest/api/${this.#version}/issue/${encodeURIComponent(key)}`,
      params: { fields: ISSUE_FIELDS.join(",") },
    });
    return issueState(response.data, key);
  }

  /**
   * The newest open ticket labelled for this fingerprint. Cloud search is eventually consistent (FACTS 57): ids in
   * `reconcileIds` (issues we created recently) are returned even before the index has them. Data Center has no such
   * parameter and ignores them.
   */
  async findOpenTicket(fingerprint: string, reconcileIds: readonly string[] = []): Promise<IssueState | undefined> {
    const jql = JiraTicketCreator.openTicketJql(this.#options.projectKey, fingerprint);
    const reconcile = this.#options.api === "cloud" ? reconcileIds.filter((id) => /^\d+$/.test(id)).slice(-50).map(Number) : [];
    const issues = await this.#search(jql, ISSUE_FIELDS, 10, reconcile);
    const open = issues.map((raw) => issueState(raw, String(raw.key))).filter((issue) => issue.open);
    return open.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))[0];
  }

  async getTransitions(key: string): Promise<Transition[]> {
    const response = await this.#request<{ transitions?: RawTransition[] }>({
      operation: "getTransitions",
      method: "GET",
      path: `/rest/api/${this.#version}/issue/${encodeURIComponent(key)}/transitions`,
    });
    return (response.data?.transitions ?? []).map((t) => ({
      id: String(t.id),
      name: String(t.name),
      toStatus: t.to?.name,
      toCategory: t.to?.statusCategory?.key,
    }));
  }

  // Read-only operations of the preflight (scripts/preflight.ts); the handler never calls them.

  /** The user the credential belongs to: `GET /myself`. A wrong credential answers 401 here first. */
  async getCurrentUser(): Promise<{ readonly displayName: string }> {
    const response = await this.#request<{ displayName?: unknown; accountId?: unknown; name?: unknown }>({
      operation: "getCurrentUser",
      method: "GET",
      path: `/rest/api/${this.#version}/myself`,
    });
    const user = response.data ?? {};
    return { displayName: String(user.displayName ?? user.accountId ?? user.name ?? "?") };
  }

  /** `GET /project/{key}`; @throws JiraNotFoundError when the project does not exist or the user cannot browse it. */
  async getProject(): Promise<ProjectInfo> {
    const response = await this.#request<{ id?: unknown; key?: unknown; name?: unknown; issueTypes?: RawNamed[] }>({
      operation: "getProject",
      method: "GET",
      path: `/rest/api/${this.#version}/project/${encodeURIComponent(this.#options.projectKey)}`,
    });
    const project = response.data ?? {};
    return { id: String(project.id), key: String(project.key), name: String(project.name), issueTypes: (project.issueTypes ?? []).map(named) };
  }

  /**
   * Which of `keys` the user holds in the project (`GET /mypermissions`). Cloud requires the `permissions` list; Data
   * Center answers every permission without it. A key JIRA does not report is absent from the result.
   */
  async getMyPermissions(keys: readonly string[]): Promise<Record<string, boolean>> {
    const response = await this.#request<{ permissions?: Record<string, { havePermission?: unknown }> }>({
      operation: "getMyPermissions",
      method: "GET",
      path: `/rest/api/${this.#version}/mypermissions`,
      params: { projectKey: this.#options.projectKey, ...(this.#options.api === "cloud" ? { permissions: keys.join(",") } : {}) },
    });
    const reported = response.data?.permissions ?? {};
    return Object.fromEntries(keys.filter((k) => reported[k] !== undefined).map((k) => [k, reported[k].havePermission === true]));
  }

  /** Issue types the user may create in the project: `GET /issue/createmeta/{key}/issuetypes`, every page. */
  async getCreatableIssueTypes(): Promise<NamedRef[]> {
    const items = await this.#pages<RawNamed>(
      "getCreateMetaIssueTypes",
      `/rest/api/${this.#version}/issue/createmeta/${encodeURIComponent(this.#options.projectKey)}/issuetypes`,
      (page) => page.issueTypes ?? page.createMetaIssueType ?? page.values,
    );
    return items.map(named);
  }

  /** The create screen's fields for an issue type: `GET /issue/createmeta/{key}/issuetypes/{id}`, every page. */
  async getCreateFields(issueTypeId: string): Promise<CreateField[]> {
    const items = await this.#pages<{ fieldId?: unknown; key?: unknown; name?: unknown; required?: unknown; hasDefaultValue?: unknown }>(
      "getCreateMetaFields",
      `/rest/api/${this.#version}/issue/createmeta/${encodeURIComponent(this.#options.projectKey)}/issuetypes/${encodeURIComponent(issueTypeId)}`,
      (page) => page.fields ?? page.results ?? page.values,
    );
    return items.map((f) => ({
      fieldId: String(f.fieldId ?? f.key),
      name: String(f.name ?? f.fieldId ?? f.key),
      required: f.required === true,
      hasDefaultValue: f.hasDefaultValue === true,
    }));
  }

  /** Statuses per issue type with their categories: `GET /project/{key}/statuses` (Browse Projects suffices). */
  async getProjectStatuses(): Promise<IssueTypeStatuses[]> {
    const response = await this.#request<Array<RawNamed & { statuses?: Array<{ name?: unknown; statusCategory?: { key?: string } }> }>>({
      operation: "getProjectStatuses",
      method: "GET",
      path: `/rest/api/${this.#version}/project/${encodeURIComponent(this.#options.projectKey)}/statuses`,
    });
    return (Array.isArray(response.data) ? response.data : []).map((t) => ({
      issueTypeId: String(t.id),
      issueTypeName: String(t.name),
      statuses: (t.statuses ?? []).map((s) => ({ name: String(s.name), category: s.statusCategory?.key })),
    }));
  }

  /** The first `maxResults` issues a JQL query finds, with status and labels. */
  async searchIssues(jql: string, maxResults: number): Promise<IssueSummary[]> {
    const issues = await this.#search(jql, ["status", "labels"], maxResults, []);
    return issues.map((raw) => ({
      key: String(raw.key),
      status: raw.fields?.status?.name,
      statusCategory: raw.fields?.status?.statusCategory?.key,
      labels: Array.isArray(raw.fields?.labels) ? raw.fields.labels.map(String) : [],
    }));
  }

  async doTransition(key: string, transitionId: string): Promise<void> {
    await this.#request({
      operation: "doTransition",
      method: "POST",
      path: `/rest/api/${this.#version}/issue/${encodeURIComponent(key)}/transitions`,
      body: { transition: { id: transitionId } },
    });
  }

  /** Moves the issue to a done status: JIRA_RESOLVE_TRANSITION by name when set, else the first transition into done. */
  async resolve(key: string): Promise<Transition> {
    const wanted = this.#options.resolveTransition;
    return this.#transition(
      key,
      "resolve",
      resolveTransitionMatcher(wanted),
      wanted === undefined ? "transition into a status of category done" : `transition named "${wanted}" (JIRA_RESOLVE_TRANSITION)`,
    );
  }

  /** Moves a done issue back to work: the first transition whose target status category is not done. */
  async reopen(key: string): Promise<Transition> {
    return this.#transition(key, "reopen", isReopenTransition, "transition into a status that is not done");
  }

  async #transition(key: string, purpose: string, match: (t: Transition) => boolean, wanted: string): Promise<Transition> {
    const transitions = await this.getTransitions(key);
    const chosen = transitions.find(match);
    if (chosen === undefined) {
      const available = transitions.map(describeTransition);
      this.#options.log.error("No JIRA transition fits", { issueKey: key, purpose, wanted, available });
      throw new JiraTransitionNotFoundError(
        `Cannot ${purpose} ${key}: the workflow offers no ${wanted}; available: ${available.join("; ") || "none"}.`,
        available,
      );
    }
    await this.doTransition(key, chosen.id);
    return chosen;
  }

  /** Cloud: `POST /rest/api/3/search/jql` (with `reconcileIssues`); Data Center: `POST /rest/api/2/search`. */
  async #search(jql: string, fields: readonly string[], maxResults: number, reconcile: readonly number[]): Promise<RawIssue[]> {
    const response = await this.#request<{ issues?: RawIssue[] }>({
      operation: "searchIssues",
      method: "POST",
      path: this.#options.api === "cloud" ? "/rest/api/3/search/jql" : "/rest/api/2/search",
      body: { jql, fields, maxResults, ...(reconcile.length === 0 ? {} : { reconcileIssues: reconcile }) },
    });
    return response.data?.issues ?? [];
  }

  /**
   * Every item of a `startAt`/`maxResults` paged GET. The item list's name differs (Cloud `issueTypes`/`fields`, also
   * documented as `createMetaIssueType`/`results`; Data Center `values`), so `items` picks it. At most 20 pages.
   */
  async #pages<T>(operation: string, path: string, items: (page: RawPage<T>) => T[] | undefined): Promise<T[]> {
    const pageSize = 50;
    const all: T[] = [];
    for (let page = 0; page < 20; page += 1) {
      const response = await this.#request<RawPage<T>>({ operation, method: "GET", path, params: { startAt: String(all.length), maxResults: String(pageSize) } });
      const data = response.data ?? {};
      const found = items(data) ?? [];
      all.push(...found);
      if (found.length === 0 || data.isLast === true || (typeof data.total === "number" && all.length >= data.total)) break;
    }
    return all;
  }

  #render(body: RichText): unknown {
    return this.#options.api === "cloud" ? toAdf(body) : toWiki(body);
  }

  async #request<T>(request: Request): Promise<AxiosResponse<T>> {
    const axios = await loadAxios();
    const authorization = authorizationHeader(await this.#options.credentials());
    const { log } = this.#options;
    const retry = this.#retry;
    const timeLeft = () => this.#options.remainingTimeMs() - retry.safetyMarginMs;
    let lastStatus: number | undefined;
    let lastProblem = "no attempt made";
    for (let attempt = 1; ; attempt += 1) {
      const budget = timeLeft();
      if (budget < retry.minRequestMs) {
        throw new JiraUnavailableError(
          `JIRA ${request.operation} not completed: the invocation ran out of time after ${attempt - 1} attempt(s) (last: ${lastProblem}).`,
          attempt - 1,
          lastStatus,
        );
      }
      const timeoutMs = Math.min(retry.requestTimeoutMs, budget);
      let retryAfterMs: number | undefined;
      try {
        const response = await axios.request<T>({
          method: request.method,
          url: `${this.#options.baseUrl}${request.path}`,
          params: request.params,
          data: request.body,
          headers: { Authorization: authorization, Accept: "application/json", "Content-Type": "application/json" },
          timeout: timeoutMs,
          // axios' timeout only watches the socket; the signal bounds the whole exchange.
          signal: AbortSignal.timeout(timeoutMs),
          maxRedirects: 0,
          validateStatus: () => true,
        });
        if (response.status >= 200 && response.status < 300) return response;
        lastStatus = response.status;
        if (response.status !== 429 && response.status < 500) throw this.#rejected(request, response);
        retryAfterMs = parseRetryAfter(response.headers["retry-after"], Date.now());
        lastProblem = `HTTP ${response.status}${rateLimitReason(response)}`;
      } catch (error) {
        if (error instanceof JiraRejectedError) throw error;
        const code = (error as { code?: string }).code;
        if (!axios.isAxiosError(error) || NOT_RETRYABLE_CODES.has(code ?? "")) {
          // A fresh error: axios errors carry the request config, Authorization header included.
          throw new JiraError(`JIRA ${request.operation} request could not be made: ${code ?? (error as Error).name}: ${(error as Error).message}`);
        }
        lastProblem = `${code ?? "network error"}: ${error.message}`;
      }
      if (attempt >= retry.maxAttempts) {
        throw new JiraUnavailableError(`JIRA ${request.operation} failed ${attempt} times (last: ${lastProblem}).`, attempt, lastStatus);
      }
      const backoffMs = this.#random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
      const waitMs = retryAfterMs ?? backoffMs;
      if (waitMs + retry.minRequestMs > timeLeft()) {
        throw new JiraUnavailableError(
          `JIRA ${request.operation} not completed: ${lastProblem}; waiting ${Math.ceil(waitMs)} ms${retryAfterMs === undefined ? "" : " (Retry-After)"} does not fit the invocation's remaining time.`,
          attempt,
          lastStatus,
        );
      }
      log.warn("JIRA request failed; retrying", { operation: request.operation, attempt, problem: lastProblem, waitMs: Math.round(waitMs) });
      await this.#sleep(waitMs);
    }
  }

  #rejected(request: Request, response: AxiosResponse): JiraRejectedError {
    const messages = jiraMessages(response.data);
    const said = messages.length === 0 ? "" : ` JIRA said: ${messages.join(" | ")}`;
    const { status } = response;
    const where = `${request.method} ${request.path}`;
    if (status === 404) return new JiraNotFoundError(`JIRA answered 404 to ${request.operation} (${where}).${said}`, status, messages);
    let error: JiraRejectedError;
    if (status === 401 || status === 403) {
      this.#options.onAuthFailure?.();
      const hint =
        status === 401
          ? `the credential was refused (${this.#options.api === "cloud" ? "cloud: Basic email:apiToken" : "datacenter: Bearer personal access token"}); check the JIRA secret`
          : `the JIRA user may not ${request.operation} in project ${this.#options.projectKey}`;
      error = new JiraAuthError(`JIRA answered ${status} to ${request.operation} (${where}): ${hint}. Not retried.${said}`, status, messages);
    } else {
      const hint =
        request.operation === "createIssue"
          ? ` Check JIRA_PROJECT_KEY "${this.#options.projectKey}", JIRA_ISSUE_TYPE "${this.#options.issueType}" and that labels are on the create screen.`
          : "";
      error = new JiraRejectedError(`JIRA answered ${status} to ${request.operation} (${where}). Not retried.${hint}${said}`, status, messages);
    }
    this.#options.log.error("JIRA rejected the request", { operation: request.operation, status, jiraMessages: messages });
    return error;
  }
}

interface RawIssue {
  readonly key?: unknown;
  readonly fields?: {
    readonly status?: { readonly name?: string; readonly statusCategory?: { readonly key?: string } };
    readonly labels?: unknown[];
    readonly resolution?: { readonly name?: string } | null;
    readonly resolutiondate?: string | null;
    readonly statuscategorychangedate?: string | null;
    readonly created?: string | null;
  };
}

interface RawNamed {
  readonly id?: unknown;
  readonly name?: unknown;
}

/** A page of a `startAt`/`maxResults` paged answer; the item list's name varies by endpoint and flavour. */
type RawPage<T> = {
  readonly total?: unknown;
  readonly isLast?: unknown;
} & Partial<Record<"issueTypes" | "createMetaIssueType" | "fields" | "results" | "values", T[]>>;

function named(raw: RawNamed): NamedRef {
  return { id: String(raw.id), name: String(raw.name) };
}

interface RawTransition {
  readonly id?: unknown;
  readonly name?: unknown;
  readonly to?: { readonly name?: string; readonly statusCategory?: { readonly key?: string } };
}

function issueState(raw: RawIssue | undefined, fallbackKey: string): IssueState {
  const fields = raw?.fields ?? {};
  const statusCategory = fields.status?.statusCategory?.key ?? "undefined";
  const open = statusCategory !== "done";
  return {
    key: typeof raw?.key === "string" ? raw.key : fallbackKey,
    statusCategory,
    open,
    resolution: fields.resolution?.name ?? undefined,
    resolvedAt: open ? undefined : (parseTime(fields.resolutiondate) ?? parseTime(fields.statuscategorychangedate)),
    createdAt: parseTime(fields.created),
  };
}

function parseTime(value: string | null | undefined): number | undefined {
  if (typeof value !== "string") return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 10.2.3); anything else is ignored. */
export function parseRetryAfter(value: unknown, now: number): number | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function rateLimitReason(response: AxiosResponse): string {
  const reason = response.headers["ratelimit-reason"];
  return typeof reason === "string" && reason !== "" ? ` (${reason})` : "";
}

/** JIRA's error body is `{errorMessages: string[], errors: {field: message}}`; other bodies yield nothing. */
function jiraMessages(data: unknown): string[] {
  if (typeof data !== "object" || data === null) return [];
  const body = data as { errorMessages?: unknown; errors?: unknown };
  const messages = Array.isArray(body.errorMessages) ? body.errorMessages.filter((m): m is string => typeof m === "string") : [];
  const fields =
    typeof body.errors === "object" && body.errors !== null
      ? Object.entries(body.errors as Record<string, unknown>).map(([field, message]) => `${field}: ${String(message)}`)
      : [];
  return [...messages, ...fields];
}
