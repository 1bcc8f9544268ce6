import type { JiraCredentials } from "../../lambda_functions/jira-handler/credentials";
import {
  JiraAuthError,
  JiraError,
  JiraNotFoundError,
  JiraRejectedError,
  JiraTransitionNotFoundError,
  JiraUnavailableError,
} from "../../lambda_functions/jira-handler/errors";
import {
  describeTransition,
  isReopenTransition,
  JiraTicketCreator,
  parseRetryAfter,
  resolveTransitionMatcher,
  type JiraClientOptions,
} from "../../lambda_functions/jira-handler/jira-client";
import { dropConnection, hang, json, noContent, recordingLog, ScriptedServer } from "./test-helpers";

const CLOUD: JiraCredentials = { kind: "cloud", email: "ops@example.com", apiToken: "tok-123" };
const DATACENTER: JiraCredentials = { kind: "datacenter", personalAccessToken: "pat-456" };

const server = new ScriptedServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

function client(overrides: Partial<JiraClientOptions> = {}, credentials: JiraCredentials = CLOUD) {
  const sleeps: number[] = [];
  const log = recordingLog();
  const authFailures: number[] = [];
  const jira = new JiraTicketCreator({
    baseUrl: server.url,
    api: credentials.kind,
    projectKey: "OPS",
    issueType: "Task",
    credentials: async () => credentials,
    onAuthFailure: () => authFailures.push(1),
    remainingTimeMs: () => 30_000,
    log,
    retry: { baseDelayMs: 10, maxDelayMs: 40, maxAttempts: 4, requestTimeoutMs: 2000, safetyMarginMs: 0, minRequestMs: 50 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 1,
    ...overrides,
  });
  return { jira, sleeps, log, authFailures };
}

const issueBody = (key: string, category: string, extra: Record<string, unknown> = {}) => ({
  id: "10001",
  key,
  fields: { status: { name: "X", statusCategory: { key: category } }, resolution: null, resolutiondate: null, created: "2025-01-15T10:00:00.000+0000", ...extra },
});

describe("JiraTicketCreator requests", () => {
  it("creates a cloud issue with REST v3, Basic auth and an ADF description", async () => {
    server.script(json(201, { id: "10001", key: "OPS-1", self: "x" }));
    const { jira } = client();

    const created = await jira.createIssue({ summary: "S", description: [{ type: "paragraph", spans: [{ text: "D" }] }], labels: ["cloudwatch-alarm", "alarm-0123456789abcdef"] });

    expect(created).toEqual({ id: "10001", key: "OPS-1" });
    expect(server.requests).toEqual([
      expect.objectContaining({
        method: "POST",
        url: "/rest/api/3/issue",
        body: {
          fields: {
            project: { key: "OPS" },
            issuetype: { name: "Task" },
            summary: "S",
            description: { type: "doc", version: 1, content: [{ type: "paragraph", content: [{ type: "text", text: "D" }] }] },
            labels: ["cloudwatch-alarm", "alarm-0123456789abcdef"],
          },
        },
      }),
    ]);
    expect(server.requests[0].headers.authorization).toBe(`Basic ${Buffer.from("ops@example.com:tok-123").toString("base64")}`);
    expect(server.requests[0].headers["content-type"]).toBe("application/json");
  });

  it("creates a Data Center issue with REST v2, a Bearer token and a wiki description", async () => {
    server.script(json(201, { id: "1", key: "OPS-2" }));
    const { jira } = client({}, DATACENTER);

    await jira.createIssue({ summary: "S", description: [{ type: "paragraph", spans: [{ text: "D", strong: true }] }], labels: ["a"] });

    expect(server.requests[0]).toMatchObject({ url: "/rest/api/2/issue", body: { fields: { description: "*D*" } } });
    expect(server.requests[0].headers.authorization).toBe("Bearer pat-456");
  });

  it("searches cloud with POST /rest/api/3/search/jql, the DESIGN.md JQL and no startAt, and returns the newest open issue", async () => {
    server.script(
      json(200, {
        issues: [
          issueBody("OPS-3", "new", { created: "2025-01-15T10:00:00.000+0000" }),
          issueBody("OPS-9", "indeterminate", { created: "2025-01-15T11:00:00.000+0000" }),
        ],
        isLast: true,
      }),
    );
    const { jira } = client();

    const found = await jira.findOpenTicket("0123456789abcdef");

    expect(found).toMatchObject({ key: "OPS-9", open: true });
    expect(server.requests[0]).toMatchObject({ method: "POST", url: "/rest/api/3/search/jql" });
    expect(server.requests[0].body).toEqual({
      jql: 'project = "OPS" AND labels = "alarm-0123456789abcdef" AND statusCategory != Done',
      fields: ["status", "resolution", "resolutiondate", "statuscategorychangedate", "created"],
      maxResults: 10,
    });
  });

  it("names recently created issue ids in reconcileIssues on cloud, so search sees them at once", async () => {
    server.script(json(200, { issues: [], isLast: true }));
    const { jira } = client();

    await jira.findOpenTicket("0123456789abcdef", ["10001", "not-a-number", "10007"]);

    expect(server.requests[0].body).toMatchObject({ reconcileIssues: [10001, 10007] });
  });

  it("searches Data Center with POST /rest/api/2/search and no reconcileIssues", async () => {
    server.script(json(200, { issues: [], startAt: 0, maxResults: 10, total: 0 }));
    const { jira } = client({}, DATACENTER);

    expect(await jira.findOpenTicket("0123456789abcdef", ["10001"])).toBeUndefined();
    expect(server.requests[0]).toMatchObject({ method: "POST", url: "/rest/api/2/search" });
    expect(server.requests[0].body).toEqual({
      jql: 'project = "OPS" AND labels = "alarm-0123456789abcdef" AND statusCategory != Done',
      fields: ["status", "resolution", "resolutiondate", "statuscategorychangedate", "created"],
      maxResults: 10,
    });
  });

  it("reads an issue's status category, resolution and resolution date", async () => {
    server.script(json(200, issueBody("OPS-4", "done", { resolution: { name: "Won't Do" }, resolutiondate: "2025-01-15T10:30:00.000+0000" })));
    const { jira } = client();

    expect(await jira.getIssue("OPS-4")).toEqual({
      key: "OPS-4",
      statusCategory: "done",
      open: false,
      resolution: "Won't Do",
      resolvedAt: Date.UTC(2025, 0, 15, 10, 30),
      createdAt: Date.UTC(2025, 0, 15, 10, 0),
    });
    expect(server.requests[0]).toMatchObject({
      method: "GET",
      url: "/rest/api/3/issue/OPS-4?fields=status,resolution,resolutiondate,statuscategorychangedate,created",
    });
  });

  it("posts an ADF comment", async () => {
    server.script(json(201, { id: "1" }));
    const { jira } = client();

    await jira.addComment("OPS-5", [{ type: "paragraph", spans: [{ text: "hi" }] }]);

    expect(server.requests[0]).toMatchObject({
      url: "/rest/api/3/issue/OPS-5/comment",
      body: { body: { type: "doc", version: 1, content: [{ type: "paragraph", content: [{ type: "text", text: "hi" }] }] } },
    });
  });
});

describe("JiraTicketCreator transitions", () => {
  const transitions = {
    transitions: [
      { id: "11", name: "Start progress", to: { name: "In Progress", statusCategory: { key: "indeterminate" } } },
      { id: "51", name: "Resolve as fixed", to: { name: "Fixed", statusCategory: { key: "done" } } },
      { id: "61", name: "Close it", to: { name: "Closed", statusCategory: { key: "done" } } },
    ],
  };

  it("resolves by the first transition into a done status, whatever its name", async () => {
    server.script(json(200, transitions), noContent);
    const { jira } = client();

    const chosen = await jira.resolve("OPS-6");

    expect(chosen.name).toBe("Resolve as fixed");
    expect(server.requests[1]).toMatchObject({ method: "POST", url: "/rest/api/3/issue/OPS-6/transitions", body: { transition: { id: "51" } } });
  });

  it("resolves by JIRA_RESOLVE_TRANSITION when it is set", async () => {
    server.script(json(200, transitions), noContent);
    const { jira } = client({ resolveTransition: "close IT" });

    await jira.resolve("OPS-6");

    expect(server.requests[1].body).toEqual({ transition: { id: "61" } });
  });

  it("reopens by the first transition into a status that is not done", async () => {
    server.script(json(200, { transitions: [transitions.transitions[1], transitions.transitions[0]] }), noContent);
    const { jira } = client();

    expect((await jira.reopen("OPS-6")).id).toBe("11");
  });

  it("fails clearly, listing the workflow's transitions, when none fits", async () => {
    server.script(json(200, { transitions: [transitions.transitions[0]] }));
    const { jira, log } = client({ resolveTransition: "Done" });

    const failure = jira.resolve("OPS-6");

    await expect(failure).rejects.toThrow(JiraTransitionNotFoundError);
    await expect(failure).rejects.toThrow(
      'Cannot resolve OPS-6: the workflow offers no transition named "Done" (JIRA_RESOLVE_TRANSITION); available: Start progress -> In Progress (indeterminate).',
    );
    expect(log.lines).toEqual([
      expect.objectContaining({ level: "error", message: "No JIRA transition fits", fields: expect.objectContaining({ available: ["Start progress -> In Progress (indeterminate)"] }) }),
    ]);
    expect(server.requests).toHaveLength(1);
  });
});

describe("JiraTicketCreator preflight reads", () => {
  it("reads the current user, the project and the statuses per issue type on cloud", async () => {
    server.script(
      json(200, { accountId: "5b10", displayName: "Alerts Bot" }),
      json(200, { id: "10000", key: "OPS", name: "Operations", issueTypes: [{ id: "10001", name: "Task" }] }),
      json(200, [{ id: "10001", name: "Task", statuses: [{ name: "Open", statusCategory: { key: "new" } }, { name: "Closed", statusCategory: { key: "done" } }] }]),
    );
    const { jira } = client();

    const user = await jira.getCurrentUser();
    const project = await jira.getProject();
    const statuses = await jira.getProjectStatuses();

    expect(user).toEqual({ displayName: "Alerts Bot" });
    expect(project).toEqual({ id: "10000", key: "OPS", name: "Operations", issueTypes: [{ id: "10001", name: "Task" }] });
    expect(statuses).toEqual([{ issueTypeId: "10001", issueTypeName: "Task", statuses: [{ name: "Open", category: "new" }, { name: "Closed", category: "done" }] }]);
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(["GET /rest/api/3/myself", "GET /rest/api/3/project/OPS", "GET /rest/api/3/project/OPS/statuses"]);
  });

  it("asks cloud for the named permissions only, and Data Center for all of them", async () => {
    const answer = json(200, { permissions: { CREATE_ISSUES: { havePermission: true }, ADD_COMMENTS: { havePermission: false }, EDIT_ISSUES: { havePermission: true } } });
    server.script(answer);
    const cloud = await client().jira.getMyPermissions(["CREATE_ISSUES", "ADD_COMMENTS", "TRANSITION_ISSUES"]);
    const cloudUrl = server.requests[0].url;
    server.script(answer);
    await client({}, DATACENTER).jira.getMyPermissions(["CREATE_ISSUES"]);

    expect(cloud).toEqual({ CREATE_ISSUES: true, ADD_COMMENTS: false });
    expect(cloudUrl).toBe("/rest/api/3/mypermissions?projectKey=OPS&permissions=CREATE_ISSUES,ADD_COMMENTS,TRANSITION_ISSUES");
    expect(server.requests[0].url).toBe("/rest/api/2/mypermissions?projectKey=OPS");
  });

  it("pages through cloud create metadata until total is reached", async () => {
    const types = Array.from({ length: 50 }, (_, i) => ({ id: String(i), name: `Type ${i}` }));
    server.script(json(200, { startAt: 0, maxResults: 50, total: 51, issueTypes: types }), json(200, { startAt: 50, maxResults: 50, total: 51, issueTypes: [{ id: "99", name: "Task" }] }));
    const { jira } = client();

    const found = await jira.getCreatableIssueTypes();

    expect(found).toHaveLength(51);
    expect(found[50]).toEqual({ id: "99", name: "Task" });
    expect(server.requests.map((r) => r.url)).toEqual([
      "/rest/api/3/issue/createmeta/OPS/issuetypes?startAt=0&maxResults=50",
      "/rest/api/3/issue/createmeta/OPS/issuetypes?startAt=50&maxResults=50",
    ]);
  });

  it("reads create fields from cloud's `fields` or `results`, and Data Center's `values` until isLast", async () => {
    const field = { fieldId: "labels", key: "labels", name: "Labels", required: false, hasDefaultValue: false, operations: ["set"], schema: { type: "array" } };
    const expected = [{ fieldId: "labels", name: "Labels", required: false, hasDefaultValue: false }];
    server.script(json(200, { total: 1, fields: [field] }));
    const fromFields = await client().jira.getCreateFields("10001");
    server.script(json(200, { total: 1, results: [field] }));
    const fromResults = await client().jira.getCreateFields("10001");
    server.script(json(200, { isLast: true, values: [{ ...field, required: true, hasDefaultValue: true }] }));
    const fromValues = await client({}, DATACENTER).jira.getCreateFields("10001");

    expect(fromFields).toEqual(expected);
    expect(fromResults).toEqual(expected);
    expect(fromValues).toEqual([{ ...expected[0], required: true, hasDefaultValue: true }]);
    expect(server.requests.map((r) => r.url)).toEqual(["/rest/api/2/issue/createmeta/OPS/issuetypes/10001?startAt=0&maxResults=50"]);
  });

  it("searches with status and labels and summarises each issue", async () => {
    server.script(json(200, { issues: [{ id: "1", key: "OPS-3", fields: { status: { name: "Done", statusCategory: { key: "done" } }, labels: ["cloudwatch-alarm"] } }] }));
    const { jira } = client();

    const found = await jira.searchIssues('project = "OPS" AND statusCategory = Done', 20);

    expect(found).toEqual([{ key: "OPS-3", status: "Done", statusCategory: "done", labels: ["cloudwatch-alarm"] }]);
    expect(server.requests[0]).toMatchObject({ method: "POST", url: "/rest/api/3/search/jql", body: { jql: 'project = "OPS" AND statusCategory = Done', fields: ["status", "labels"], maxResults: 20 } });
  });

  it("turns an unknown project into JiraNotFoundError", async () => {
    server.script(json(404, { errorMessages: ["No project could be found with key 'OPS'."], errors: {} }));

    await expect(client().jira.getProject()).rejects.toThrow(JiraNotFoundError);
  });
});

describe("transition matchers", () => {
  const done = { id: "1", name: " Resolve As Fixed ", toStatus: "Fixed", toCategory: "done" };
  const back = { id: "2", name: "Reopen", toStatus: "Open", toCategory: "new" };
  const unknown = { id: "3", name: "Mystery" };

  it("matches the resolve transition by category, or by trimmed case-insensitive name when one is configured", () => {
    expect([done, back, unknown].filter(resolveTransitionMatcher())).toEqual([done]);
    expect([done, back].filter(resolveTransitionMatcher("resolve as fixed"))).toEqual([done]);
    expect([done, back].filter(resolveTransitionMatcher("reopen "))).toEqual([back]);
  });

  it("takes only a known, not-done target as a reopen, and describes transitions for people", () => {
    expect([done, back, unknown].filter(isReopenTransition)).toEqual([back]);
    expect([done, unknown].map(describeTransition)).toEqual([" Resolve As Fixed  -> Fixed (done)", "Mystery -> ? (?)"]);
  });
});

describe("JiraTicketCreator retries", () => {
  it("waits Retry-After seconds after a 429, then succeeds", async () => {
    server.script(json(429, { errorMessages: ["Rate limited"] }, { "retry-after": "2", "ratelimit-reason": "jira-burst-based" }), json(201, { id: "1", key: "OPS-7" }));
    const { jira, sleeps, log } = client();

    await expect(jira.createIssue({ summary: "S", description: [], labels: [] })).resolves.toEqual({ id: "1", key: "OPS-7" });

    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([2000]);
    expect(log.lines[0]).toMatchObject({ level: "warn", fields: { operation: "createIssue", attempt: 1, problem: "HTTP 429 (jira-burst-based)", waitMs: 2000 } });
  });

  it("honours a Retry-After HTTP date", async () => {
    const at = new Date(Date.now() + 5000).toUTCString();
    server.script(json(503, {}, { "retry-after": at }), json(200, issueBody("OPS-8", "new")));
    const { jira, sleeps } = client();

    await jira.getIssue("OPS-8");

    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(3000);
    expect(sleeps[0]).toBeLessThanOrEqual(5000);
  });

  it("backs off exponentially with full jitter on 5xx", async () => {
    server.script(json(500, {}), json(502, {}), json(504, {}), json(200, issueBody("OPS-9", "new")));
    const { jira, sleeps } = client({ random: () => 0.5 });

    await jira.getIssue("OPS-9");

    expect(sleeps).toEqual([5, 10, 20]);
  });

  it("caps the backoff at maxDelayMs", async () => {
    server.script(json(500, {}), json(500, {}), json(500, {}), json(200, issueBody("OPS-9", "new")));
    const { jira, sleeps } = client({ retry: { baseDelayMs: 30, maxDelayMs: 40, maxAttempts: 4, safetyMarginMs: 0, minRequestMs: 50 } });

    await jira.getIssue("OPS-9");

    expect(sleeps).toEqual([30, 40, 40]);
  });

  it("retries a dropped connection", async () => {
    server.script(dropConnection, json(201, { id: "1" }));
    const { jira, sleeps } = client();

    await jira.addComment("OPS-10", []);

    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([10]);
  });

  it("gives up after maxAttempts with JiraUnavailableError", async () => {
    server.script(json(500, { errorMessages: ["boom"] }));
    const { jira } = client();

    const failure = jira.addComment("OPS-11", []);

    await expect(failure).rejects.toThrow(JiraUnavailableError);
    await expect(failure).rejects.toMatchObject({ attempts: 4, lastStatus: 500, message: "JIRA addComment failed 4 times (last: HTTP 500)." });
    expect(server.requests).toHaveLength(4);
  });

  it("gives up at once when Retry-After does not fit the remaining time", async () => {
    server.script(json(429, {}, { "retry-after": "120" }));
    const { jira, sleeps } = client({ remainingTimeMs: () => 10_000 });

    await expect(jira.addComment("OPS-12", [])).rejects.toThrow(
      "JIRA addComment not completed: HTTP 429; waiting 120000 ms (Retry-After) does not fit the invocation's remaining time.",
    );
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("bounds a request that never answers by the invocation's remaining time", async () => {
    server.script(hang);
    const deadline = Date.now() + 300;
    const { jira } = client({ remainingTimeMs: () => deadline - Date.now(), retry: { requestTimeoutMs: 10_000, safetyMarginMs: 0, minRequestMs: 50 } });
    const started = Date.now();

    await expect(jira.addComment("OPS-13", [])).rejects.toThrow(JiraUnavailableError);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("does not start a request when the safety margin leaves no time", async () => {
    server.script(json(201, {}));
    const { jira } = client({ remainingTimeMs: () => 2000, retry: { safetyMarginMs: 1500, minRequestMs: 1000 } });

    await expect(jira.addComment("OPS-14", [])).rejects.toThrow(
      "JIRA addComment not completed: the invocation ran out of time after 0 attempt(s) (last: no attempt made).",
    );
    expect(server.requests).toHaveLength(0);
  });
});

describe("JiraTicketCreator rejections", () => {
  it("does not retry a 401, drops the cached credential and says why", async () => {
    server.script(json(401, { errorMessages: ["Client must be authenticated to access this resource."] }));
    const { jira, authFailures, log } = client();

    const failure = jira.createIssue({ summary: "S", description: [], labels: [] });

    await expect(failure).rejects.toThrow(JiraAuthError);
    await expect(failure).rejects.toThrow(
      "JIRA answered 401 to createIssue (POST /rest/api/3/issue): the credential was refused (cloud: Basic email:apiToken); check the JIRA secret. Not retried. JIRA said: Client must be authenticated to access this resource.",
    );
    expect(server.requests).toHaveLength(1);
    expect(authFailures).toEqual([1]);
    expect(log.lines).toEqual([
      { level: "error", message: "JIRA rejected the request", fields: { operation: "createIssue", status: 401, jiraMessages: ["Client must be authenticated to access this resource."] } },
    ]);
  });

  it("does not retry a 400 for a bad issue type and passes JIRA's field errors on", async () => {
    server.script(json(400, { errorMessages: [], errors: { issuetype: "Specify a valid issue type" } }));
    const { jira } = client();

    const failure = jira.createIssue({ summary: "S", description: [], labels: [] });

    await expect(failure).rejects.toThrow(JiraRejectedError);
    await expect(failure).rejects.toMatchObject({
      status: 400,
      jiraMessages: ["issuetype: Specify a valid issue type"],
      message:
        'JIRA answered 400 to createIssue (POST /rest/api/3/issue). Not retried. Check JIRA_PROJECT_KEY "OPS", JIRA_ISSUE_TYPE "Task" and that labels are on the create screen. JIRA said: issuetype: Specify a valid issue type',
    });
    expect(server.requests).toHaveLength(1);
  });

  it("turns a 404 into JiraNotFoundError without retrying", async () => {
    server.script(json(404, { errorMessages: ["Issue does not exist or you do not have permission to see it."] }));
    const { jira } = client();

    await expect(jira.getIssue("OPS-404")).rejects.toThrow(JiraNotFoundError);
    expect(server.requests).toHaveLength(1);
  });
});

describe("JiraTicketCreator errors", () => {
  it("replaces an axios error that cannot be retried, so the Authorization header it carries is never logged", async () => {
    const { jira } = client({ baseUrl: "http://in valid" });

    const error = await jira.addComment("OPS-15", []).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(JiraError);
    expect(Object.keys(error as object)).toEqual(["name"]);
    expect(JSON.stringify(error)).not.toContain("tok-123");
    expect((error as Error).message).toMatch(/^JIRA addComment request could not be made: ERR_INVALID_URL: /);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.UTC(2025, 0, 15, 10, 0, 0);

  it.each([
    ["7", 7000],
    [" 0 ", 0],
    ["Wed, 15 Jan 2025 10:00:30 GMT", 30_000],
    ["Wed, 15 Jan 2025 09:59:00 GMT", 0],
    ["soon", undefined],
    ["", undefined],
    [undefined, undefined],
  ])("reads %j as %j ms", (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
