/**
 * `npm run preflight -- --stack NAME`: before `pulumi up`, checks with the stack's JIRA settings and credential that
 * JIRA will accept what the JIRA Lambda does: the credential, the project, the user's permissions, the issue type, the
 * create screen (labels, summary, description), required fields, and the resolve and reopen transitions. Read-only:
 * it creates, edits and transitions nothing.
 *
 *   node -r ./scripts/register-ts.js scripts/preflight.ts --stack NAME [--secret-arn ARN | --credentials-stdin] [--jira-url URL]
 *
 * The JIRA settings come from `Pulumi.<stack>.yaml`, validated by the program's own `parseConfig` and then by the
 * Lambda's own `readConfig` on the environment the stack would give the function. The credential (never printed, in
 * the Lambda's secret shape) comes from, in this order:
 *   --secret-arn ARN       the deployed Secrets Manager secret (`pulumi stack output jiraSecretArn`), read with the
 *                          Lambda's own reader and the standard AWS credential chain, in the stack's region;
 *   --credentials-stdin    the JSON on standard input, e.g. `pulumi config get jiraCredentials | npm run preflight --
 *                          --stack prod --credentials-stdin`;
 *   JIRA_CREDENTIALS       the JSON in this environment variable.
 * `--jira-url` checks another JIRA than the stack's `jiraBaseUrl` (a staging copy; the local emulator in tests).
 *
 * Exit code 0 when no check failed (a check that could not be verified is reported, and does not fail), 1 when one
 * failed or the stack config is invalid, 2 for a usage error.
 */
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_KEYS, CONFIG_NAMESPACE, parseConfig, type RawConfig } from "../lib/config";
import { jiraLambdaEnvironment } from "../lib/jira-lambda";
import { readConfig, type HandlerConfig } from "../lambda_functions/jira-handler/config";
import { JiraCredentialsSource, parseJiraSecret, type JiraCredentials } from "../lambda_functions/jira-handler/credentials";
import { JiraAuthError, JiraNotFoundError, JiraRejectedError, JiraUnavailableError } from "../lambda_functions/jira-handler/errors";
import {
  describeTransition,
  isReopenTransition,
  JiraTicketCreator,
  resolveTransitionMatcher,
  type CreateField,
  type IssueSummary,
  type IssueTypeStatuses,
  type NamedRef,
  type RetryOptions,
  type Transition,
} from "../lambda_functions/jira-handler/jira-client";
import type { Log } from "../lambda_functions/jira-handler/logger";
import { readStackConfig } from "./stack-config";

/** The checks, in the order they run; a check that needs an earlier one's answer is skipped when that one failed. */
export const CHECKS = [
  "credentials",
  "project",
  "permissions",
  "issue-type",
  "create-screen",
  "required-fields",
  "done-transition",
  "reopen-transition",
] as const;
export type CheckId = (typeof CHECKS)[number];

/** The named errors; each comes with what is wrong and the fix. */
export type FailureCode =
  | "CREDENTIALS_INVALID"
  | "CREDENTIALS_UNREADABLE"
  | "CREDENTIALS_REFUSED"
  | "CREDENTIALS_FORBIDDEN"
  | "JIRA_UNREACHABLE"
  | "JIRA_REQUEST_FAILED"
  | "PROJECT_NOT_FOUND"
  | "PERMISSION_MISSING"
  | "ISSUE_TYPE_NOT_FOUND"
  | "ISSUE_TYPE_NOT_CREATABLE"
  | "FIELD_NOT_ON_CREATE_SCREEN"
  | "REQUIRED_FIELD_NOT_SET"
  | "NO_DONE_STATUS"
  | "NO_DONE_TRANSITION"
  | "RESOLVE_TRANSITION_NOT_FOUND"
  | "RESOLVE_TRANSITION_NOT_DONE"
  | "NO_REOPEN_STATUS"
  | "NO_REOPEN_TRANSITION";

export interface Failure {
  readonly code: FailureCode;
  readonly message: string;
  readonly fix: string;
}

/**
 * One check's outcome. `unverified`: JIRA offered no way to know (e.g. no issue to read transitions from), the detail
 * says what was not verified; `skipped`: not needed with this config, or an earlier check it depends on failed.
 */
