import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type OpenAPIBackend from "openapi-backend";
import { JqlError, parseJql, type JqlQuery } from "./jira/jql";
import {
  adfText,
  commentProblems,
  createFieldProblems,
  dcSearchProblems,
  loadCloudContract,
  matchCloudRequest,
  responseProblems,
  transitionProblems,
  type TextFlavour,
} from "./jira/validation";
import {
  CONTEXT_FIELDS,
  DEFAULT_CREATE_SCREEN,
  PERMISSION_NAMES,
  PROJECT_PERMISSIONS,
  type CreateScreenField,
  type ProjectPermission,
} from "./jira/project-config";
import {
  assertWorkflow,
  categoryMatches,
  DEFAULT_WORKFLOW,
  statusCategoryOf,
  transitionsFrom,
  type StatusCategoryKey,
  type Workflow,
  type WorkflowStatus,
} from "./jira/workflow";

export { DEFAULT_WORKFLOW, RESOLVE_AS_FIXED_WORKFLOW, type StatusCategoryKey, type Workflow } from "./jira/workflow";
export { DEFAULT_CREATE_SCREEN, screenWithout, type CreateScreenField, type ProjectPermission } from "./jira/project-config";
export { adfText } from "./jira/validation";

/** `cloud`: REST v3, ADF bodies, Basic email:apiToken. `datacenter`: REST v2, wiki-markup strings, Bearer PAT. */
export type JiraMode = "cloud" | "datacenter";

/** Credentials JIRA Cloud accepts from an API client (FACTS 55). */
export interface CloudCredentials {
  readonly email: string;
  readonly apiToken: string;
}

/** Credentials JIRA Data Center accepts from an API client (FACTS 55). */
export interface DataCenterCredentials {
  readonly personalAccessToken: string;
}

export const DEFAULT_CLOUD_CREDENTIALS: CloudCredentials = { email: "alerts-bot@example.com", apiToken: "emulator-api-token" };
export const DEFAULT_DATACENTER_CREDENTIALS: DataCenterCredentials = { personalAccessToken: "emulator-personal-access-token" };

/** Options of {@link JiraEmulator.start}. */
export interface JiraEmulatorOptions {
  readonly mode: JiraMode;
  /** @default "OPS" */
  readonly projectKey?: string;
  /** Issue type names the project offers. @default ["Task", "Bug"] */
  readonly issueTypes?: readonly string[];
  /** @default DEFAULT_CLOUD_CREDENTIALS or DEFAULT_DATACENTER_CREDENTIALS, by mode */
  readonly credentials?: CloudCredentials | DataCenterCredentials;
  /** @default DEFAULT_WORKFLOW */
  readonly workflow?: Workflow;
  /**
   * Fields of the create screen (every issue type), besides project and issue type. A create that sets a field off
   * the screen, or lacks a required field without a default, is answered 400 as JIRA does.
   * @default DEFAULT_CREATE_SCREEN
   */
  readonly createScreen?: readonly CreateScreenField[];
  /**
   * Project permissions the user holds, as `GET /mypermissions` reports them. Without TRANSITION_ISSUES an issue lists
   * no transitions, and without CREATE_ISSUES the create metadata lists no issue types (both as JIRA does).
   * @default every one of PROJECT_PERMISSIONS
   */
  readonly permissions?: readonly ProjectPermission[];
  /** An issue younger than this is missing from search unless its id is in `reconcileIssues` (FACTS 57). @default 0 */
  readonly searchLagMs?: number;
  /** Source of "now" for created/resolution dates and search lag; follows jest's faked Date. @default Date.now */
  readonly clock?: () => number;
}

/** A canned answer for {@link JiraEmulator.failNext}. */
export interface FaultResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** @default a JIRA error collection naming the status */
  readonly body?: unknown;
}

/** Restricts a fault to matching requests; unset fields match everything. */
export interface RequestMatcher {
  readonly method?: string;
  /** Exact path, or a pattern tested against the path. */
  readonly path?: string | RegExp;
}

/** One request the emulator received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** Raw query string without `?`. */
  readonly query: string;
  /** Parsed JSON body, the raw text when it is not JSON, undefined when empty. */
  readonly body: unknown;
  /** Wall-clock epoch ms at arrival, unaffected by jest's faked Date (use it to measure waits). */
  readonly time: number;
  /** Operation id (Cloud spec names, the same names in Data Center mode); "unknown" when unrouted. */
  operation: string;
  /** Status answered; 0 when the connection was dropped without an answer. */
  status: number;
}

/** A request that does not conform to the JIRA API: the handler's fault. Tests assert there are none. */
export interface Violation {
  readonly method: string;
  readonly path: string;
  readonly operation: string;
  readonly problems: readonly string[];
}

/** Snapshot of an emulated issue, for assertions. */
export interface EmulatedIssue {
  readonly id: string;
  readonly key: string;
  readonly summary: string;
  /** As sent: ADF on Cloud, a string on Data Center, null when absent. */
  readonly description: unknown;
  /** Plain text of the description. */
  readonly descriptionText: string;
  readonly labels: readonly string[];
  readonly issueType: string;
  readonly status: string;
  readonly statusCategory: StatusCategoryKey;
  readonly resolution: string | null;
  /** Epoch ms, null while unresolved. */
  readonly resolutionDate: number | null;
  /** Epoch ms. */
  readonly created: number;
}

/** Snapshot of a comment, for assertions. */
export interface EmulatedComment {
  readonly id: string;
  /** As sent: ADF on Cloud, a string on Data Center. */
  readonly body: unknown;
  readonly text: string;
  /** Epoch ms. */
  readonly created: number;
  /** Category of the issue's status when the comment was added (a comment sent with a transition: before it). */
  readonly onStatusCategory: StatusCategoryKey;
}

/** Options of {@link JiraEmulator.addIssue}. */
export interface AddIssueOptions {
  /** @default "Existing issue" */
  readonly summary?: string;
  /** @default [] */
  readonly labels?: readonly string[];
  /** @default the first issue type */
  readonly issueType?: string;
  /** Status name; a done status also gets resolution "Done". @default the workflow's initial status */
  readonly status?: string;
}

