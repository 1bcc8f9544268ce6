// Proves the emulator accepts what JIRA accepts and rejects what the Cloud contract (OpenAPI + ADF) or the Data
// Center shape rules reject; it does not prove real JIRA behaves identically beyond those documents (FACTS 53-61).
import {
  DEFAULT_CLOUD_CREDENTIALS,
  DEFAULT_CREATE_SCREEN,
  DEFAULT_DATACENTER_CREDENTIALS,
  JiraEmulator,
  RESOLVE_AS_FIXED_WORKFLOW,
  screenWithout,
} from "./jira-emulator";

const adf = (text: string) => ({ type: "doc", version: 1, content: [{ type: "paragraph", content: [{ type: "text", text }] }] });
const basic = `Basic ${Buffer.from(`${DEFAULT_CLOUD_CREDENTIALS.email}:${DEFAULT_CLOUD_CREDENTIALS.apiToken}`).toString("base64")}`;
const bearer = `Bearer ${DEFAULT_DATACENTER_CREDENTIALS.personalAccessToken}`;

/** The parts of JIRA's answers these tests read; every answer is one of these shapes or empty. */
interface Body {
  fields: { status: { statusCategory: { key: string } } } & Record<string, unknown>;
  transitions: Array<{ id: string; name: string; to: { statusCategory: { key: string } } }>;
  errorMessages: string[];
  errors: Record<string, string>;
  displayName: string;
  key: string;
  issueTypes: Array<{ id: string; name: string }>;
  values: Array<{ id: string; name: string; fieldId: string; required: boolean; hasDefaultValue: boolean }>;
  permissions: Record<string, { havePermission: boolean }>;
  issues: Array<{ key: string }>;
  isLast: boolean;
}

/** `GET /project/{key}/statuses`: statuses per issue type. */
type StatusList = Array<{ id: string; name: string; statuses: Array<{ name: string; statusCategory: { key: string } }> }>;

interface Reply {
  status: number;
  headers: Headers;
  body: Body;
}

async function call(emulator: JiraEmulator, method: string, path: string, body?: unknown, authorization: string | null = basic): Promise<Reply> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (authorization !== null) headers.authorization = authorization;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(emulator.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === "" ? undefined : JSON.parse(text) };
}

const createBody = (summary = "ALARM: app-error-count", labels = ["cloudwatch-alarm", "alarm-0123456789abcdef"]) => ({
  fields: { project: { key: "OPS" }, issuetype: { name: "Task" }, summary, description: adf("Threshold crossed"), labels },
});
const openJql = 'project = "OPS" AND labels = "alarm-0123456789abcdef" AND statusCategory != Done';