export type CheckResult =
  | { readonly id: CheckId; readonly status: "pass" | "unverified" | "skipped"; readonly detail: string }
  | { readonly id: CheckId; readonly status: "fail"; readonly failures: readonly Failure[] };

export interface PreflightReport {
  readonly stack: string;
  readonly api: HandlerConfig["jira"]["api"];
  readonly baseUrl: string;
  readonly projectKey: string;
  readonly issueType: string;
  /** Where the credential came from, e.g. `JIRA_CREDENTIALS` or the secret's ARN; never the value. */
  readonly credentialSource: string;
  /** One result per entry of {@link CHECKS}, in that order. */
  readonly results: readonly CheckResult[];
  /** No check failed. */
  readonly ok: boolean;
}

/** Where the credential comes from. */
export type CredentialSource =
  | { readonly from: "secret"; readonly secretArn: string }
  /** JSON text, from the environment or standard input; `label` names it in messages. */
  | { readonly from: "text"; readonly text: string; readonly label: string };

export interface PreflightOptions {
  readonly stack: string;
  readonly credentials: CredentialSource;
  /** Directory with `Pulumi.yaml` and `Pulumi.<stack>.yaml`. @default the repository root */
  readonly root?: string;
  /** Check this JIRA instead of the stack's `jiraBaseUrl` (http allowed). */
  readonly jiraUrl?: string;
  /** `ENVIRONMENT_SUFFIX` comes from here, as in the program. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** For `--secret-arn`. @default a client in the stack's region with the standard credential chain */
  readonly secretsManager?: () => Promise<SecretsManagerClient>;
  /** Retry warnings. @default one line per retry on stderr */
  readonly log?: Log;
  readonly retry?: Partial<RetryOptions>;
  /** Upper bound of the whole run. @default 120000 */
  readonly timeoutMs?: number;
}

/** Fields the Lambda sets on every create (DESIGN.md "The JIRA Lambda"); `project` and `issuetype` are the context. */
const LAMBDA_CREATE_FIELDS = ["project", "issuetype", "summary", "description", "labels"];

/** Why the Lambda needs each field on the create screen. */
const SCREEN_FIELDS: ReadonlyArray<{ readonly id: string; readonly name: string; readonly why: string }> = [
  { id: "summary", name: "Summary", why: "the ticket's title" },
  { id: "description", name: "Description", why: "the alarm's details" },
  { id: "labels", name: "Labels", why: "the identity labels cloudwatch-alarm and alarm-<fingerprint> it finds the ticket by" },
];

/** The label every ticket of the Lambda carries; issues with it are preferred as samples. */
const LAMBDA_LABEL = "cloudwatch-alarm";

/**
 * Runs every check against JIRA and returns the report. Throws the program's {@link ConfigError} (or the Lambda's)
 * when the stack config itself is invalid; every JIRA problem is a failed check in the report instead.
 */
export async function runPreflight(options: PreflightOptions): Promise<PreflightReport> {
  const env = options.env ?? process.env;
  const stackConfig = readStackConfig(options.stack, options.root);
  const raw: RawConfig = {};
  for (const key of CONFIG_KEYS) {
    const value = stackConfig.config[`${CONFIG_NAMESPACE}:${key}`];
    if (value !== undefined) raw[key] = value;
  }
  const config = parseConfig(
    { raw, awsRegion: stackConfig.region, stackName: options.stack, environmentSuffixVariable: env.ENVIRONMENT_SUFFIX },
    (plaintext) => pulumi.secret(plaintext),
  );
  // What the function would be given, read back by the function's own validator. The resource names are stand-ins.
  const secretArn = options.credentials.from === "secret" ? options.credentials.secretArn : "preflight-reads-no-secret";
  const environment = jiraLambdaEnvironment(config.jira, {
    secretArn,
    fallbackTopicArn: `arn:aws:sns:${config.region}:000000000000:preflight-stand-in`,
    ticketsTableName: "preflight-stand-in",
  });
  if (options.jiraUrl !== undefined) environment.JIRA_BASE_URL = options.jiraUrl;
  const handler = readConfig(environment);

  const credentialSource = options.credentials.from === "secret" ? options.credentials.secretArn : options.credentials.label;
  const checks = new Checks();
  const report = (): PreflightReport => ({
    stack: options.stack,
    api: handler.jira.api,
    baseUrl: handler.jira.baseUrl,
    projectKey: handler.jira.projectKey,
    issueType: handler.jira.issueType,
    credentialSource,
    results: checks.results(),
    ok: checks.ok(),
  });

  let credentials: JiraCredentials;
  try {
    credentials = await loadCredentials(options, handler, config.region);
  } catch (error) {
    const unreadable = options.credentials.from === "secret" && (error as Error).message.startsWith("Cannot read JIRA secret");
    checks.fail("credentials", {
      code: unreadable ? "CREDENTIALS_UNREADABLE" : "CREDENTIALS_INVALID",
      message: (error as Error).message,
      fix: unreadable
        ? `check the ARN (pulumi stack output jiraSecretArn) and that your AWS credentials are for the hub account and may read it in ${config.region}.`
        : credentialFix(handler.jira.api),
    });
    return report();
  }

  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const jira = new JiraTicketCreator({
    ...handler.jira,
    resolveTransition: handler.lifecycle.resolveTransition,
    credentials: async () => credentials,
    remainingTimeMs: () => deadline - Date.now(),
    log: options.log ?? stderrLog,
    retry: { maxAttempts: 3, maxDelayMs: 4000, requestTimeoutMs: 15_000, safetyMarginMs: 0, minRequestMs: 100, ...options.retry },
  });
  await runChecks(jira, handler, checks);
  return report();
}