/** Options of {@link JiraEmulator.closeIssue}. */
export interface CloseOptions {
  /** @default "Done" */
  readonly resolution?: string;
  /** Epoch ms of the resolution. @default now */
  readonly at?: number;
}

/** Requests per operation, plus `total`. */
export type Counters = Readonly<Record<OperationName | "total", number>>;

const OPERATIONS = [
  "createIssue",
  "getIssue",
  "addComment",
  "getTransitions",
  "doTransition",
  "search",
  "getCurrentUser",
  "getProject",
  "getProjectStatuses",
  "getMyPermissions",
  "getCreateMetaIssueTypes",
  "getCreateMetaFields",
] as const;
type OperationName = (typeof OPERATIONS)[number];

const CLOUD_OPERATIONS: Readonly<Record<string, OperationName>> = {
  createIssue: "createIssue",
  getIssue: "getIssue",
  addComment: "addComment",
  getTransitions: "getTransitions",
  doTransition: "doTransition",
  searchAndReconsileIssuesUsingJqlPost: "search",
  searchAndReconsileIssuesUsingJql: "search",
  getCurrentUser: "getCurrentUser",
  getProject: "getProject",
  getAllStatuses: "getProjectStatuses",
  getMyPermissions: "getMyPermissions",
  getCreateIssueMetaIssueTypes: "getCreateMetaIssueTypes",
  getCreateIssueMetaIssueTypeId: "getCreateMetaFields",
};

/** A REST resource of the contract; `{name}` segments are path parameters. */
interface Route {
  readonly method: string;
  readonly template: string;
  readonly operation: OperationName;
  /** Query parameters Data Center accepts (Cloud's come from the OpenAPI description). */
  readonly dcQuery: readonly string[];
}

/** Resources under `/rest/api/{2|3}/`, most specific first. Cloud routes by the spec and takes only path parameters here. */
const ROUTES: readonly Route[] = [
  { method: "GET", template: "issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}", operation: "getCreateMetaFields", dcQuery: ["startAt", "maxResults"] },
  { method: "GET", template: "issue/createmeta/{projectIdOrKey}/issuetypes", operation: "getCreateMetaIssueTypes", dcQuery: ["startAt", "maxResults"] },
  { method: "POST", template: "issue", operation: "createIssue", dcQuery: ["updateHistory"] },
  { method: "GET", template: "issue/{issueIdOrKey}", operation: "getIssue", dcQuery: ["fields", "expand", "properties", "fieldsByKeys", "updateHistory"] },
  { method: "POST", template: "issue/{issueIdOrKey}/comment", operation: "addComment", dcQuery: ["expand"] },
  { method: "GET", template: "issue/{issueIdOrKey}/transitions", operation: "getTransitions", dcQuery: ["expand", "transitionId", "skipRemoteOnlyCondition"] },
  { method: "POST", template: "issue/{issueIdOrKey}/transitions", operation: "doTransition", dcQuery: [] },
  { method: "POST", template: "search", operation: "search", dcQuery: [] },
  { method: "GET", template: "search", operation: "search", dcQuery: ["jql", "startAt", "maxResults", "fields", "expand", "validateQuery"] },
  { method: "GET", template: "myself", operation: "getCurrentUser", dcQuery: ["expand"] },
  { method: "GET", template: "project/{projectIdOrKey}", operation: "getProject", dcQuery: ["expand"] },
  { method: "GET", template: "project/{projectIdOrKey}/statuses", operation: "getProjectStatuses", dcQuery: [] },
  { method: "GET", template: "mypermissions", operation: "getMyPermissions", dcQuery: ["projectKey", "projectId", "issueKey", "issueId"] },
];

/** Finds the route of a request under `/rest/api/{version}/` and decodes its path parameters. */
function matchRoute(version: 2 | 3, method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const names: string[] = [];
    const source = route.template.replace(/\{(\w+)\}/g, (_m, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
    const match = new RegExp(`^/rest/api/${version}/${source}$`).exec(path);
    if (match !== null) return { route, params: Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1])])) };
  }
  return undefined;
}

/** Paths JIRA Cloud removed (CHANGE-2046, FACTS 56): they answer 410 Gone. */
const REMOVED_CLOUD_PATHS = /^\/rest\/api\/[23]\/search\/?$/;

/** Id of the one emulated project. */
const PROJECT_ID = "10000";
const RESOLUTIONS = ["Done", "Won't Do", "Duplicate", "Cannot Reproduce"];
const PRIORITIES = ["Highest", "High", "Medium", "Low", "Lowest"];
const BOT = { accountId: "5b10a2844c20165700ede21g", displayName: "Alerts Bot", active: true };

interface Answer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

interface StoredComment {
  readonly id: string;
  readonly body: unknown;
  readonly created: number;
  readonly onStatusCategory: StatusCategoryKey;
}

interface StoredIssue {
  readonly id: string;
  readonly key: string;
  readonly summary: string;
  readonly description: unknown;
  readonly labels: readonly string[];
  readonly issueType: string;
  statusId: string;
  resolution: string | null;
  resolutionDate: number | null;
  readonly created: number;
  updated: number;
  readonly comments: StoredComment[];
}

/** A fault or validation outcome that ends the request early. */
class Reject {
  constructor(
    readonly answer: Answer,
    readonly violation?: readonly string[],
  ) {}
}

const errorCollection = (messages: readonly string[], errors: Record<string, string> = {}) => ({ errorMessages: messages, errors });
const realNow = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** JIRA's timestamp format, e.g. `2025-01-15T10:30:12.436+0000` (FACTS 5: not strict ISO-8601). */
export function jiraTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+0000");
}

/**
 * A local JIRA (Cloud REST v3 or Data Center REST v2) over real HTTP on 127.0.0.1, with in-memory issues, comments,
 * a configurable workflow, create screen and user permissions, and the read-only project resources the preflight uses
 * (myself, project, statuses, mypermissions, create metadata). Cloud requests are validated against Atlassian's OpenAPI description and the ADF
 * schema; Data Center requests against hand-written shape checks. Every non-conforming request is recorded in
 * {@link violations} and answered 400 (or 404/410/415) as JIRA would.
 */
