// The JIRA preflight against the local JIRA emulator (Cloud: every request validated against Atlassian's OpenAPI
// description; Data Center: REST v2 shape rules). Proves each misconfiguration is named with its fix, and that the
// preflight only reads. It does not prove real JIRA answers identically beyond those documents.
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse, stringify } from "yaml";
import { ConfigError } from "../../lib/config";
import { parseArgs, renderReport, runPreflight, type CheckId, type CredentialSource, type PreflightReport } from "../../scripts/preflight";
import {
  DEFAULT_CLOUD_CREDENTIALS,
  DEFAULT_CREATE_SCREEN,
  DEFAULT_DATACENTER_CREDENTIALS,
  DEFAULT_WORKFLOW,
  JiraEmulator,
  RESOLVE_AS_FIXED_WORKFLOW,
  screenWithout,
  type JiraEmulatorOptions,
  type JiraMode,
  type Workflow,
} from "../support/jira-emulator";
import { startLocalAws } from "../support/local-aws";
import { recordingLog } from "../lambda/test-helpers";

const REPO_ROOT = path.join(__dirname, "..", "..");
const STACK = "preflight";

/** A team workflow whose open statuses lead nowhere done; only "Reopen" leaves Done. */
const NO_DONE_TRANSITION_WORKFLOW: Workflow = {
  ...DEFAULT_WORKFLOW,
  transitions: [
    { id: "11", name: "Start", to: "10001", from: ["10000"] },
    { id: "21", name: "Stop", to: "10000", from: ["10001"] },
    { id: "31", name: "Reopen", to: "10000", from: ["10002"] },
  ],
};

/** "Resolve as fixed" without its "Reopen": nothing leaves the done status. */
const NO_REOPEN_WORKFLOW: Workflow = {
  ...RESOLVE_AS_FIXED_WORKFLOW,
  transitions: RESOLVE_AS_FIXED_WORKFLOW.transitions.filter((t) => t.name !== "Reopen"),
};

/** A workflow whose every status is open: nothing can be resolved. */
const NO_DONE_STATUS_WORKFLOW: Workflow = {
  statuses: [
    { id: "1", name: "Open", category: "new" },
    { id: "2", name: "Working", category: "indeterminate" },
  ],
  transitions: [
    { id: "11", name: "Work", to: "2" },
    { id: "21", name: "Park", to: "1" },
  ],
  initialStatus: "1",
};

const TEAM_FIELD = {
  fieldId: "customfield_10050",
  name: "Team",
  required: true,
  schema: { type: "string", custom: "com.atlassian.jira.plugin.system.customfieldtypes:textfield", customId: 10050 },
};

const credentialJson = (mode: JiraMode) => JSON.stringify(mode === "cloud" ? DEFAULT_CLOUD_CREDENTIALS : DEFAULT_DATACENTER_CREDENTIALS);

let dirs: string[] = [];
let emulators: JiraEmulator[] = [];

afterEach(async () => {
  await Promise.all(emulators.map((e) => e.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  emulators = [];
  dirs = [];
});

/** A directory with the project's Pulumi.yaml and a `Pulumi.preflight.yaml`: the dev stack with JIRA keys changed. */
function stackDir(jira: Readonly<Record<string, string | undefined>>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "preflight-stack-"));
  dirs.push(dir);
  copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const stack = parse(readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
  for (const [key, value] of Object.entries(jira)) {
    if (value === undefined) delete stack.config[`monitoring-hub:${key}`];
    else stack.config[`monitoring-hub:${key}`] = value;
  }
  writeFileSync(path.join(dir, `Pulumi.${STACK}.yaml`), stringify(stack));
  return dir;
}

/**
 * An emulator with one open and one done issue of the Lambda's (labelled `cloudwatch-alarm`), so both transition
 * checks have a sample; `seed: false` leaves the project empty.
 */
async function startJira(mode: JiraMode, options: Partial<JiraEmulatorOptions> & { seed?: boolean } = {}): Promise<JiraEmulator> {
  const { seed = true, ...rest } = options;
  const jira = await JiraEmulator.start({ mode, ...rest });
  emulators.push(jira);
  if (seed) {
    const workflow = rest.workflow ?? DEFAULT_WORKFLOW;
    jira.addIssue({ labels: ["cloudwatch-alarm", "alarm-0123456789abcdef"] });
    jira.addIssue({ labels: ["cloudwatch-alarm", "alarm-fedcba9876543210"], status: workflow.statuses.find((s) => s.category === "done")?.name });
  }
  return jira;
}

interface RunOptions {
  /** Stack keys without namespace, e.g. `{ jiraIssueType: "Bug" }`; undefined removes a key. */
  readonly config?: Readonly<Record<string, string | undefined>>;
  readonly credentials?: CredentialSource;
}

function preflight(jira: JiraEmulator, options: RunOptions = {}): Promise<PreflightReport> {
  return runPreflight({
    stack: STACK,
    root: stackDir({ jiraApi: jira.mode, ...options.config }),
    credentials: options.credentials ?? { from: "text", text: credentialJson(jira.mode), label: "JIRA_CREDENTIALS" },
    jiraUrl: jira.baseUrl,
    env: {},
    log: recordingLog(),
    retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 2 },
  });
}