async function loadCredentials(options: PreflightOptions, handler: HandlerConfig, region: string): Promise<JiraCredentials> {
  const source = options.credentials;
  if (source.from === "text") return parseJiraSecret(source.text, handler.jira.api, source.label);
  const client =
    options.secretsManager ??
    (async () => {
      const { SecretsManagerClient } = await import("@aws-sdk/client-secrets-manager");
      return new SecretsManagerClient({ region });
    });
  return new JiraCredentialsSource(client, source.secretArn, handler.jira.api).get();
}

/** Collects results; a check not reached is reported as skipped because of the last failed check before it. */
class Checks {
  readonly #results = new Map<CheckId, CheckResult>();

  pass(id: CheckId, detail: string): void {
    this.#results.set(id, { id, status: "pass", detail });
  }

  unverified(id: CheckId, detail: string): void {
    this.#results.set(id, { id, status: "unverified", detail });
  }

  skip(id: CheckId, detail: string): void {
    this.#results.set(id, { id, status: "skipped", detail });
  }

  fail(id: CheckId, ...failures: Failure[]): void {
    this.#results.set(id, { id, status: "fail", failures });
  }

  results(): CheckResult[] {
    return CHECKS.map((id, index) => {
      const result = this.#results.get(id);
      if (result !== undefined) return result;
      const blocker = CHECKS.slice(0, index).reverse().find((earlier) => this.#results.get(earlier)?.status === "fail");
      return { id, status: "skipped", detail: blocker === undefined ? "not run" : `not run: the ${blocker} check failed` };
    });
  }

  ok(): boolean {
    return [...this.#results.values()].every((r) => r.status !== "fail");
  }
}

async function runChecks(jira: JiraTicketCreator, handler: HandlerConfig, checks: Checks): Promise<void> {
  const { api, baseUrl, projectKey, issueType } = handler.jira;
  const { resolveOnOk, resolveTransition, reopenWindowMinutes } = handler.lifecycle;

  // credentials: the first request; nothing else can work without it.
  try {
    const user = await jira.getCurrentUser();
    checks.pass("credentials", `accepted for the JIRA user ${user.displayName}`);
  } catch (error) {
    checks.fail("credentials", credentialFailure(error, api, baseUrl));
    return;
  }

  // project
  let projectIssueTypes: readonly NamedRef[];
  try {
    const project = await jira.getProject();
    projectIssueTypes = project.issueTypes;
    checks.pass("project", `${project.key} (${project.name})`);
  } catch (error) {
    checks.fail(
      "project",
      error instanceof JiraNotFoundError
        ? {
            code: "PROJECT_NOT_FOUND",
            message: `JIRA has no project "${projectKey}" that this user can browse.`,
            fix: `pulumi config set jiraProjectKey <KEY> with the key of an existing project (keys are case-sensitive), or grant the user Browse Projects in ${projectKey}.`,
          }
        : requestFailure(error, baseUrl),
    );
    return;
  }

  // permissions: independent of the rest, so a failure here does not stop the other checks.
  const needed: Array<[string, string]> = [
    ["BROWSE_PROJECTS", "Browse Projects (to read and search its tickets)"],
    ["CREATE_ISSUES", "Create Issues (to open a ticket per alarm)"],
    ["ADD_COMMENTS", "Add Comments (repeat alarms and recoveries are comments)"],
  ];
  if (resolveOnOk || reopenWindowMinutes > 0) needed.push(["TRANSITION_ISSUES", "Transition Issues (to resolve on OK and reopen)"]);
  try {
    const held = await jira.getMyPermissions(needed.map(([key]) => key));
    const missing = needed.filter(([key]) => held[key] === false);
    const unreported = needed.filter(([key]) => held[key] === undefined).map(([key]) => key);
    if (missing.length > 0) {
      checks.fail(
        "permissions",
        ...missing.map(([key, why]) => ({
          code: "PERMISSION_MISSING" as const,
          message: `The JIRA user lacks ${key} in ${projectKey}: ${why}.`,
          fix: `grant ${key} to the user in ${projectKey}'s permission scheme (Project settings > Permissions), e.g. through a project role the user has.`,
        })),
      );
    } else if (unreported.length > 0) {
      checks.unverified("permissions", `JIRA did not report ${unreported.join(", ")}; the other permissions are held.`);
    } else {
      checks.pass("permissions", `${needed.map(([key]) => key).join(", ")} in ${projectKey}`);
    }
  } catch (error) {
    checks.fail("permissions", requestFailure(error, baseUrl));
  }

  // issue type: by exact name, as the Lambda sends it; creatable means listed in the create metadata.
  let type: NamedRef;
  try {
    const creatable = await jira.getCreatableIssueTypes();
    const found = creatable.find((t) => t.name === issueType);
    if (found === undefined) {
      const inProject = projectIssueTypes.some((t) => t.name === issueType);
      const near = [...creatable, ...projectIssueTypes].find((t) => t.name.toLowerCase() === issueType.trim().toLowerCase());
      const offered = creatable.map((t) => t.name).join(", ") || "none";
      checks.fail(
        "issue-type",
        inProject
          ? {
              code: "ISSUE_TYPE_NOT_CREATABLE",
              message: `${projectKey} has the issue type "${issueType}", but this user may not create it (creatable: ${offered}).`,
              fix: `grant CREATE_ISSUES in ${projectKey}, or pulumi config set jiraIssueType with a creatable type.`,
            }
          : {
              code: "ISSUE_TYPE_NOT_FOUND",
              message: `${projectKey} has no issue type "${issueType}" (creatable: ${offered}).`,
              fix: `pulumi config set jiraIssueType "${near?.name ?? "<one of the creatable types>"}"${near === undefined ? "" : " (names are matched exactly)"}, or add the issue type to ${projectKey}'s issue type scheme.`,
            },
      );
      return;
    }
    type = found;
    checks.pass("issue-type", `"${type.name}" (id ${type.id}) is creatable in ${projectKey}`);
  } catch (error) {
    checks.fail("issue-type", requestFailure(error, baseUrl, api === "datacenter" ? "Data Center needs JIRA 8.4 or later for /issue/createmeta/{project}/issuetypes." : undefined));
    return;
  }

  // create screen and required fields, from the create metadata of the project and issue type.
  let fields: CreateField[] | undefined;
  try {
    fields = await jira.getCreateFields(type.id);
  } catch (error) {
    checks.fail("create-screen", requestFailure(error, baseUrl));
  }
  if (fields !== undefined) {
    const onScreen = new Set(fields.map((f) => f.fieldId));
    const absent = SCREEN_FIELDS.filter((f) => !onScreen.has(f.id));
    if (absent.length > 0) {
      checks.fail(
        "create-screen",
        ...absent.map((f) => ({
          code: "FIELD_NOT_ON_CREATE_SCREEN" as const,
          message: `The field ${f.id} is not on the create screen of ${projectKey} / ${issueType}; the Lambda sets it on every ticket (${f.why}), so every create would fail with "Field '${f.id}' cannot be set. It is not on the appropriate screen, or unknown."`,
          fix: `add the ${f.name} field to the create screen ${projectKey} uses for ${issueType} (company-managed: the screen of its screen scheme; team-managed: Project settings > Issue types > ${issueType} > Fields).`,
        })),
      );
    } else {
      checks.pass("create-screen", `${SCREEN_FIELDS.map((f) => f.id).join(", ")} are on the create screen`);
    }
    const unset = fields.filter((f) => f.required && !f.hasDefaultValue && !LAMBDA_CREATE_FIELDS.includes(f.fieldId));
    if (unset.length > 0) {
      checks.fail(
        "required-fields",
        ...unset.map((f) => ({
          code: "REQUIRED_FIELD_NOT_SET" as const,
          message: `The field "${f.name}" (${f.fieldId}) is required on create in ${projectKey} / ${issueType} and has no default; the Lambda sets only ${LAMBDA_CREATE_FIELDS.join(", ")}, so every create would fail with 400.`,
          fix: `make ${f.fieldId} optional or give it a default value in the field configuration of ${projectKey} / ${issueType}, or pulumi config set jiraIssueType with a type that does not require it.`,
        })),
      );
    } else {
      const defaulted = fields.filter((f) => f.required && f.hasDefaultValue).map((f) => f.fieldId);
      checks.pass("required-fields", `every required field is set by the Lambda${defaulted.length === 0 ? "" : ` or defaulted (${defaulted.join(", ")})`}`);
    }
  } else {
    checks.skip("required-fields", "not run: the create metadata could not be read");
  }

  // transitions: JIRA lists them only for an existing issue, from its current status, as this user may perform them.
  if (!resolveOnOk) checks.skip("done-transition", "not needed: jiraResolveOnOk is false, the Lambda never resolves");
  if (reopenWindowMinutes === 0) checks.skip("reopen-transition", "not needed: jiraReopenWindowMinutes is 0, the Lambda never reopens");
  if (!resolveOnOk && reopenWindowMinutes === 0) return;
  let statuses: IssueTypeStatuses["statuses"] | undefined;
  try {
    statuses = (await jira.getProjectStatuses()).find((t) => t.issueTypeId === type.id || t.issueTypeName === type.name)?.statuses;
  } catch (error) {
    for (const id of ["done-transition", "reopen-transition"] as const) {
      if ((id === "done-transition" && resolveOnOk) || (id === "reopen-transition" && reopenWindowMinutes > 0)) checks.fail(id, requestFailure(error, baseUrl));
    }
    return;
  }
  const scope = `${issueType} in ${projectKey}`;
  const statusNames = (category: (c: string | undefined) => boolean) =>
    (statuses ?? []).filter((s) => category(s.category)).map((s) => s.name);
  const jqlBase = `project = "${jqlEscape(projectKey)}" AND issuetype = "${jqlEscape(issueType)}"`;

  if (resolveOnOk) {
    await checkTransition(jira, checks, {
      id: "done-transition",
      baseUrl,
      statusesOfKind: statusNames((c) => c === "done"),
      statusesKnown: statuses !== undefined,
      jql: `${jqlBase} AND statusCategory != Done ORDER BY created DESC`,
      sampleKind: "open",
      scope,
      match: resolveTransitionMatcher(resolveTransition),
      judge: (sample, transitions) => judgeDone(sample, transitions, resolveTransition),
      noStatus: {
        code: "NO_DONE_STATUS",
        message: `The workflow of ${scope} has no status in the Done category (statuses: ${statusNames(() => true).join(", ") || "none"}), so the Lambda cannot resolve tickets on OK.`,
        fix: "add a done status and a transition into it to the workflow, or pulumi config set jiraResolveOnOk false.",
      },
      unverified: `no open ${scope} to read transitions from (JIRA lists them only for an existing issue; reading the workflow itself needs admin rights)${resolveTransition === undefined ? "" : `; whether a transition named "${resolveTransition}" exists is not verified`}. Done statuses: ${statusNames((c) => c === "done").join(", ")}. Run the preflight again once a ticket exists.`,
    });
  }
  if (reopenWindowMinutes > 0) {
    await checkTransition(jira, checks, {
      id: "reopen-transition",
      baseUrl,
      statusesOfKind: statusNames((c) => c !== undefined && c !== "done"),
      statusesKnown: statuses !== undefined,
      jql: `${jqlBase} AND statusCategory = Done ORDER BY updated DESC`,
      sampleKind: "done",
      scope,
      match: isReopenTransition,
      judge: (sample, transitions) => judgeReopen(sample, transitions, reopenWindowMinutes),
      noStatus: {
        code: "NO_REOPEN_STATUS",
        message: `Every status of the workflow of ${scope} is in the Done category, so a resolved ticket cannot be reopened.`,
        fix: "add a status that is not done and a transition into it, or pulumi config set jiraReopenWindowMinutes 0 (a new ticket instead of reopening).",
      },
      unverified: `no done ${scope} to read transitions from (JIRA lists them only for an existing issue; reading the workflow itself needs admin rights). Statuses that are not done: ${statusNames((c) => c !== undefined && c !== "done").join(", ")}. Run the preflight again once a ticket has been resolved.`,
    });
  }
}

interface TransitionCheck {
  readonly id: "done-transition" | "reopen-transition";
  readonly baseUrl: string;
  /** Statuses the transition must lead into (done ones, or not-done ones). */
  readonly statusesOfKind: readonly string[];
  readonly statusesKnown: boolean;
  /** Finds sample issues the transition must start from. */
  readonly jql: string;
  readonly sampleKind: "open" | "done";
  readonly scope: string;
  readonly match: (t: Transition) => boolean;
  /** The result for the sample's transitions: undefined when they pass, else the failure. */
  readonly judge: (sample: IssueSummary, transitions: readonly Transition[]) => Failure | undefined;
  readonly noStatus: Failure;
  readonly unverified: string;
}

/**
 * The workflow must have a status of the right category (project statuses, readable by any user who can browse), and
 * a sample issue of the issue type, preferably one of the Lambda's own, must offer the transition to this user.
 */
async function checkTransition(jira: JiraTicketCreator, checks: Checks, check: TransitionCheck): Promise<void> {
  if (check.statusesKnown && check.statusesOfKind.length === 0) {
    checks.fail(check.id, check.noStatus);
    return;
  }
  try {
    const found = await jira.searchIssues(check.jql, 20);
    const sample = found.find((issue) => issue.labels.includes(LAMBDA_LABEL)) ?? found[0];
    if (sample === undefined) {
      checks.unverified(check.id, check.unverified);
      return;
    }
    const transitions = await jira.getTransitions(sample.key);
    const failure = check.judge(sample, transitions);
    if (failure !== undefined) {
      checks.fail(check.id, failure);
      return;
    }
    const chosen = transitions.find(check.match)!;
    checks.pass(
      check.id,
      `${sample.key} (${check.sampleKind}, status "${sample.status ?? "?"}") offers ${describeTransition(chosen)}; checked from that status only, other statuses of the workflow may differ`,
    );
  } catch (error) {
    checks.fail(check.id, requestFailure(error, check.baseUrl));
  }
}

function judgeDone(sample: IssueSummary, transitions: readonly Transition[], resolveTransition: string | undefined): Failure | undefined {
  const where = `${sample.key} (status "${sample.status ?? "?"}")`;
  const available = transitions.map(describeTransition).join("; ") || "none (does the user hold TRANSITION_ISSUES?)";
  const chosen = transitions.find(resolveTransitionMatcher(resolveTransition));
  if (resolveTransition !== undefined) {
    if (chosen === undefined) {
      return {
        code: "RESOLVE_TRANSITION_NOT_FOUND",
        message: `jiraResolveTransition is "${resolveTransition}", but ${where} offers no transition of that name; available: ${available}.`,
        fix: `pulumi config set jiraResolveTransition "<a name from the list>", or pulumi config rm jiraResolveTransition to use any transition into a done status.`,
      };
    }
    if (chosen.toCategory !== "done") {
      return {
        code: "RESOLVE_TRANSITION_NOT_DONE",
        message: `jiraResolveTransition "${resolveTransition}" leads from ${where} to ${chosen.toStatus ?? "?"} (${chosen.toCategory ?? "?"}), not a done status: tickets would stay open after OK.`,
        fix: `pulumi config set jiraResolveTransition with a transition into a done status, or pulumi config rm jiraResolveTransition.`,
      };
    }
    return undefined;
  }
  if (chosen !== undefined) return undefined;
  return {
    code: "NO_DONE_TRANSITION",
    message: `${where} offers this user no transition into a done status; available: ${available}. The Lambda would fail to resolve tickets on OK (and send a notice each time).`,
    fix: `add a transition from "${sample.status ?? "?"}" into a done status that the user may perform (check its conditions and TRANSITION_ISSUES), or pulumi config set jiraResolveOnOk false.`,
  };
}

function judgeReopen(sample: IssueSummary, transitions: readonly Transition[], reopenWindowMinutes: number): Failure | undefined {
  if (transitions.some(isReopenTransition)) return undefined;
  const available = transitions.map(describeTransition).join("; ") || "none (does the user hold TRANSITION_ISSUES?)";
  return {
    code: "NO_REOPEN_TRANSITION",
    message: `${sample.key} (status "${sample.status ?? "?"}") offers this user no transition into a status that is not done; available: ${available}. An alarm firing again within ${reopenWindowMinutes} minutes of its ticket's resolution could not reopen it (the Lambda would fail and send a notice).`,
    fix: `add a transition from "${sample.status ?? "?"}" back to a status that is not done (e.g. "Reopen") that the user may perform, or pulumi config set jiraReopenWindowMinutes 0 to open a new ticket instead.`,
  };
}

/** JQL string literal content: backslash and double quote escaped. */
function jqlEscape(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

function credentialFix(api: HandlerConfig["jira"]["api"]): string {
  const shape = api === "cloud" ? `'{"email":"...","apiToken":"..."}'` : `'{"personalAccessToken":"..."}'`;
  return `provide the credential as JSON ${shape} (never printed): --secret-arn "$(pulumi stack output jiraSecretArn)", or pulumi config get jiraCredentials | npm run preflight -- --stack NAME --credentials-stdin, or JIRA_CREDENTIALS.`;
}

function credentialFailure(error: unknown, api: HandlerConfig["jira"]["api"], baseUrl: string): Failure {
  if (error instanceof JiraAuthError && error.status === 401) {
    return {
      code: "CREDENTIALS_REFUSED",
      message: `JIRA at ${baseUrl} refused the credential (401).`,
      fix:
        api === "cloud"
          ? "check the email and API token (an Atlassian API token of that account, https://id.atlassian.com/manage-profile/security/api-tokens), then pulumi config set --secret jiraCredentials '{\"email\":\"...\",\"apiToken\":\"...\"}' (or put it in the deployed secret)."
          : "check the personal access token (JIRA profile > Personal Access Tokens; it may have expired), then pulumi config set --secret jiraCredentials '{\"personalAccessToken\":\"...\"}' (or put it in the deployed secret).",
    };
  }
  if (error instanceof JiraAuthError) {
    return {
      code: "CREDENTIALS_FORBIDDEN",
      message: `JIRA at ${baseUrl} knows the credential but refused access (403).${error.jiraMessages.length === 0 ? "" : ` JIRA said: ${error.jiraMessages.join(" | ")}`}`,
      fix: "log in once as that user in a browser (a CAPTCHA after failed logins blocks API access), check the account is active and has product access to JIRA, and that the token is not scoped to exclude reading.",
    };
  }
  return requestFailure(error, baseUrl);
}

function requestFailure(error: unknown, baseUrl: string, hint?: string): Failure {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof JiraRejectedError) {
    return { code: "JIRA_REQUEST_FAILED", message, fix: hint ?? "read JIRA's answer above; the preflight uses only read operations any project member may call." };
  }
  const unreachable = error instanceof JiraUnavailableError || (error instanceof Error && error.name === "JiraError");
  return unreachable
    ? { code: "JIRA_UNREACHABLE", message, fix: `check jiraBaseUrl (${baseUrl}) and that this machine can reach JIRA, then run the preflight again.` }
    : { code: "JIRA_REQUEST_FAILED", message, fix: hint ?? "run the preflight again; if it persists, report it with this message." };
}

/** Retry notices on stderr; errors are in the report. */
const stderrLog: Log = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, fields) => process.stderr.write(`preflight: ${message} ${JSON.stringify(fields ?? {})}\n`),
  error: () => undefined,
};