describe("JiraEmulator (cloud)", () => {
  let jira: JiraEmulator;

  beforeEach(async () => {
    jira = await JiraEmulator.start({ mode: "cloud" });
  });

  afterEach(async () => {
    await jira.stop();
  });

  it("serves the contract's create, read, comment, transition and search calls without violations", async () => {
    const created = await call(jira, "POST", "/rest/api/3/issue", createBody());
    const got = await call(jira, "GET", "/rest/api/3/issue/OPS-1?fields=status,resolution,resolutiondate");
    const comment = await call(jira, "POST", "/rest/api/3/issue/OPS-1/comment", { body: adf("still failing") });
    const transitions = await call(jira, "GET", "/rest/api/3/issue/OPS-1/transitions");
    const found = await call(jira, "POST", "/rest/api/3/search/jql", { jql: openJql, fields: ["status"], maxResults: 2 });
    const done = await call(jira, "POST", "/rest/api/3/issue/OPS-1/transitions", { transition: { id: "31" } });
    const afterDone = await call(jira, "POST", "/rest/api/3/search/jql", { jql: openJql, fields: ["status"] });

    expect(created).toMatchObject({ status: 201, body: { id: "10000", key: "OPS-1", self: `${jira.baseUrl}/rest/api/3/issue/10000` } });
    expect(got.status).toBe(200);
    expect(Object.keys(got.body.fields).sort()).toEqual(["resolution", "resolutiondate", "status"]);
    expect(got.body.fields.status.statusCategory.key).toBe("new");
    expect(comment.status).toBe(201);
    expect(transitions.body.transitions.map((t) => [t.id, t.name, t.to.statusCategory.key])).toEqual([
      ["21", "In Progress", "indeterminate"],
      ["31", "Done", "done"],
    ]);
    expect(found.body).toEqual({ issues: [expect.objectContaining({ id: "10000", key: "OPS-1" })], isLast: true });
    expect(done.status).toBe(204);
    expect(afterDone.body).toEqual({ issues: [], isLast: true });
    expect(jira.issue("OPS-1")).toMatchObject({ status: "Done", statusCategory: "done", resolution: "Done", labels: ["cloudwatch-alarm", "alarm-0123456789abcdef"] });
    expect(jira.commentsOf("OPS-1").map((c) => [c.text, c.onStatusCategory])).toEqual([["still failing", "new"]]);
    expect(jira.counters).toMatchObject({ total: 7, createIssue: 1, getIssue: 1, addComment: 1, getTransitions: 1, doTransition: 1, search: 2 });
    expect(jira.violations).toEqual([]);
    expect(jira.selfCheckProblems).toEqual([]);
  });

  it("rejects a v2-style plain-string description", async () => {
    const reply = await call(jira, "POST", "/rest/api/3/issue", { fields: { ...createBody().fields, description: "Threshold crossed" } });

    expect(reply.status).toBe(400);
    expect(reply.body.errors.description).toMatch(/^Operation value must be an Atlassian Document/);
    expect(jira.violations).toHaveLength(1);
    expect(jira.issues()).toEqual([]);
  });

  it("rejects an ADF text node with empty text and a plain-string comment body", async () => {
    await call(jira, "POST", "/rest/api/3/issue", createBody());

    const empty = await call(jira, "POST", "/rest/api/3/issue/OPS-1/comment", { body: adf("") });
    const plain = await call(jira, "POST", "/rest/api/3/issue/OPS-1/comment", { body: "still failing" });

    expect([empty.status, plain.status]).toEqual([400, 400]);
    expect(jira.violations).toHaveLength(2);
  });

  it.each([
    ["a summary over 255 characters", createBody("x".repeat(256)), "summary: Summary can't exceed 255 characters."],
    ["a summary with a newline", createBody("a\nb"), "summary: The summary is invalid because it contains newline characters."],
    ["a label with a space", createBody("s", ["alarm x"]), "labels: The label 'alarm x' contains spaces which is invalid."],
    ["a missing issue type", { fields: { ...createBody().fields, issuetype: undefined } }, "issuetype: Specify an issue type (the contract sends issuetype.name)"],
    ["a field not on the screen", { fields: { ...createBody().fields, assignee: { id: "1" } } }, "assignee: Field 'assignee' cannot be set. It is not on the appropriate screen, or unknown."],
  ])("rejects %s on create", async (_name, body, problem) => {
    const reply = await call(jira, "POST", "/rest/api/3/issue", body);

    expect(reply.status).toBe(400);
    expect(jira.violations.map((v) => v.problems)).toEqual([[problem]]);
  });

  it("answers 400 without a violation for a well-formed create naming an issue type the project lacks", async () => {
    const body = createBody();
    const reply = await call(jira, "POST", "/rest/api/3/issue", { fields: { ...body.fields, issuetype: { name: "Incident" } } });

    expect(reply).toMatchObject({ status: 400, body: { errors: { issuetype: "Specify a valid issue type" } } });
    expect(jira.violations).toEqual([]);
  });

  it("rejects startAt on /search/jql and answers 410 on the removed /search", async () => {
    const paged = await call(jira, "POST", "/rest/api/3/search/jql", { jql: openJql, startAt: 0 });
    const removed = await call(jira, "POST", "/rest/api/3/search", { jql: openJql });

    expect(paged.status).toBe(400);
    expect(removed.status).toBe(410);
    expect(jira.violations.map((v) => v.operation)).toEqual(["search", "unknown"]);
  });

  it("rejects a numeric transition id", async () => {
    await call(jira, "POST", "/rest/api/3/issue", createBody());

    const reply = await call(jira, "POST", "/rest/api/3/issue/OPS-1/transitions", { transition: { id: 31 } });

    expect(reply.status).toBe(400);
    expect(jira.violations).toHaveLength(1);
    expect(jira.issue("OPS-1").status).toBe("To Do");
  });

  it("rejects JQL outside the contract's subset, such as resolution != X", async () => {
    const reply = await call(jira, "POST", "/rest/api/3/search/jql", { jql: 'project = OPS AND resolution != "Won\'t Do"' });

    expect(reply.status).toBe(400);
    expect(reply.body.errorMessages[0]).toMatch(/^Error in the JQL Query/);
    expect(jira.violations).toHaveLength(1);
  });

  it("enforces Basic email:apiToken and records a missing or wrong-scheme header as a violation", async () => {
    const none = await call(jira, "GET", "/rest/api/3/issue/OPS-1", undefined, null);
    const wrongToken = await call(jira, "GET", "/rest/api/3/issue/OPS-1", undefined, `Basic ${Buffer.from("a@b.c:nope").toString("base64")}`);
    const bearerOnCloud = await call(jira, "GET", "/rest/api/3/issue/OPS-1", undefined, bearer);

    expect([none.status, wrongToken.status, bearerOnCloud.status]).toEqual([401, 401, 401]);
    expect(jira.violations.map((v) => v.problems[0])).toEqual(["no Authorization header", "Authorization must use the Basic scheme in cloud mode"]);
  });

  it("hides an issue younger than the search lag unless its id is reconciled", async () => {
    jira.setSearchLag(60_000);
    await call(jira, "POST", "/rest/api/3/issue", createBody());

    const lagging = await call(jira, "POST", "/rest/api/3/search/jql", { jql: openJql });
    const reconciled = await call(jira, "POST", "/rest/api/3/search/jql", { jql: openJql, reconcileIssues: [10000] });

    expect(lagging.body).toEqual({ issues: [], isLast: true });
    expect(reconciled.body).toEqual({ issues: [{ id: "10000" }], isLast: true });
  });

  it("closes and deletes issues the way a person would", async () => {
    await call(jira, "POST", "/rest/api/3/issue", createBody());
    await call(jira, "POST", "/rest/api/3/issue", createBody());

    jira.closeIssue("OPS-1", { resolution: "Won't Do", at: Date.UTC(2025, 0, 15, 11) });
    jira.deleteIssue("OPS-2");
    const closed = await call(jira, "GET", "/rest/api/3/issue/OPS-1");
    const deleted = await call(jira, "GET", "/rest/api/3/issue/OPS-2");

    expect(closed.body.fields).toMatchObject({ resolution: { name: "Won't Do" }, resolutiondate: "2025-01-15T11:00:00.000+0000", status: { name: "Done" } });
    expect(deleted.status).toBe(404);
    expect(jira.issues().map((i) => i.key)).toEqual(["OPS-1"]);
  });

  it("injects 429 with Retry-After, dropped connections and outages", async () => {
    jira.failNext(1, { status: 429, headers: { "Retry-After": "2" } }, { method: "POST" });
    const limited = await call(jira, "POST", "/rest/api/3/issue", createBody());
    jira.dropNextConnections(1);
    const dropped = await call(jira, "GET", "/rest/api/3/issue/OPS-1").catch((err: Error) => err.message);
    await jira.down();
    const unavailable = await call(jira, "GET", "/rest/api/3/issue/OPS-1");
    await jira.down("refuse");
    const refused = await call(jira, "GET", "/rest/api/3/issue/OPS-1").catch((err: Error) => err.message);
    await jira.up();
    const back = await call(jira, "POST", "/rest/api/3/issue", createBody());

    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("2");
    expect(dropped).toBe("fetch failed");
    expect(unavailable.status).toBe(503);
    expect(refused).toBe("fetch failed");
    expect(back.status).toBe(201);
    expect(jira.requests.map((r) => r.status)).toEqual([429, 0, 503, 201]);
  });

  it("serves the preflight's reads, each conforming to the Cloud spec, request and response", async () => {
    const open = jira.addIssue({ labels: ["cloudwatch-alarm"] });
    jira.addIssue({ issueType: "Bug" });

    const me = await call(jira, "GET", "/rest/api/3/myself");
    const project = await call(jira, "GET", "/rest/api/3/project/OPS");
    const statuses = await call(jira, "GET", "/rest/api/3/project/OPS/statuses");
    const permissions = await call(jira, "GET", "/rest/api/3/mypermissions?projectKey=OPS&permissions=CREATE_ISSUES,ADD_COMMENTS");
    const types = await call(jira, "GET", "/rest/api/3/issue/createmeta/OPS/issuetypes?startAt=0&maxResults=1");
    const fields = await call(jira, "GET", "/rest/api/3/issue/createmeta/OPS/issuetypes/10000?startAt=0&maxResults=50");
    const tasks = await call(jira, "POST", "/rest/api/3/search/jql", { jql: 'project = "OPS" AND issuetype = "Task" AND statusCategory != Done', fields: ["status", "labels"], maxResults: 20 });

    expect(me).toMatchObject({ status: 200, body: { displayName: "Alerts Bot", accountId: expect.any(String) } });
    expect(project.body.issueTypes.map((t) => [t.id, t.name])).toEqual([["10000", "Task"], ["10001", "Bug"]]);
    expect((statuses.body as unknown as StatusList).map((t) => [t.name, t.statuses.map((st) => `${st.name}:${st.statusCategory.key}`)])).toEqual([
      ["Task", ["To Do:new", "In Progress:indeterminate", "Done:done"]],
      ["Bug", ["To Do:new", "In Progress:indeterminate", "Done:done"]],
    ]);
    expect(permissions.body.permissions).toEqual({
      CREATE_ISSUES: expect.objectContaining({ havePermission: true }),
      ADD_COMMENTS: expect.objectContaining({ havePermission: true }),
    });
    expect(types.body).toMatchObject({ startAt: 0, maxResults: 1, total: 2, issueTypes: [{ id: "10000", name: "Task" }] });
    expect(fields.body).toMatchObject({ total: 2 + DEFAULT_CREATE_SCREEN.length });
    expect((fields.body as unknown as { fields: Body["values"] }).fields.map((f) => [f.fieldId, f.required, f.hasDefaultValue])).toEqual([
      ["project", true, false],
      ["issuetype", true, false],
      ["summary", true, false],
      ["description", false, false],
      ["labels", false, false],
      ["priority", false, true],
      ["reporter", true, true],
    ]);
    expect(tasks.body.issues.map((i) => i.key)).toEqual([open]);
    expect(jira.counters).toMatchObject({ getCurrentUser: 1, getProject: 1, getProjectStatuses: 1, getMyPermissions: 1, getCreateMetaIssueTypes: 1, getCreateMetaFields: 1, search: 1 });
    expect(jira.violations).toEqual([]);
    expect(jira.selfCheckProblems).toEqual([]);
  });

  it("answers 404 for another project, 400 for an unknown issue type id, and requires permissions= on Cloud", async () => {
    const project = await call(jira, "GET", "/rest/api/3/project/ops");
    const fields = await call(jira, "GET", "/rest/api/3/issue/createmeta/OPS/issuetypes/99");
    const unknownType = await call(jira, "POST", "/rest/api/3/search/jql", { jql: 'project = OPS AND issuetype = "Incident"' });
    const noList = await call(jira, "GET", "/rest/api/3/mypermissions?projectKey=OPS");

    expect([project.status, fields.status, unknownType.status, noList.status]).toEqual([404, 400, 400, 400]);
    expect(project.body.errorMessages).toEqual(["No project could be found with key 'ops'."]);
    expect(jira.violations.map((v) => v.problems[0])).toEqual(["mypermissions without the permissions parameter (required on Cloud)"]);
  });

  it("answers a create that the project's screen refuses with 400, as a configuration problem rather than a violation", async () => {
    const noLabels = await JiraEmulator.start({ mode: "cloud", createScreen: screenWithout("labels") });
    const team = { fieldId: "customfield_10050", name: "Team", required: true, schema: { type: "string", custom: "com.atlassian.jira.plugin.system.customfieldtypes:textfield", customId: 10050 } };
    const extraRequired = await JiraEmulator.start({ mode: "cloud", createScreen: [...DEFAULT_CREATE_SCREEN, team] });
    try {
      const refused = await call(noLabels, "POST", "/rest/api/3/issue", createBody());
      const unlabelled = await call(noLabels, "POST", "/rest/api/3/issue", { fields: { ...createBody().fields, labels: undefined } });
      const missing = await call(extraRequired, "POST", "/rest/api/3/issue", createBody());
      const complete = await call(extraRequired, "POST", "/rest/api/3/issue", { fields: { ...createBody().fields, customfield_10050: "SRE" } });

      expect(refused).toMatchObject({ status: 400, body: { errors: { labels: "Field 'labels' cannot be set. It is not on the appropriate screen, or unknown." } } });
      expect(unlabelled.status).toBe(201);
      expect(missing).toMatchObject({ status: 400, body: { errors: { customfield_10050: "Team is required." } } });
      expect(complete.status).toBe(201);
      expect([...noLabels.violations, ...extraRequired.violations]).toEqual([]);
    } finally {
      await noLabels.stop();
      await extraRequired.stop();
    }
  });

  it("lists no transitions and no creatable issue types to a user without the permissions", async () => {
    const limited = await JiraEmulator.start({ mode: "cloud", permissions: ["BROWSE_PROJECTS", "ADD_COMMENTS"] });
    try {
      const key = limited.addIssue();
      const transitions = await call(limited, "GET", `/rest/api/3/issue/${key}/transitions`);
      const types = await call(limited, "GET", "/rest/api/3/issue/createmeta/OPS/issuetypes");
      const permissions = await call(limited, "GET", "/rest/api/3/mypermissions?projectKey=OPS&permissions=BROWSE_PROJECTS,TRANSITION_ISSUES");

      expect(transitions.body.transitions).toEqual([]);
      expect(types.body).toMatchObject({ total: 0, issueTypes: [] });
      expect(Object.entries(permissions.body.permissions).map(([k, p]) => [k, p.havePermission])).toEqual([
        ["BROWSE_PROJECTS", true],
        ["TRANSITION_ISSUES", false],
      ]);
      expect(limited.violations).toEqual([]);
      expect(limited.selfCheckProblems).toEqual([]);
    } finally {
      await limited.stop();
    }
  });

  it("adds issues in any status of the workflow, resolved when the status is done", () => {
    const key = jira.addIssue({ status: "Done", labels: ["cloudwatch-alarm"], issueType: "Bug" });

    expect(jira.issue(key)).toMatchObject({ status: "Done", statusCategory: "done", resolution: "Done", issueType: "Bug", labels: ["cloudwatch-alarm"] });
    expect(() => jira.addIssue({ status: "Closed" })).toThrow("the workflow has no status Closed");
  });

  it("lists the transitions of a custom workflow from the current status", async () => {
    const custom = await JiraEmulator.start({ mode: "cloud", workflow: RESOLVE_AS_FIXED_WORKFLOW });
    try {
      await call(custom, "POST", "/rest/api/3/issue", createBody());
      const fromOpen = await call(custom, "GET", "/rest/api/3/issue/OPS-1/transitions");
      await call(custom, "POST", "/rest/api/3/issue/OPS-1/transitions", { transition: { id: "721" } });
      const fromFixed = await call(custom, "GET", "/rest/api/3/issue/OPS-1/transitions");

      expect(fromOpen.body.transitions.map((t) => t.name)).toEqual(["Start investigation", "Resolve as fixed"]);
      expect(fromFixed.body.transitions.map((t) => t.name)).toEqual(["Reopen"]);
      expect(custom.issue("OPS-1")).toMatchObject({ status: "Fixed", resolution: "Done" });
      expect(custom.violations).toEqual([]);
    } finally {
      await custom.stop();
    }
  });
});