/** Failure codes per failed check. */
function failures(report: PreflightReport): Partial<Record<CheckId, string[]>> {
  return Object.fromEntries(report.results.flatMap((r) => (r.status === "fail" ? [[r.id, r.failures.map((f) => f.code)]] : [])));
}

function statusOf(report: PreflightReport): Record<CheckId, string> {
  return Object.fromEntries(report.results.map((r) => [r.id, r.status])) as Record<CheckId, string>;
}

function messages(report: PreflightReport, id: CheckId): string[] {
  const result = report.results.find((r) => r.id === id);
  return result?.status === "fail" ? result.failures.flatMap((f) => [f.message, f.fix]) : [];
}

/** The preflight conformed to the contract and changed nothing in JIRA. */
function expectReadOnlyAndConforming(jira: JiraEmulator): void {
  expect(jira.violations).toEqual([]);
  expect(jira.selfCheckProblems).toEqual([]);
  expect(jira.counters).toMatchObject({ createIssue: 0, addComment: 0, doTransition: 0 });
}

const ALL_PASS: Record<CheckId, string> = {
  credentials: "pass",
  project: "pass",
  permissions: "pass",
  "issue-type": "pass",
  "create-screen": "pass",
  "required-fields": "pass",
  "done-transition": "pass",
  "reopen-transition": "pass",
};