export class JiraEmulator {
  readonly mode: JiraMode;
  readonly projectKey: string;
  readonly violations: Violation[] = [];
  /** Responses of the emulator itself that the Cloud spec rejects; its own tests keep this empty. */
  readonly selfCheckProblems: string[] = [];

  readonly #server: http.Server;
  readonly #contract: OpenAPIBackend | undefined;
  readonly #issueTypes: readonly string[];
  readonly #authorization: string;
  readonly #workflow: Workflow;
  readonly #createScreen: readonly CreateScreenField[];
  readonly #permissions: ReadonlySet<string>;
  readonly #clock: () => number;
  readonly #issues = new Map<string, StoredIssue>();
  readonly #requests: RecordedRequest[] = [];
  #port = 0;
  #nextNumber = 1;
  #nextId = 10000;
  #nextCommentId = 20000;
  #searchLagMs: number;
  #latencyMs = 0;
  #dropRemaining = 0;
  #faults: Array<{ remaining: number; response: FaultResponse; match: RequestMatcher }> = [];
  #down: "503" | "refuse" | undefined;

  private constructor(options: JiraEmulatorOptions, contract: OpenAPIBackend | undefined) {
    this.mode = options.mode;
    this.projectKey = options.projectKey ?? "OPS";
    this.#issueTypes = options.issueTypes ?? ["Task", "Bug"];
    this.#workflow = options.workflow ?? DEFAULT_WORKFLOW;
    assertWorkflow(this.#workflow);
    this.#createScreen = options.createScreen ?? DEFAULT_CREATE_SCREEN;
    this.#permissions = new Set(options.permissions ?? PROJECT_PERMISSIONS);
    this.#clock = options.clock ?? (() => Date.now());
    this.#searchLagMs = options.searchLagMs ?? 0;
    this.#contract = contract;
    this.#authorization = JiraEmulator.#expectedAuthorization(options);
    this.#server = http.createServer((req, res) => {
      this.#onRequest(req, res).catch((err: unknown) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify(errorCollection([`emulator failure: ${String(err)}`])));
      });
    });
  }

  /** Starts an emulator on 127.0.0.1 and an ephemeral port. Cloud mode loads the OpenAPI contract (cached). */
  static async start(options: JiraEmulatorOptions): Promise<JiraEmulator> {
    const contract = options.mode === "cloud" ? await loadCloudContract() : undefined;
    const emulator = new JiraEmulator(options, contract);
    await emulator.#listen(0);
    return emulator;
  }

  /** e.g. `http://127.0.0.1:41234`, without a trailing slash. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Every request received, in arrival order (dropped ones included, with status 0). */
  get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }

  /** Requests per operation since the last {@link resetRequests}. */
  get counters(): Counters {
    const counts: Record<string, number> = { total: this.#requests.length };
    for (const name of OPERATIONS) counts[name] = this.#requests.filter((r) => r.operation === name).length;
    return counts as Counters;
  }

  /** Forgets recorded requests (not violations), so a test can count what one step caused. */
  resetRequests(): void {
    this.#requests.length = 0;
  }

  /** Stops listening and closes every connection. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  /** The next `count` requests that match get `response` instead of being handled (e.g. 429 + Retry-After, 503). */
  failNext(count: number, response: FaultResponse, match: RequestMatcher = {}): void {
    this.#faults.push({ remaining: count, response, match });
  }

  /** The next `count` requests are read and then their socket is destroyed without an answer. */
  dropNextConnections(count: number): void {
    this.#dropRemaining += count;
  }

  /** Delays every answer by `ms` of real time. */
  setLatency(ms: number): void {
    this.#latencyMs = ms;
  }

  /** See {@link JiraEmulatorOptions.searchLagMs}. */
  setSearchLag(ms: number): void {
    this.#searchLagMs = ms;
  }

  /** JIRA becomes unavailable: every request answers 503 (`"503"`), or the port refuses connections (`"refuse"`). */
  async down(how: "503" | "refuse" = "503"): Promise<void> {
    this.#down = how;
    if (how === "refuse") await this.stop();
  }

  /** JIRA is back, on the same port. */
  async up(): Promise<void> {
    if (this.#down === "refuse") await this.#listen(this.#port);
    this.#down = undefined;
  }

  /** Adds an issue the way a person would, in any status, without a request; returns its key. */
  addIssue(options: AddIssueOptions = {}): string {
    const status = options.status === undefined ? this.#workflow.statuses.find((s) => s.id === this.#workflow.initialStatus)! : this.#workflow.statuses.find((s) => s.name === options.status);
    if (status === undefined) throw new Error(`the workflow has no status ${options.status}`);
    const issueType = options.issueType ?? this.#issueTypes[0];
    if (!this.#issueTypes.includes(issueType)) throw new Error(`the project has no issue type ${issueType}`);
    const now = this.#clock();
    const issue: StoredIssue = {
      id: String(this.#nextId++),
      key: `${this.projectKey}-${this.#nextNumber++}`,
      summary: options.summary ?? "Existing issue",
      description: null,
      labels: [...(options.labels ?? [])],
      issueType,
      statusId: status.id,
      resolution: status.category === "done" ? "Done" : null,
      resolutionDate: status.category === "done" ? now : null,
      created: now,
      updated: now,
      comments: [],
    };
    this.#issues.set(issue.id, issue);
    return issue.key;
  }

  /** Resolves an issue the way a person would: into the first done status of the workflow. */
  closeIssue(key: string, options: CloseOptions = {}): void {
    const issue = this.#mustFind(key);
    const done = this.#workflow.statuses.find((s) => s.category === "done");
    if (done === undefined) throw new Error("the workflow has no done status");
    issue.statusId = done.id;
    issue.resolution = options.resolution ?? "Done";
    issue.resolutionDate = options.at ?? this.#clock();
    issue.updated = issue.resolutionDate;
  }

  /** Deletes an issue: JIRA then answers 404 for it and search no longer finds it. */
  deleteIssue(key: string): void {
    this.#issues.delete(this.#mustFind(key).id);
  }

  /** Snapshot of every existing issue, in creation order. */
  issues(): EmulatedIssue[] {
    return [...this.#issues.values()].map((issue) => this.#snapshot(issue));
  }

  /** Snapshot of one issue by key. */
  issue(key: string): EmulatedIssue {
    return this.#snapshot(this.#mustFind(key));
  }

  /** Comments of an issue, oldest first. */
  commentsOf(key: string): EmulatedComment[] {
    return this.#mustFind(key).comments.map((c) => ({
      id: c.id,
      body: c.body,
      text: this.mode === "cloud" ? adfText(c.body) : String(c.body),
      created: c.created,
      onStatusCategory: c.onStatusCategory,
    }));
  }

  async #listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, "127.0.0.1", () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  static #expectedAuthorization(options: JiraEmulatorOptions): string {
    if (options.mode === "cloud") {
      const creds = (options.credentials ?? DEFAULT_CLOUD_CREDENTIALS) as CloudCredentials;
      return `Basic ${Buffer.from(`${creds.email}:${creds.apiToken}`).toString("base64")}`;
    }
    const creds = (options.credentials ?? DEFAULT_DATACENTER_CREDENTIALS) as DataCenterCredentials;
    return `Bearer ${creds.personalAccessToken}`;
  }

  #mustFind(idOrKey: string): StoredIssue {
    const issue = this.#find(idOrKey);
    if (issue === undefined) throw new Error(`no issue ${idOrKey}`);
    return issue;
  }

  #find(idOrKey: string): StoredIssue | undefined {
    return this.#issues.get(idOrKey) ?? [...this.#issues.values()].find((i) => i.key === idOrKey.toUpperCase());
  }

  #status(issue: StoredIssue): WorkflowStatus {
    return this.#workflow.statuses.find((s) => s.id === issue.statusId)!;
  }

  #snapshot(issue: StoredIssue): EmulatedIssue {
    const status = this.#status(issue);
    return {
      id: issue.id,
      key: issue.key,
      summary: issue.summary,
      description: issue.description,
      descriptionText: issue.description === null ? "" : this.mode === "cloud" ? adfText(issue.description) : String(issue.description),
      labels: [...issue.labels],
      issueType: issue.issueType,
      status: status.name,
      statusCategory: status.category,
      resolution: issue.resolution,
      resolutionDate: issue.resolutionDate,
      created: issue.created,
    };
  }

  async #onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://emulator");
    let body: unknown = undefined;
    let bodyIsJson = true;
    if (raw !== "") {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
        bodyIsJson = false;
      }
    }
    const method = (req.method ?? "GET").toUpperCase();
    const entry: RecordedRequest = {
      method,
      path: url.pathname,
      query: url.search.slice(1),
      body,
      time: realNow(),
      operation: "unknown",
      status: 0,
    };
    this.#requests.push(entry);
    if (this.#dropRemaining > 0) {
      this.#dropRemaining -= 1;
      req.socket.destroy();
      return;
    }
    if (this.#latencyMs > 0) await sleep(this.#latencyMs);
    let answer: Answer;
    try {
      answer = this.#answer(entry, req, raw, bodyIsJson);
    } catch (err) {
      if (!(err instanceof Reject)) throw err;
      answer = err.answer;
      if (err.violation !== undefined) {
        this.violations.push({ method, path: entry.path, operation: entry.operation, problems: err.violation });
      }
    }
    entry.status = answer.status;
    const headers: Record<string, string> = { ...answer.headers };
    if (answer.body !== undefined) headers["content-type"] = "application/json;charset=UTF-8";
    res.writeHead(answer.status, headers);
    res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
  }

  #answer(entry: RecordedRequest, req: http.IncomingMessage, raw: string, bodyIsJson: boolean): Answer {
    if (this.#down !== undefined) return { status: 503, body: errorCollection(["Service Unavailable"]) };
    const fault = this.#faults.find((f) => f.remaining > 0 && matches(f.match, entry));
    if (fault !== undefined) {
      fault.remaining -= 1;
      this.#faults = this.#faults.filter((f) => f.remaining > 0);
      return { status: fault.response.status, headers: fault.response.headers, body: fault.response.body ?? errorCollection([`injected ${fault.response.status}`]) };
    }
    this.#authenticate(req.headers.authorization);
    if (raw !== "") {
      const contentType = req.headers["content-type"] ?? "";
      if (!contentType.toLowerCase().startsWith("application/json")) {
        throw new Reject({ status: 415, body: errorCollection(["Unsupported Media Type"]) }, [`content-type '${contentType}' is not application/json`]);
      }
      if (!bodyIsJson) throw new Reject({ status: 400, body: errorCollection(["Unexpected character in JSON body"]) }, ["body is not valid JSON"]);
    }
    return this.mode === "cloud" ? this.#routeCloud(entry, req) : this.#routeDataCenter(entry);
  }

  #authenticate(header: string | undefined): void {
    const scheme = this.mode === "cloud" ? "Basic" : "Bearer";
    const unauthorized: Answer = {
      status: 401,
      headers: { "www-authenticate": `${scheme} realm="emulated jira"` },
      body: errorCollection(["You are not authenticated. Authentication required to perform this operation."]),
    };
    if (header === undefined) throw new Reject(unauthorized, ["no Authorization header"]);
    if (!header.startsWith(`${scheme} `)) throw new Reject(unauthorized, [`Authorization must use the ${scheme} scheme in ${this.mode} mode`]);
    if (header !== this.#authorization) throw new Reject(unauthorized);
  }

  #routeCloud(entry: RecordedRequest, req: http.IncomingMessage): Answer {
    const contract = this.#contract!;
    if (REMOVED_CLOUD_PATHS.test(entry.path)) {
      const message = "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.";
      throw new Reject({ status: 410, body: errorCollection([message]) }, [`${entry.path} was removed (CHANGE-2046)`]);
    }
    const match = matchCloudRequest(contract, {
      method: entry.method,
      path: entry.path,
      query: entry.query,
      headers: req.headers as Record<string, string | string[]>,
      body: entry.body,
    });
    if (match === undefined) {
      throw new Reject({ status: 404, body: errorCollection(["No such endpoint in the JIRA Cloud platform API"]) }, [`${entry.method} ${entry.path} is not in the Cloud OpenAPI description`]);
    }
    const operationId = match.operation.operationId ?? "unknown";
    entry.operation = CLOUD_OPERATIONS[operationId] ?? operationId;
    if (match.problems.length > 0) throw new Reject({ status: 400, body: errorCollection(match.problems) }, match.problems);
    const operation = CLOUD_OPERATIONS[operationId];
    if (operation === undefined) {
      throw new Reject({ status: 501, body: errorCollection([`${operationId} is not emulated`]) }, [`${operationId} is valid JIRA but outside the Lambda contract`]);
    }
    const params = matchRoute(3, entry.method, entry.path)?.params ?? {};
    const answer = this.#dispatch(operation, params, entry, "adf");
    if (answer.status < 300) this.selfCheckProblems.push(...selfCheck(contract, operationId, answer));
    return answer;
  }

  #routeDataCenter(entry: RecordedRequest): Answer {
    const matched = matchRoute(2, entry.method, entry.path);
    if (matched === undefined) {
      throw new Reject({ status: 404, body: errorCollection(["null for uri: " + entry.path]) }, [`${entry.method} ${entry.path} is not a Data Center REST v2 endpoint of the contract`]);
    }
    const { route, params } = matched;
    entry.operation = route.operation;
    const unknownQuery = [...new URLSearchParams(entry.query).keys()].filter((k) => !route.dcQuery.includes(k));
    if (unknownQuery.length > 0) {
      throw new Reject({ status: 400, body: errorCollection([`Unknown query parameters: ${unknownQuery.join(", ")}`]) }, [`unknown query parameters ${unknownQuery.join(", ")}`]);
    }
    return this.#dispatch(route.operation, params, entry, "wiki");
  }

  #dispatch(operation: OperationName, params: Readonly<Record<string, string>>, entry: RecordedRequest, flavour: TextFlavour): Answer {
    const query = new URLSearchParams(entry.query);
    const idOrKey = params.issueIdOrKey ?? "";
    switch (operation) {
      case "createIssue":
        return this.#createIssue(entry.body, flavour);
      case "getIssue":
        return this.#getIssue(idOrKey, query);
      case "addComment":
        return this.#addComment(idOrKey, entry.body, flavour);
      case "getTransitions":
        return this.#getTransitions(idOrKey, query);
      case "doTransition":
        return this.#doTransition(idOrKey, entry.body, flavour);
      case "search":
        return flavour === "adf" ? this.#searchCloud(entry.method === "GET" ? cloudSearchFromQuery(query) : entry.body) : this.#searchDataCenter(entry.method === "GET" ? dcSearchFromQuery(query) : entry.body);
      case "getCurrentUser":
        return this.#getCurrentUser();
      case "getProject":
        return this.#getProject(params.projectIdOrKey);
      case "getProjectStatuses":
        return this.#getProjectStatuses(params.projectIdOrKey);
      case "getMyPermissions":
        return this.#getMyPermissions(query);
      case "getCreateMetaIssueTypes":
        return this.#getCreateMetaIssueTypes(params.projectIdOrKey, query);
      case "getCreateMetaFields":
        return this.#getCreateMetaFields(params.projectIdOrKey, params.issueTypeId, query);
    }
  }

  #rejectProblems(problems: Record<string, string>): void {
    const entries = Object.entries(problems);
    if (entries.length > 0) {
      throw new Reject({ status: 400, body: errorCollection([], problems) }, entries.map(([field, message]) => `${field}: ${message}`));
    }
  }

  #notFound(): Reject {
    return new Reject({ status: 404, body: errorCollection(["Issue does not exist or you do not have permission to see it."]) });
  }

  #createIssue(body: unknown, flavour: TextFlavour): Answer {
    const fields = (body as { fields?: unknown } | undefined)?.fields;
    this.#rejectProblems(createFieldProblems(fields, flavour, this.#createScreen.map((field) => field.fieldId)));
    const f = fields as { project: { key: string }; summary: string; description?: unknown; labels?: string[]; issuetype: { name: string }; priority?: { name: string } };
    if (f.project.key !== this.projectKey) return { status: 400, body: errorCollection([], { project: "valid project is required" }) };
    if (!this.#issueTypes.includes(f.issuetype.name)) return { status: 400, body: errorCollection([], { issuetype: "Specify a valid issue type" }) };
    if (f.priority !== undefined && !PRIORITIES.includes(f.priority.name)) {
      return { status: 400, body: errorCollection([], { priority: `Priority name '${f.priority.name}' is not valid` }) };
    }
    // The project's configuration, not the request's form: JIRA answers 400, and the request is no contract violation.
    const screen = new Set(["project", "issuetype", ...this.#createScreen.map((field) => field.fieldId)]);
    const sent = fields as Record<string, unknown>;
    const offScreen = Object.keys(sent).filter((name) => !screen.has(name));
    const missing = this.#createScreen.filter((field) => field.required === true && field.hasDefaultValue !== true && (sent[field.fieldId] === undefined || sent[field.fieldId] === null));
    if (offScreen.length > 0 || missing.length > 0) {
      return {
        status: 400,
        body: errorCollection([], {
          ...Object.fromEntries(offScreen.map((name) => [name, `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`])),
          ...Object.fromEntries(missing.map((field) => [field.fieldId, `${field.name} is required.`])),
        }),
      };
    }
    const now = this.#clock();
    const issue: StoredIssue = {
      id: String(this.#nextId++),
      key: `${this.projectKey}-${this.#nextNumber++}`,
      summary: f.summary,
      description: f.description ?? null,
      labels: [...(f.labels ?? [])],
      issueType: f.issuetype.name,
      statusId: this.#workflow.initialStatus,
      resolution: null,
      resolutionDate: null,
      created: now,
      updated: now,
      comments: [],
    };
    this.#issues.set(issue.id, issue);
    return { status: 201, body: { id: issue.id, key: issue.key, self: this.#self(issue) } };
  }

  #getIssue(idOrKey: string, query: URLSearchParams): Answer {
    const issue = this.#find(idOrKey);
    if (issue === undefined) throw this.#notFound();
    return { status: 200, body: this.#representation(issue, requestedFields(query.getAll("fields"))) };
  }

  #addComment(idOrKey: string, body: unknown, flavour: TextFlavour): Answer {
    this.#rejectProblems(commentProblems(body, flavour));
    const issue = this.#find(idOrKey);
    if (issue === undefined) throw this.#notFound();
    const comment = this.#comment(issue, (body as { body: unknown }).body);
    return { status: 201, body: this.#commentRepresentation(issue, comment) };
  }

  #getTransitions(idOrKey: string, query: URLSearchParams): Answer {
    const issue = this.#find(idOrKey);
    if (issue === undefined) throw this.#notFound();
    const only = query.get("transitionId");
    // Without Transition Issues, JIRA lists no transitions rather than refusing the request.
    const offered = this.#permissions.has("TRANSITION_ISSUES") ? transitionsFrom(this.#workflow, issue.statusId) : [];
    const transitions = offered
      .filter((t) => only === null || t.id === only)
      .map((t) => ({
        id: t.id,
        name: t.name,
        to: this.#statusRepresentation(this.#workflow.statuses.find((s) => s.id === t.to)!),
        hasScreen: false,
        isGlobal: t.from === undefined,
        isInitial: false,
        isAvailable: true,
        isConditional: false,
        isLooped: false,
      }));
    return { status: 200, body: { expand: "transitions", transitions } };
  }

  #doTransition(idOrKey: string, body: unknown, flavour: TextFlavour): Answer {
    this.#rejectProblems(transitionProblems(body, flavour));
    const issue = this.#find(idOrKey);
    if (issue === undefined) throw this.#notFound();
    const request = body as { transition: { id: string }; fields?: { resolution?: { name: string } }; update?: { comment?: Array<{ add: { body: unknown } }> } };
    const transition = transitionsFrom(this.#workflow, issue.statusId).find((t) => t.id === request.transition.id);
    if (transition === undefined) {
      return { status: 400, body: errorCollection([`Transition id '${request.transition.id}' is not valid for this issue.`]) };
    }
    const target = this.#workflow.statuses.find((s) => s.id === transition.to)!;
    const resolution = request.fields?.resolution?.name;
    if (resolution !== undefined && (target.category !== "done" || !RESOLUTIONS.includes(resolution))) {
      return { status: 400, body: errorCollection([], { resolution: `Field 'resolution' cannot be set to '${resolution}' on this transition.` }) };
    }
    for (const op of request.update?.comment ?? []) this.#comment(issue, op.add.body);
    const now = this.#clock();
    issue.statusId = target.id;
    issue.resolution = target.category === "done" ? (resolution ?? "Done") : null;
    issue.resolutionDate = target.category === "done" ? now : null;
    issue.updated = now;
    return { status: 204 };
  }

  #getCurrentUser(): Answer {
    const self = `${this.baseUrl}/rest/api/${this.#apiVersion}/user`;
    const user =
      this.mode === "cloud"
        ? { ...BOT, self: `${self}?accountId=${BOT.accountId}`, accountType: "atlassian", timeZone: "Etc/UTC", locale: "en_US" }
        : { self: `${self}?username=alerts-bot`, key: "JIRAUSER10100", name: "alerts-bot", emailAddress: "alerts-bot@example.com", displayName: BOT.displayName, active: true, timeZone: "Etc/UTC" };
    return { status: 200, body: user };
  }

  /** The project addressed by id or key (keys are case-sensitive on Cloud); 404 as JIRA words it otherwise. */
  #mustBeProject(idOrKey: string | undefined): void {
    if (idOrKey === this.projectKey || idOrKey === PROJECT_ID) return;
    throw new Reject({ status: 404, body: errorCollection([`No project could be found with key '${idOrKey ?? ""}'.`]) });
  }

  #getProject(idOrKey: string | undefined): Answer {
    this.#mustBeProject(idOrKey);
    const v = this.#apiVersion;
    return {
      status: 200,
      body: {
        expand: "description,lead,issueTypes,url,projectKeys,permissions,insight",
        self: `${this.baseUrl}/rest/api/${v}/project/${PROJECT_ID}`,
        id: PROJECT_ID,
        key: this.projectKey,
        name: `${this.projectKey} project`,
        description: "",
        issueTypes: this.#issueTypes.map((name) => this.#issueTypeRepresentation(name)),
        projectTypeKey: "software",
        ...(this.mode === "cloud" ? { simplified: false, style: "classic", isPrivate: false, properties: {} } : {}),
      },
    };
  }

  #getProjectStatuses(idOrKey: string | undefined): Answer {
    this.#mustBeProject(idOrKey);
    const statuses = this.#workflow.statuses.map((status) => this.#statusRepresentation(status));
    return {
      status: 200,
      body: this.#issueTypes.map((name) => {
        const { self, id } = this.#issueTypeRepresentation(name);
        return { self, id, name, subtask: false, statuses };
      }),
    };
  }

  #getMyPermissions(query: URLSearchParams): Answer {
    const projectKey = query.get("projectKey");
    if (projectKey !== null) this.#mustBeProject(projectKey);
    const requested = query.get("permissions");
    if (this.mode === "cloud" && requested === null) {
      throw new Reject({ status: 400, body: errorCollection(["The permissions parameter is required."]) }, ["mypermissions without the permissions parameter (required on Cloud)"]);
    }
    const keys = requested === null ? [...PROJECT_PERMISSIONS] : requested.split(",").map((k) => k.trim()).filter((k) => k !== "");
    const unknown = keys.filter((k) => !(PROJECT_PERMISSIONS as readonly string[]).includes(k));
    if (unknown.length > 0) return { status: 400, body: errorCollection([`Permissions [${unknown.join(", ")}] not found.`]) };
    const permissions = Object.fromEntries(
      (keys as ProjectPermission[]).map((key, i) => [
        key,
        { id: String(10 + i), key, name: PERMISSION_NAMES[key], type: "PROJECT", description: "", havePermission: this.#permissions.has(key) },
      ]),
    );
    return { status: 200, body: { permissions } };
  }

  #getCreateMetaIssueTypes(idOrKey: string | undefined, query: URLSearchParams): Answer {
    this.#mustBeProject(idOrKey);
    const creatable = this.#permissions.has("CREATE_ISSUES") ? this.#issueTypes : [];
    return this.#page(creatable.map((name) => ({ ...this.#issueTypeRepresentation(name), description: "" })), query, "issueTypes");
  }

  #getCreateMetaFields(idOrKey: string | undefined, issueTypeId: string | undefined, query: URLSearchParams): Answer {
    this.#mustBeProject(idOrKey);
    if (!this.#permissions.has("CREATE_ISSUES") || !this.#issueTypes.some((name) => this.#issueTypeRepresentation(name).id === issueTypeId)) {
      return { status: 400, body: errorCollection([`Issue type with id '${issueTypeId ?? ""}' does not exist or you do not have permission to create it.`]) };
    }
    const fields = [...CONTEXT_FIELDS, ...this.#createScreen].map((field) => ({
      required: field.required === true,
      schema: field.schema ?? { type: "string", system: field.fieldId },
      name: field.name,
      key: field.fieldId,
      fieldId: field.fieldId,
      hasDefaultValue: field.hasDefaultValue === true,
      operations: field.schema?.type === "array" ? ["add", "set", "remove"] : ["set"],
    }));
    return this.#page(fields, query, "fields");
  }

  /** A `startAt`/`maxResults` page: Cloud names the list (`issueTypes`, `fields`), Data Center calls it `values`. */
  #page(items: readonly unknown[], query: URLSearchParams, cloudName: string): Answer {
    const startAt = Number(query.get("startAt") ?? 0);
    const maxResults = Number(query.get("maxResults") ?? 50);
    if (!Number.isInteger(startAt) || startAt < 0 || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > 200) {
      return { status: 400, body: errorCollection(["startAt must be 0 or more and maxResults from 1 to 200"]) };
    }
    const page = items.slice(startAt, startAt + maxResults);
    const common = { maxResults, startAt, total: items.length };
    return { status: 200, body: this.mode === "cloud" ? { ...common, [cloudName]: page } : { ...common, isLast: startAt + maxResults >= items.length, values: page } };
  }

  #issueTypeNamed(name: string): string | undefined {
    return this.#issueTypes.find((t) => t.toLowerCase() === name.toLowerCase());
  }

  #issueTypeRepresentation(name: string): { self: string; id: string; name: string; subtask: boolean; iconUrl: string; hierarchyLevel: number } {
    const id = `1000${this.#issueTypes.indexOf(name)}`;
    return { self: `${this.baseUrl}/rest/api/${this.#apiVersion}/issuetype/${id}`, id, name, subtask: false, iconUrl: `${this.baseUrl}/images/icons/issuetypes/task.svg`, hierarchyLevel: 0 };
  }

  #searchCloud(body: unknown): Answer {
    const request = (body ?? {}) as { jql?: string; fields?: string[]; maxResults?: number; nextPageToken?: string; reconcileIssues?: number[] };
    const found = this.#search(request.jql ?? "", new Set((request.reconcileIssues ?? []).map(String)));
    const offset = request.nextPageToken === undefined ? 0 : Number(Buffer.from(request.nextPageToken, "base64url").toString("utf8"));
    const pageSize = Math.min(request.maxResults ?? 50, 5000);
    const page = found.slice(offset, offset + pageSize);
    const fields = request.fields === undefined ? undefined : requestedFields(request.fields);
    const issues = page.map((issue) => (fields === undefined ? { id: issue.id } : this.#representation(issue, fields)));
    const isLast = offset + pageSize >= found.length;
    const next = isLast ? {} : { nextPageToken: Buffer.from(String(offset + pageSize)).toString("base64url") };
    return { status: 200, body: { issues, isLast, ...next } };
  }

  #searchDataCenter(body: unknown): Answer {
    this.#rejectProblems(dcSearchProblems(body));
    const request = body as { jql: string; startAt?: number; maxResults?: number; fields?: string[] };
    const found = this.#search(request.jql, new Set());
    const startAt = request.startAt ?? 0;
    const maxResults = Math.min(request.maxResults ?? 50, 1000);
    const fields = requestedFields(request.fields ?? []);
    const issues = found.slice(startAt, startAt + maxResults).map((issue) => this.#representation(issue, fields));
    return { status: 200, body: { expand: "schema,names", startAt, maxResults, total: found.length, issues } };
  }

  #search(jql: string, reconcile: ReadonlySet<string>): StoredIssue[] {
    let query: JqlQuery;
    try {
      query = parseJql(jql);
    } catch (err) {
      if (!(err instanceof JqlError)) throw err;
      throw new Reject({ status: 400, body: errorCollection([`Error in the JQL Query: ${err.message}`]) }, [`JQL outside the contract: ${jql} (${err.message})`]);
    }
    for (const clause of query.clauses) {
      if (clause.field === "project" && clause.value.toUpperCase() !== this.projectKey) {
        return rejectJql(`The value '${clause.value}' does not exist for the field 'project'.`);
      }
      if (clause.field === "issuetype" && this.#issueTypeNamed(clause.value) === undefined) {
        return rejectJql(`The value '${clause.value}' does not exist for the field 'issuetype'.`);
      }
    }
    const now = this.#clock();
    const visible = [...this.#issues.values()].filter((issue) => now - issue.created >= this.#searchLagMs || reconcile.has(issue.id));
    const found = visible.filter((issue) =>
      query.clauses.every((clause) => {
        if (clause.field === "project") return true;
        if (clause.field === "labels") return issue.labels.includes(clause.value);
        if (clause.field === "issuetype") return issue.issueType === this.#issueTypeNamed(clause.value);
        const inCategory = categoryMatches(this.#status(issue).category, clause.value);
        return clause.op === "=" ? inCategory : !inCategory;
      }),
    );
    const order = query.orderBy.length > 0 ? query.orderBy : [{ field: "created", direction: "DESC" } as const];
    return found.sort((a, b) => {
      for (const { field, direction } of order) {
        const diff = sortValue(a, field) - sortValue(b, field);
        if (diff !== 0) return direction === "ASC" ? diff : -diff;
      }
      return Number(b.id) - Number(a.id);
    });
  }

  #comment(issue: StoredIssue, body: unknown): StoredComment {
    const now = this.#clock();
    const comment: StoredComment = { id: String(this.#nextCommentId++), body, created: now, onStatusCategory: this.#status(issue).category };
    issue.comments.push(comment);
    issue.updated = now;
    return comment;
  }

  get #apiVersion(): 2 | 3 {
    return this.mode === "cloud" ? 3 : 2;
  }

  #self(issue: StoredIssue): string {
    return `${this.baseUrl}/rest/api/${this.#apiVersion}/issue/${issue.id}`;
  }

  #statusRepresentation(status: WorkflowStatus): Record<string, unknown> {
    return {
      self: `${this.baseUrl}/rest/api/${this.#apiVersion}/status/${status.id}`,
      description: "",
      iconUrl: `${this.baseUrl}/images/icons/statuses/generic.png`,
      name: status.name,
      id: status.id,
      statusCategory: statusCategoryOf(this.baseUrl, this.#apiVersion, status.category),
    };
  }

  #representation(issue: StoredIssue, fields: FieldSelection): Record<string, unknown> {
    const v = this.#apiVersion;
    const all: Record<string, unknown> = {
      summary: issue.summary,
      description: issue.description,
      labels: [...issue.labels],
      issuetype: this.#issueTypeRepresentation(issue.issueType),
      project: { self: `${this.baseUrl}/rest/api/${v}/project/${PROJECT_ID}`, id: PROJECT_ID, key: this.projectKey, name: `${this.projectKey} project` },
      status: this.#statusRepresentation(this.#status(issue)),
      resolution: issue.resolution === null ? null : { self: `${this.baseUrl}/rest/api/${v}/resolution/${RESOLUTIONS.indexOf(issue.resolution) + 1}`, id: String(RESOLUTIONS.indexOf(issue.resolution) + 1), description: "", name: issue.resolution },
      resolutiondate: issue.resolutionDate === null ? null : jiraTime(issue.resolutionDate),
      created: jiraTime(issue.created),
      updated: jiraTime(issue.updated),
    };
    const selected = Object.fromEntries(Object.entries(all).filter(([name]) => fields(name)));
    return { expand: "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations", id: issue.id, self: this.#self(issue), key: issue.key, fields: selected };
  }

  #commentRepresentation(issue: StoredIssue, comment: StoredComment): Record<string, unknown> {
    const author = this.mode === "cloud" ? { ...BOT, self: `${this.baseUrl}/rest/api/3/user?accountId=${BOT.accountId}` } : { name: "alerts-bot", displayName: BOT.displayName, active: true };
    return {
      self: `${this.#self(issue)}/comment/${comment.id}`,
      id: comment.id,
      author,
      body: comment.body,
      updateAuthor: author,
      created: jiraTime(comment.created),
      updated: jiraTime(comment.created),
      ...(this.mode === "cloud" ? { jsdPublic: true } : {}),
    };
  }
}