describe("JiraEmulator (datacenter)", () => {
  let jira: JiraEmulator;

  beforeEach(async () => {
    jira = await JiraEmulator.start({ mode: "datacenter" });
  });

  afterEach(async () => {
    await jira.stop();
  });

  it("serves REST v2 with wiki-markup strings and Bearer auth, and searches with total", async () => {
    const fields = { project: { key: "OPS" }, issuetype: { name: "Task" }, summary: "ALARM", description: "h3. Threshold crossed", labels: ["alarm-0123456789abcdef"] };
    const created = await call(jira, "POST", "/rest/api/2/issue", { fields }, bearer);
    const comment = await call(jira, "POST", "/rest/api/2/issue/OPS-1/comment", { body: "still failing" }, bearer);
    const found = await call(jira, "POST", "/rest/api/2/search", { jql: openJql, maxResults: 2, fields: ["status"] }, bearer);

    expect(created.status).toBe(201);
    expect(comment.status).toBe(201);
    expect(found.body).toMatchObject({ startAt: 0, maxResults: 2, total: 1, issues: [{ key: "OPS-1" }] });
    expect(jira.violations).toEqual([]);
  });

  it("serves the preflight's reads on REST v2, with Data Center's `values` pages", async () => {
    const me = await call(jira, "GET", "/rest/api/2/myself", undefined, bearer);
    const project = await call(jira, "GET", "/rest/api/2/project/OPS", undefined, bearer);
    const statuses = await call(jira, "GET", "/rest/api/2/project/OPS/statuses", undefined, bearer);
    const permissions = await call(jira, "GET", "/rest/api/2/mypermissions?projectKey=OPS", undefined, bearer);
    const types = await call(jira, "GET", "/rest/api/2/issue/createmeta/OPS/issuetypes?startAt=1&maxResults=50", undefined, bearer);
    const fields = await call(jira, "GET", "/rest/api/2/issue/createmeta/OPS/issuetypes/10000", undefined, bearer);
    const strict = await call(jira, "GET", "/rest/api/2/mypermissions?projectKey=OPS&permissions=ADD_COMMENTS", undefined, bearer);

    expect(me.body).toMatchObject({ name: "alerts-bot", displayName: "Alerts Bot" });
    expect(project.body).toMatchObject({ key: "OPS", issueTypes: [{ name: "Task" }, { name: "Bug" }] });
    expect(statuses.body as unknown as StatusList).toHaveLength(2);
    expect(permissions.body.permissions.TRANSITION_ISSUES.havePermission).toBe(true);
    expect(types.body).toMatchObject({ startAt: 1, total: 2, isLast: true, values: [{ id: "10001", name: "Bug" }] });
    expect(fields.body.values.map((f) => f.fieldId)).toEqual(["project", "issuetype", "summary", "description", "labels", "priority", "reporter"]);
    expect(strict.status).toBe(400);
    expect(jira.violations.map((v) => v.problems)).toEqual([["unknown query parameters permissions"]]);
  });

  it("rejects ADF bodies, REST v3 paths and Basic auth", async () => {
    const fields = { project: { key: "OPS" }, issuetype: { name: "Task" }, summary: "ALARM", description: adf("x") };
    const adfOnV2 = await call(jira, "POST", "/rest/api/2/issue", { fields }, bearer);
    const v3 = await call(jira, "POST", "/rest/api/3/search/jql", { jql: openJql }, bearer);
    const basicOnDc = await call(jira, "GET", "/rest/api/2/issue/OPS-1", undefined, basic);

    expect([adfOnV2.status, v3.status, basicOnDc.status]).toEqual([400, 404, 401]);
    expect(jira.violations).toHaveLength(3);
  });
});