describe.each(["cloud", "datacenter"] as const)("preflight against JIRA %s", (mode) => {
  it("passes every check for a good setup, reading only", async () => {
    const jira = await startJira(mode);

    const report = await preflight(jira);

    expect(statusOf(report)).toEqual(ALL_PASS);
    expect(report).toMatchObject({ ok: true, api: mode, baseUrl: jira.baseUrl, projectKey: "OPS", issueType: "Task", credentialSource: "JIRA_CREDENTIALS" });
    expect(report.results.find((r) => r.id === "done-transition")).toMatchObject({ detail: expect.stringContaining('offers Done -> Done (done)') });
    expect(report.results.find((r) => r.id === "reopen-transition")).toMatchObject({ detail: expect.stringMatching(/^OPS-2 \(done, status "Done"\) offers To Do -> To Do \(new\)/) });
    expectReadOnlyAndConforming(jira);
  });

  it("names refused credentials and runs nothing else", async () => {
    const jira = await startJira(mode, {
      credentials: mode === "cloud" ? { email: "alerts-bot@example.com", apiToken: "rotated" } : { personalAccessToken: "rotated" },
    });

    const report = await preflight(jira);

    expect(failures(report)).toEqual({ credentials: ["CREDENTIALS_REFUSED"] });
    expect(report.results.slice(1).map((r) => [r.status, "detail" in r ? r.detail : ""])).toEqual(
      Array(7).fill(["skipped", "not run: the credentials check failed"]),
    );
    expect(jira.counters.total).toBe(1);
    expect(report.ok).toBe(false);
  });

  it("names an unknown project", async () => {
    const jira = await startJira(mode);

    const report = await preflight(jira, { config: { jiraProjectKey: "OPZ" } });

    expect(failures(report)).toEqual({ project: ["PROJECT_NOT_FOUND"] });
    expect(messages(report, "project").join(" ")).toContain('JIRA has no project "OPZ"');
    expectReadOnlyAndConforming(jira);
  });

  it("names an unknown issue type and suggests the type that differs only in case", async () => {
    const jira = await startJira(mode);

    const report = await preflight(jira, { config: { jiraIssueType: "task" } });

    expect(failures(report)).toEqual({ "issue-type": ["ISSUE_TYPE_NOT_FOUND"] });
    expect(messages(report, "issue-type")).toEqual([
      'OPS has no issue type "task" (creatable: Task, Bug).',
      'pulumi config set jiraIssueType "Task" (names are matched exactly), or add the issue type to OPS\'s issue type scheme.',
    ]);
    expect(statusOf(report)["create-screen"]).toBe("skipped");
    expectReadOnlyAndConforming(jira);
  });

  it("names labels missing from the create screen", async () => {
    const jira = await startJira(mode, { createScreen: screenWithout("labels") });

    const report = await preflight(jira);

    expect(failures(report)).toEqual({ "create-screen": ["FIELD_NOT_ON_CREATE_SCREEN"] });
    expect(messages(report, "create-screen")[0]).toMatch(/^The field labels is not on the create screen of OPS \/ Task/);
    expect(statusOf(report)).toEqual({ ...ALL_PASS, "create-screen": "fail" });
    expectReadOnlyAndConforming(jira);
  });

  it("names a required field without a default that the Lambda does not set", async () => {
    const jira = await startJira(mode, { createScreen: [...DEFAULT_CREATE_SCREEN, TEAM_FIELD] });

    const report = await preflight(jira);

    expect(failures(report)).toEqual({ "required-fields": ["REQUIRED_FIELD_NOT_SET"] });
    expect(messages(report, "required-fields")[0]).toContain('The field "Team" (customfield_10050) is required on create in OPS / Task and has no default');
    expectReadOnlyAndConforming(jira);
  });

  it("names a workflow without a transition into done from an open ticket", async () => {
    const jira = await startJira(mode, { workflow: NO_DONE_TRANSITION_WORKFLOW });

    const report = await preflight(jira);

    expect(failures(report)).toEqual({ "done-transition": ["NO_DONE_TRANSITION"] });
    expect(messages(report, "done-transition")[0]).toBe(
      'OPS-1 (status "To Do") offers this user no transition into a done status; available: Start -> In Progress (indeterminate). The Lambda would fail to resolve tickets on OK (and send a notice each time).',
    );
    expectReadOnlyAndConforming(jira);
  });

  it("names a configured resolve transition that does not exist", async () => {
    const jira = await startJira(mode);

    const report = await preflight(jira, { config: { jiraResolveTransition: "Resolve as fixed" } });

    expect(failures(report)).toEqual({ "done-transition": ["RESOLVE_TRANSITION_NOT_FOUND"] });
    expect(messages(report, "done-transition")[0]).toBe(
      'jiraResolveTransition is "Resolve as fixed", but OPS-1 (status "To Do") offers no transition of that name; available: In Progress -> In Progress (indeterminate); Done -> Done (done).',
    );
    expectReadOnlyAndConforming(jira);
  });

  it("names a workflow where nothing leads out of the done status", async () => {
    const jira = await startJira(mode, { workflow: NO_REOPEN_WORKFLOW });

    const report = await preflight(jira);

    expect(failures(report)).toEqual({ "reopen-transition": ["NO_REOPEN_TRANSITION"] });
    expect(messages(report, "reopen-transition")[1]).toBe(
      'add a transition from "Fixed" back to a status that is not done (e.g. "Reopen") that the user may perform, or pulumi config set jiraReopenWindowMinutes 0 to open a new ticket instead.',
    );
    expectReadOnlyAndConforming(jira);
  });
});