type FieldSelection = (name: string) => boolean;

/** JIRA's `fields` selection: comma lists, `*all`/`*navigable`, `-name` exclusions; empty selects everything. */
function requestedFields(values: readonly string[]): FieldSelection {
  const names = values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
  const excluded = new Set(names.filter((n) => n.startsWith("-")).map((n) => n.slice(1)));
  const included = names.filter((n) => !n.startsWith("-"));
  const everything = included.length === 0 || included.includes("*all") || included.includes("*navigable");
  return (name) => !excluded.has(name) && (everything || included.includes(name));
}

function cloudSearchFromQuery(query: URLSearchParams): Record<string, unknown> {
  const fields = query.getAll("fields").flatMap((f) => f.split(","));
  const reconcile = query.getAll("reconcileIssues").flatMap((r) => r.split(",")).filter((r) => r !== "").map(Number);
  return {
    jql: query.get("jql") ?? "",
    ...(fields.length > 0 ? { fields } : {}),
    ...(query.get("maxResults") !== null ? { maxResults: Number(query.get("maxResults")) } : {}),
    ...(query.get("nextPageToken") !== null ? { nextPageToken: query.get("nextPageToken") } : {}),
    reconcileIssues: reconcile,
  };
}

function dcSearchFromQuery(query: URLSearchParams): Record<string, unknown> {
  const fields = query.getAll("fields").flatMap((f) => f.split(","));
  return {
    jql: query.get("jql") ?? "",
    ...(fields.length > 0 ? { fields } : {}),
    ...(query.get("startAt") !== null ? { startAt: Number(query.get("startAt")) } : {}),
    ...(query.get("maxResults") !== null ? { maxResults: Number(query.get("maxResults")) } : {}),
  };
}

function rejectJql(message: string): never {
  throw new Reject({ status: 400, body: errorCollection([message]) });
}

function sortValue(issue: StoredIssue, field: JqlQuery["orderBy"][number]["field"]): number {
  switch (field) {
    case "created":
      return issue.created;
    case "updated":
      return issue.updated;
    case "resolutiondate":
      return issue.resolutionDate ?? 0;
    case "key":
      return Number(issue.key.split("-")[1]);
  }
}

function matches(match: RequestMatcher, entry: RecordedRequest): boolean {
  if (match.method !== undefined && match.method.toUpperCase() !== entry.method) return false;
  if (match.path === undefined) return true;
  return typeof match.path === "string" ? match.path === entry.path : match.path.test(entry.path);
}

/** JIRA's timestamps (`+0000`) are not RFC 3339 `date-time`, so the spec's format checks are skipped here. */
function selfCheck(contract: OpenAPIBackend, operationId: string, answer: Answer): string[] {
  if (answer.body === undefined) return [];
  return responseProblems(contract, operationId, answer.status, answer.body).filter((p) => !p.includes('must match format "date-time"'));
}