const LABELS: Record<CheckResult["status"], string> = { pass: "pass", fail: "FAIL", unverified: "unverified", skipped: "skipped" };

/** The report as an operator reads it: one block per check, every failure with its code and fix. */
export function renderReport(report: PreflightReport): string {
  const lines = [
    `JIRA preflight of stack ${report.stack}: ${report.api} ${report.baseUrl}, project ${report.projectKey}, issue type ${report.issueType}`,
    `credential from ${report.credentialSource} (not shown)`,
    "",
  ];
  const indent = " ".repeat(32);
  for (const result of report.results) {
    const head = `  ${LABELS[result.status].padEnd(11)}${result.id.padEnd(19)}`;
    if (result.status !== "fail") {
      lines.push(`${head}${result.detail}`);
      continue;
    }
    result.failures.forEach((failure, i) => {
      lines.push(`${i === 0 ? head : indent}${failure.code}: ${failure.message}`);
      lines.push(`${indent}Fix: ${failure.fix}`);
    });
  }
  const failed = report.results.filter((r) => r.status === "fail").length;
  const unverified = report.results.filter((r) => r.status === "unverified").length;
  const notVerified = unverified === 0 ? "" : ` ${unverified} check${unverified === 1 ? "" : "s"} could not be verified (see above).`;
  lines.push("");
  lines.push(
    failed === 0
      ? `No check failed.${notVerified} Next: pulumi up`
      : `${failed} check${failed === 1 ? "" : "s"} failed.${notVerified} Fix the failures and run the preflight again before pulumi up.`,
  );
  return lines.join("\n");
}