describe("preflight details", () => {
  it("says what it could not verify when the project has no issue to read transitions from, and does not fail", async () => {
    const jira = await startJira("cloud", { seed: false });

    const report = await preflight(jira, { config: { jiraResolveTransition: "Done" } });

    expect(statusOf(report)).toEqual({ ...ALL_PASS, "done-transition": "unverified", "reopen-transition": "unverified" });
    expect(report.ok).toBe(true);
    expect(report.results.find((r) => r.id === "done-transition")).toMatchObject({
      detail: expect.stringContaining('no open Task in OPS to read transitions from (JIRA lists them only for an existing issue; reading the workflow itself needs admin rights); whether a transition named "Done" exists is not verified. Done statuses: Done.'),
    });
    expect(renderReport(report)).toContain("No check failed. 2 checks could not be verified (see above). Next: pulumi up");
    expectReadOnlyAndConforming(jira);
  });

  it("prefers the Lambda's own tickets as samples", async () => {
    const jira = await startJira("cloud", { seed: false });
    jira.addIssue({ summary: "someone's task" });
    const own = jira.addIssue({ labels: ["cloudwatch-alarm"] });
    jira.addIssue({ summary: "a newer task of someone" });

    const report = await preflight(jira, { config: { jiraReopenWindowMinutes: "0" } });

    expect(report.results.find((r) => r.id === "done-transition")).toMatchObject({ status: "pass", detail: expect.stringMatching(new RegExp(`^${own} `)) });
  });

  it("names a workflow that has no done status at all, without needing a sample", async () => {
    const jira = await startJira("cloud", { workflow: NO_DONE_STATUS_WORKFLOW, seed: false });

    const report = await preflight(jira);

    expect(failures(report)).toEqual({ "done-transition": ["NO_DONE_STATUS"] });
    expect(statusOf(report)["reopen-transition"]).toBe("unverified");
  });

  it("names a resolve transition that leads to a status that is not done", async () => {
    const jira = await startJira("cloud");

    const report = await preflight(jira, { config: { jiraResolveTransition: "in progress" } });

    expect(failures(report)).toEqual({ "done-transition": ["RESOLVE_TRANSITION_NOT_DONE"] });
  });

  it("skips the transition checks the config does not need, without searching", async () => {
    const jira = await startJira("cloud");

    const report = await preflight(jira, { config: { jiraResolveOnOk: "false", jiraReopenWindowMinutes: "0" } });

    expect(report.results.slice(-2)).toEqual([
      { id: "done-transition", status: "skipped", detail: "not needed: jiraResolveOnOk is false, the Lambda never resolves" },
      { id: "reopen-transition", status: "skipped", detail: "not needed: jiraReopenWindowMinutes is 0, the Lambda never reopens" },
    ]);
    expect(jira.counters).toMatchObject({ search: 0, getTransitions: 0, getProjectStatuses: 0 });
    expect(report.ok).toBe(true);
  });

  it("names each missing permission and still runs the other checks", async () => {
    const jira = await startJira("datacenter", { permissions: ["BROWSE_PROJECTS", "CREATE_ISSUES", "TRANSITION_ISSUES"] });

    const report = await preflight(jira);

    expect(failures(report)).toEqual({ permissions: ["PERMISSION_MISSING"] });
    expect(messages(report, "permissions")[0]).toBe("The JIRA user lacks ADD_COMMENTS in OPS: Add Comments (repeat alarms and recoveries are comments).");
    expect(statusOf(report)).toEqual({ ...ALL_PASS, permissions: "fail" });
  });

  it("rejects a credential of the wrong shape without showing it, and makes no request", async () => {
    const jira = await startJira("cloud");

    const report = await preflight(jira, { credentials: { from: "text", text: '{"personalAccessToken":"s3cr3t-value"}', label: "JIRA_CREDENTIALS" } });

    expect(failures(report)).toEqual({ credentials: ["CREDENTIALS_INVALID"] });
    expect(messages(report, "credentials")[0]).toBe(
      'JIRA secret JIRA_CREDENTIALS has no non-empty string "email"; JIRA_API=cloud expects {"email": "...", "apiToken": "..."}.',
    );
    expect(renderReport(report)).not.toContain("s3cr3t-value");
    expect(jira.counters.total).toBe(0);
  });

  it("names an unreachable JIRA", async () => {
    const jira = await startJira("cloud");
    await jira.down("refuse");

    const report = await preflight(jira);

    expect(failures(report)).toEqual({ credentials: ["JIRA_UNREACHABLE"] });
    expect(messages(report, "credentials")[1]).toContain(`check jiraBaseUrl (${jira.baseUrl})`);
  });

  it("reads the deployed Secrets Manager secret with the Lambda's own reader", async () => {
    const jira = await startJira("cloud");
    const aws = await startLocalAws({ secretString: credentialJson("cloud") });
    try {
      const report = await runPreflight({
        stack: STACK,
        root: stackDir({}),
        credentials: { from: "secret", secretArn: aws.secretArn },
        secretsManager: async () =>
          new SecretsManagerClient({ region: "us-east-1", endpoint: aws.env.AWS_ENDPOINT_URL_SECRETS_MANAGER, credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" } }),
        jiraUrl: jira.baseUrl,
        env: {},
        log: recordingLog(),
      });

      const missing = await runPreflight({
        stack: STACK,
        root: stackDir({}),
        credentials: { from: "secret", secretArn: `${aws.secretArn}-other` },
        secretsManager: async () =>
          new SecretsManagerClient({ region: "us-east-1", endpoint: aws.env.AWS_ENDPOINT_URL_SECRETS_MANAGER, credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" } }),
        jiraUrl: jira.baseUrl,
        env: {},
      });

      expect(report).toMatchObject({ ok: true, credentialSource: aws.secretArn });
      expect(aws.secretReads()).toBe(1);
      expect(failures(missing)).toEqual({ credentials: ["CREDENTIALS_UNREADABLE"] });
      expect(messages(missing, "credentials")[0]).toMatch(/^Cannot read JIRA secret arn:aws:secretsmanager:.*-other: ResourceNotFoundException: /);
    } finally {
      await aws.stop();
    }
  });

  it("validates the stack config like the program before calling JIRA", async () => {
    const jira = await startJira("cloud");

    const run = preflight(jira, { config: { jiraApi: "server", jiraProjectKey: "ops" } });

    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toThrow(/monitoring-hub:jiraApi "server" is not one of cloud, datacenter[\s\S]*monitoring-hub:jiraProjectKey "ops" is not a JIRA project key/);
    expect(jira.counters.total).toBe(0);
  });

  it("renders each failure with its code and fix", async () => {
    const jira = await startJira("cloud", { createScreen: screenWithout("labels", "description") });

    const text = renderReport(await preflight(jira));

    expect(text).toMatch(/^JIRA preflight of stack preflight: cloud http:\/\/127\.0\.0\.1:\d+, project OPS, issue type Task\ncredential from JIRA_CREDENTIALS \(not shown\)\n/);
    expect(text).toContain("  FAIL       create-screen      FIELD_NOT_ON_CREATE_SCREEN: The field description is not on the create screen");
    expect(text).toMatch(/\n {32}FIELD_NOT_ON_CREATE_SCREEN: The field labels is not on the create screen/);
    expect(text).toContain("\n                                Fix: add the Labels field to the create screen OPS uses for Task");
    expect(text).toContain("  pass       credentials        accepted for the JIRA user Alerts Bot");
    expect(text).not.toContain(DEFAULT_CLOUD_CREDENTIALS.apiToken);
    expect(text.endsWith("1 check failed. Fix the failures and run the preflight again before pulumi up.")).toBe(true);
  });
});

describe("parseArgs", () => {
  it.each([
    [["--stack", "prod"], { stack: "prod", secretArn: undefined, credentialsStdin: false, jiraUrl: undefined }],
    [["--stack", "prod", "--secret-arn", "arn:x", "--jira-url", "https://j"], { stack: "prod", secretArn: "arn:x", credentialsStdin: false, jiraUrl: "https://j" }],
    [["--credentials-stdin", "--stack", "dev"], { stack: "dev", secretArn: undefined, credentialsStdin: true, jiraUrl: undefined }],
  ])("reads %j", (argv, expected) => {
    expect(parseArgs(argv)).toEqual(expected);
  });

  it.each([
    [[], "--stack is required"],
    [["--stack"], "--stack needs a value"],
    [["--stack", "--credentials-stdin"], "--stack needs a value"],
    [["--stack", "dev", "--secret-arn", "arn:x", "--credentials-stdin"], "--secret-arn and --credentials-stdin are alternatives; pass one"],
    [["--stack", "dev", "--force"], "unknown argument --force"],
  ])("rejects %j", (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe("the preflight command", () => {
  it("lists every failure and exits 1, reading the dev stack and JIRA_CREDENTIALS", async () => {
    const jira = await startJira("cloud", { createScreen: [...screenWithout("labels"), TEAM_FIELD] });
    const { PATH, HOME } = process.env;

    const run = await promisify(execFile)(process.execPath, ["-r", "./scripts/register-ts.js", "scripts/preflight.ts", "--stack", "dev", "--jira-url", jira.baseUrl], {
      cwd: REPO_ROOT,
      env: { PATH, HOME, JIRA_CREDENTIALS: credentialJson("cloud") },
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );

    expect(run.code).toBe(1);
    expect(run.stdout).toContain("JIRA preflight of stack dev: cloud");
    expect(run.stdout).toContain("FIELD_NOT_ON_CREATE_SCREEN: The field labels");
    expect(run.stdout).toContain('REQUIRED_FIELD_NOT_SET: The field "Team" (customfield_10050)');
    expect(run.stdout).toContain("2 checks failed.");
    expect(run.stdout).not.toContain(DEFAULT_CLOUD_CREDENTIALS.apiToken);
    expectReadOnlyAndConforming(jira);
  });
});