/** Command-line options. */
export interface Args {
  readonly stack: string;
  readonly secretArn?: string;
  readonly credentialsStdin: boolean;
  readonly jiraUrl?: string;
}

export const USAGE = "usage: npm run preflight -- --stack NAME [--secret-arn ARN | --credentials-stdin] [--jira-url URL]";

export function parseArgs(argv: readonly string[]): Args {
  let stack: string | undefined;
  let secretArn: string | undefined;
  let jiraUrl: string | undefined;
  let credentialsStdin = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === "--credentials-stdin") {
      credentialsStdin = true;
    } else if (arg === "--stack" || arg === "--secret-arn" || arg === "--jira-url") {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith("--") || value.trim() === "") throw new Error(`${arg} needs a value`);
      if (arg === "--stack") stack = value;
      else if (arg === "--secret-arn") secretArn = value;
      else jiraUrl = value;
      i += 1;
    } else {
      throw new Error(`unknown argument ${arg}`);
    }
  }
  if (stack === undefined) throw new Error("--stack is required");
  if (secretArn !== undefined && credentialsStdin) throw new Error("--secret-arn and --credentials-stdin are alternatives; pass one");
  return { stack, secretArn, credentialsStdin, jiraUrl };
}

/** The credential source of the command line: --secret-arn, else --credentials-stdin, else JIRA_CREDENTIALS. */
async function credentialSource(args: Args): Promise<CredentialSource> {
  if (args.secretArn !== undefined) return { from: "secret", secretArn: args.secretArn };
  if (args.credentialsStdin) {
    if (process.stdin.isTTY) process.stderr.write("Paste the credential JSON, then Ctrl-D (it is not echoed back by the preflight):\n");
    let text = "";
    for await (const chunk of process.stdin) text += String(chunk);
    return { from: "text", text, label: "stdin" };
  }
  const text = process.env.JIRA_CREDENTIALS;
  if (text === undefined || text.trim() === "") {
    throw new Error(
      "no JIRA credential: pass --secret-arn \"$(pulumi stack output jiraSecretArn)\", or pipe `pulumi config get jiraCredentials` into --credentials-stdin, or set JIRA_CREDENTIALS to the credential JSON",
    );
  }
  return { from: "text", text, label: "JIRA_CREDENTIALS" };
}

async function main(argv: readonly string[]): Promise<number> {
  let args: Args;
  let credentials: CredentialSource;
  try {
    args = parseArgs(argv);
    credentials = await credentialSource(args);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  let report: PreflightReport;
  try {
    report = await runPreflight({ stack: args.stack, credentials, jiraUrl: args.jiraUrl });
  } catch (error) {
    // An invalid stack config (the program's ConfigError or the Lambda's): its message names each key and the fix.
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  process.stdout.write(`${renderReport(report)}\n`);
  return report.ok ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
