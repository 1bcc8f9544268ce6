import { z } from "zod";
import type * as pulumi from "@pulumi/pulumi";
import { getStack, runtime, secret } from "@pulumi/pulumi";
import { ALARM_SPECS, COMPOSITE_ALARM, MEMBER_ALARM_SPECS } from "./alarm-specs";
import { oamSinkPolicy, sinkPolicyProblems } from "./cross-account";

/** Which JIRA REST flavour the Lambda speaks (DESIGN.md, "The JIRA Lambda"). */
export const JIRA_API_KINDS = ["cloud", "datacenter"] as const;
export type JiraApiKind = (typeof JIRA_API_KINDS)[number];

/** Who creates the service-managed StackSet: the management account or a delegated administrator. */
export const STACK_SET_CALLERS = ["SELF", "DELEGATED_ADMIN"] as const;
export type StackSetCaller = (typeof STACK_SET_CALLERS)[number];

/** JIRA settings that become the Lambda's environment (never the credential itself). */
export interface JiraSettings {
  /** https URL of the JIRA site, without a trailing slash. */
  readonly baseUrl: string;
  readonly api: JiraApiKind;
  /** Project key such as `OPS`. */
  readonly projectKey: string;
  /** @default "Task" */
  readonly issueType: string;
  /** Resolve the ticket when the alarm returns to OK. @default true */
  readonly resolveOnOk: boolean;
  /** Name of the resolve transition; unset means "the first transition into a done status". */
  readonly resolveTransition?: string;
  /** A ticket resolved less than this long ago is reopened instead of replaced; 0 never reopens. @default 60 */
  readonly reopenWindowMinutes: number;
  /** A ticket closed with this resolution is never reopened. @default "Won't Do" */
  readonly wontFixResolution: string;
  /** At most one repeat comment per alarm in this period. @default 15 */
  readonly commentCooldownMinutes: number;
}

/** A recurring or one-time maintenance window that mutes the actions of some alarms (CloudWatch alarm mute rules). */
export interface MaintenanceWindow {
  /** Short kebab-case name, part of the mute rule's physical name. */
  readonly name: string;
  /** `cron(Minutes Hours Day-of-month Month Day-of-week)` or `at(yyyy-mm-ddThh:mm)`. */
  readonly schedule: string;
  /** ISO 8601 duration from PT1M to P15D, e.g. `PT2H`. */
  readonly duration: string;
  /** IANA time zone of the schedule. @default "UTC" */
  readonly timezone: string;
  /** Ids of the hub's alarms to mute (the alarm table's ids, e.g. `application-health`). */
  readonly alarms: readonly string[];
}

/** How the scheduled reconciliation sweep runs (JIRA Lambda, sibling entry point). */
export interface ReconcileSettings {
  /** EventBridge Scheduler expression. @default "rate(5 minutes)" */
  readonly schedule: string;
  /** A ticket whose alarm has been OK for longer than this is resolved by the sweep. @default 10 */
  readonly graceMinutes: number;
  /** At most this many JIRA writes per sweep, so a storm is worked through across runs. @default 20 */
  readonly maxJiraWritesPerRun: number;
}

/** The validated configuration of one stack; produced only by `lib/config.ts`. */
export interface MonitoringConfig {
  /** Short lowercase DNS-safe token carried by every physical name, e.g. `dev`. */
  readonly environmentSuffix: string;
  /** The hub's region (`aws:region`); the StackSet instances deploy here too. */
  readonly region: string;
  /** Member accounts whose metrics and logs the hub observes (12-digit ids, at least 3, unique). */
  readonly memberAccountIds: readonly string[];
  /** OUs (`ou-...`) or the organization root (`r-...`) that the StackSet targets. */
  readonly organizationalUnitIds: readonly string[];
  /**
   * The AWS Organization (`o-...`). When set, the OAM sink admits the targeted OUs of the organization instead of
   * listing every member account, which keeps the sink policy small for hundreds of accounts.
   */
  readonly organizationId?: string;
  /** Humans told by email about every alarm and every notice. */
  readonly alertEmails: readonly string[];
  readonly jira: JiraSettings;
  /**
   * JIRA credential JSON (cloud: `{"email","apiToken"}`, datacenter: `{"personalAccessToken"}`), a Pulumi secret.
   * Unset: the Secrets Manager secret is created without a value and an operator puts one (README).
   */
  readonly jiraCredentials?: pulumi.Output<string>;
  /** Bring an existing customer managed key instead of creating one. */
  readonly kmsKeyArn?: string;
  /** ExternalId that callers from the hub must present to assume `MonitoringRole-<AccountId>`. */
  readonly externalId: string;
  /** @default "SELF" */
  readonly stackSetCallAs: StackSetCaller;
  /** Runbook linked from every alarm description (and so from every ticket). */
  readonly runbookUrl: string;
  /** Upper bound of concurrent JIRA Lambda executions, so an alarm storm cannot flood JIRA. @default 5 */
  readonly jiraLambdaReservedConcurrency: number;
  /**
   * Alarms in the hub on each member account's application error metric, read through the OAM link (one alarm per
   * member account). They only evaluate once the member's link is active. @default false
   */
  readonly memberAccountAlarms: boolean;
  /** Windows in which alarm actions are muted; the sweep tickets what is still in ALARM afterwards. @default [] */
  readonly maintenanceWindows: readonly MaintenanceWindow[];
  readonly reconcile: ReconcileSettings;
  /** Extra tags on every taggable resource (the stack adds `environment` and `project`). */
  readonly tags: Readonly<Record<string, string>>;
}

/** Config namespace of this project (`Pulumi.yaml` name). */
export const CONFIG_NAMESPACE = "monitoring-hub";

/** Every key this project reads, without namespace. `Pulumi.yaml` declares the same set (a test keeps them in step). */
export const CONFIG_KEYS = [
  "environmentSuffix",
  "memberAccountIds",
  "organizationalUnitIds",
  "organizationId",
  "alertEmails",
  "jiraBaseUrl",
  "jiraApi",
  "jiraProjectKey",
  "jiraIssueType",
  "jiraResolveOnOk",
  "jiraResolveTransition",
  "jiraReopenWindowMinutes",
  "jiraWontFixResolution",
  "jiraCommentCooldownMinutes",
  "jiraCredentials",
  "kmsKeyArn",
  "externalId",
  "stackSetCallAs",
  "runbookUrl",
  "jiraLambdaReservedConcurrency",
  "memberAccountAlarms",
  "maintenanceWindows",
  "reconcileSchedule",
  "reconcileGraceMinutes",
  "reconcileMaxJiraWrites",
  "tags",
] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** Raw config as the engine hands it over: strings (lists and maps JSON-encoded), or absent. */
export type RawConfig = Partial<Record<ConfigKey, string>>;

/** Where the values come from besides config: the stack name, `aws:region` and the `ENVIRONMENT_SUFFIX` variable. */
export interface ConfigSources {
  readonly raw: RawConfig;
  readonly awsRegion?: string;
  readonly stackName: string;
  readonly environmentSuffixVariable?: string;
}

/** The stack configuration is invalid; `problems` names each key and how to fix it. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

const ACCOUNT_ID = /^\d{12}$/;
const SUFFIX = /^[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const OU_OR_ROOT = /^(?:ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PROJECT_KEY = /^[A-Z][A-Z0-9_]{1,254}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\/(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{16,1224}$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

/** What a fix looks like for each key; the validator turns it into a `pulumi config set` line. */
const EXAMPLES: Record<ConfigKey, string> = {
  environmentSuffix: "dev",
  memberAccountIds: "444455556666",
  organizationalUnitIds: "ou-ab12-cdef3456",
  organizationId: "o-a1b2c3d4e5",
  alertEmails: "oncall@example.com",
  jiraBaseUrl: "https://your-site.atlassian.net",
  jiraApi: "cloud",
  jiraProjectKey: "OPS",
  jiraIssueType: "Task",
  jiraResolveOnOk: "true",
  jiraResolveTransition: "Done",
  jiraReopenWindowMinutes: "60",
  jiraWontFixResolution: "\"Won't Do\"",
  jiraCommentCooldownMinutes: "15",
  jiraCredentials: "--secret '{\"email\":\"...\",\"apiToken\":\"...\"}'",
  kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/<key-id>",
  externalId: "$(openssl rand -hex 16)",
  stackSetCallAs: "SELF",
  runbookUrl: "https://wiki.example.com/runbooks/monitoring-hub",
  jiraLambdaReservedConcurrency: "5",
  memberAccountAlarms: "true",
  maintenanceWindows: `'[{"name":"patching","schedule":"cron(0 2 * * SUN)","duration":"PT2H","timezone":"Europe/Berlin","alarms":["application-health"]}]'`,
  reconcileSchedule: `"rate(5 minutes)"`,
  reconcileGraceMinutes: "10",
  reconcileMaxJiraWrites: "20",
  tags: `'{"team":"sre"}'`,
};

/** Config values for lists and maps arrive JSON-encoded; anything unparsable is left for the schema to reject. */
const json = (value: unknown) => {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
};
const text = z.string().trim();
const httpsUrl = text
  .refine((v) => URL.canParse(v), { error: "is not a URL" })
  .refine((v) => !URL.canParse(v) || new URL(v).protocol === "https:", { error: "must use https" })
  .refine((v) => !URL.canParse(v) || (!new URL(v).username && !new URL(v).password), {
    error: "must not carry credentials (they belong in jiraCredentials)",
  })
  .transform((v) => v.replace(/\/+$/, ""));
const uniqueList = (item: z.ZodType<string>, min: number, what: string) =>
  z.preprocess(
    json,
    z
      .array(item, { error: "must be a list" })
      .min(min, { error: `needs at least ${min} ${what}` })
      .superRefine((values, ctx) => {
        const seen = new Set<string>();
        values.forEach((v, i) => {
          if (seen.has(v)) ctx.addIssue({ code: "custom", path: [i], message: `lists "${v}" twice; remove the duplicate` });
          seen.add(v);
        });
      }),
  );
const pattern = (re: RegExp, what: string) => text.regex(re, { error: (iss) => `"${String(iss.input)}" is not ${what}` });
const wholeNumber = (min: number, max: number, fallback: number) =>
  z.preprocess(
    (v) => (v === undefined ? fallback : typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v),
    z.number({ error: `must be a whole number from ${min} to ${max}` }).int().min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` }),
  );
const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: (iss) => (iss.input === undefined ? "is missing" : `"${String(iss.input)}" is not one of ${values.join(", ")}`) });
const required = <T extends z.ZodType<unknown, string>>(schema: T) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string({ error: "is missing" }).pipe(schema));
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), schema.optional());

const tagMap = z.preprocess(
  json,
  z
    .record(z.string(), z.string().max(256, { error: "tag values are at most 256 characters" }), { error: "must be a map of strings" })
    .superRefine((tags, ctx) => {
      for (const k of Object.keys(tags)) {
        if (!TAG_KEY.test(k) || k.toLowerCase().startsWith("aws:")) {
          ctx.addIssue({ code: "custom", path: [k], message: `"${k}" is not a tag key (1-128 characters, no aws: prefix)` });
        } else if (k === "project" || k === "environment") {
          ctx.addIssue({ code: "custom", path: [k], message: `"${k}" is set by the stack itself; remove it` });
        }
      }
    }),
);

/** `PT2H`, `P1DT12H` ... in minutes, or undefined when it is not an ISO 8601 duration of days, hours and minutes. */
export function durationMinutes(duration: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(duration);
  if (!m || duration === "P" || duration.endsWith("T")) return undefined;
  return Number(m[1] ?? 0) * 1440 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** Mute rule schedules (API_Schedule): a five-field cron or a one-time `at` that is a real date and time. */
const MUTE_CRON = /^cron\((\S+ ){4}\S+\)$/;
const MUTE_AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2})\)$/;
const isMuteSchedule = (v: string) => MUTE_CRON.test(v) || (MUTE_AT.test(v) && !Number.isNaN(Date.parse(`${MUTE_AT.exec(v)![1]}:00Z`)));
/** EventBridge Scheduler: `rate(<n> <unit>)` with a singular unit for 1, or a six-field cron. */
const SCHEDULER_RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const isSchedulerExpression = (v: string) => {
  const rate = SCHEDULER_RATE.exec(v);
  if (rate) return Number(rate[1]) >= 1 && (Number(rate[1]) === 1) === !rate[2].endsWith("s");
  return /^cron\((\S+ ){5}\S+\)$/.test(v);
};

/** Alarm ids a maintenance window may name: the alarm table's, the composite's and the per-member alarms'. */
const MEMBER_ALARM_IDS: readonly string[] = MEMBER_ALARM_SPECS.map((a) => a.id);
const MUTABLE_ALARM_IDS: readonly string[] = [...ALARM_SPECS.map((a) => a.id), ...MEMBER_ALARM_IDS, COMPOSITE_ALARM.id];

const maintenanceWindow = z.object(
  {
    name: z.string({ error: "needs a name" }).regex(/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/, { error: "name must be 1-32 lowercase letters, digits or inner hyphens" }),
    schedule: z.string({ error: "needs a schedule" }).refine(isMuteSchedule, { error: "schedule must be cron(Minutes Hours Day-of-month Month Day-of-week) or at(yyyy-mm-ddThh:mm)" }),
    duration: z.string({ error: "needs a duration" }).refine((d) => {
      const minutes = durationMinutes(d);
      return minutes !== undefined && minutes >= 1 && minutes <= 15 * 1440;
    }, { error: "duration must be an ISO 8601 duration from PT1M to P15D, e.g. PT2H" }),
    timezone: z.string().refine(isTimeZone, { error: "timezone must be an IANA time zone such as Europe/Berlin" }).default("UTC"),
    alarms: z
      .array(z.string().refine((id) => MUTABLE_ALARM_IDS.includes(id), { error: (iss) => `"${String(iss.input)}" is not an alarm id (one of ${MUTABLE_ALARM_IDS.join(", ")})` }), { error: "alarms must be a list of alarm ids" })
      .min(1, { error: "alarms must name at least one alarm id" }),
  },
  { error: "must be an object with name, schedule, duration, timezone and alarms" },
);

const maintenanceWindows = z.preprocess(
  json,
  z.array(maintenanceWindow, { error: "must be a JSON list of windows" }).superRefine((windows, ctx) => {
    const seen = new Set<string>();
    windows.forEach((w, i) => {
      if (seen.has(w.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `name "${w.name}" is used twice` });
      seen.add(w.name);
    });
  }),
);

const schema = z.object({
  memberAccountIds: uniqueList(pattern(ACCOUNT_ID, "a 12-digit AWS account id"), 3, "member accounts (the hub needs at least 3)"),
  organizationalUnitIds: uniqueList(pattern(OU_OR_ROOT, "an OU id (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)"), 1, "OU"),
  organizationId: optional(pattern(ORGANIZATION_ID, "an AWS Organizations id (o-xxxxxxxxxx)")),
  alertEmails: uniqueList(pattern(EMAIL, "an email address"), 1, "email address"),
  jiraBaseUrl: required(httpsUrl),
  jiraApi: oneOf(JIRA_API_KINDS),
  jiraProjectKey: required(pattern(PROJECT_KEY, "a JIRA project key (uppercase letters, digits and _, starting with a letter)")),
  jiraIssueType: optional(text.max(255, { error: "is longer than 255 characters" })).default("Task"),
  jiraResolveOnOk: optional(oneOf(["true", "false"])).default("true"),
  jiraResolveTransition: optional(text.max(255, { error: "is longer than 255 characters" })),
  jiraReopenWindowMinutes: wholeNumber(0, 43200, 60),
  jiraWontFixResolution: optional(text.max(255, { error: "is longer than 255 characters" })).default("Won't Do"),
  jiraCommentCooldownMinutes: wholeNumber(0, 1440, 15),
  kmsKeyArn: optional(pattern(KMS_KEY_ARN, "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)")),
  externalId: required(text.regex(EXTERNAL_ID, { error: "must be 16-1224 characters of letters, digits and +=,.@:/-_" })),
  stackSetCallAs: optional(oneOf(STACK_SET_CALLERS)).default("SELF"),
  runbookUrl: required(httpsUrl.refine((v) => !v.includes("#"), { error: "must not contain a #fragment: each alarm appends its own anchor" })),
  jiraLambdaReservedConcurrency: wholeNumber(1, 100, 5),
  memberAccountAlarms: optional(oneOf(["true", "false"])).default("false"),
  maintenanceWindows: optional(maintenanceWindows).default([]),
  reconcileSchedule: optional(
    text.refine(isSchedulerExpression, { error: (iss) => `"${String(iss.input)}" is not rate(<n> minutes|hours|days) or a six-field cron()` }),
  ).default("rate(5 minutes)"),
  reconcileGraceMinutes: wholeNumber(0, 1440, 10),
  // Resolving a ticket takes two writes (comment, transition), so fewer could never heal a lost OK.
  reconcileMaxJiraWrites: wholeNumber(2, 500, 20),
  tags: optional(tagMap).default({}),
});

const isList = (k: ConfigKey) => k === "memberAccountIds" || k === "organizationalUnitIds" || k === "alertEmails";

/** One line per problem: the full key, what is wrong, and the command that fixes it. */
function describe(path: PropertyKey[], message: string): string {
  const [top, ...rest] = path.map(String);
  const k = top as ConfigKey;
  const shown = `${CONFIG_NAMESPACE}:${top}${rest.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join("")}`;
  const example = EXAMPLES[k];
  const fix =
    isList(k)
        ? `pulumi config set --path '${top}[${rest[0] ?? 0}]' ${example}`
        : `pulumi config set ${top} ${example}`;
  return `${shown} ${message}. Fix: ${fix}`;
}

/**
 * Validates raw stack configuration into a {@link MonitoringConfig}. Pure: it collects every problem and throws one
 * {@link ConfigError} naming each key and the command that fixes it, so a bad config fails before anything registers.
 * `jiraCredentials` arrives as plaintext only so that its shape can be checked (the value is never echoed); it leaves
 * wrapped by `wrapSecret`.
 */
export function parseConfig(sources: ConfigSources, wrapSecret: (plaintext: string) => pulumi.Output<string>): MonitoringConfig {
  const problems: string[] = [];
  const parsed = schema.safeParse(sources.raw);
  if (!parsed.success) problems.push(...parsed.error.issues.map((i) => describe(i.path, i.message)));

  const suffixFrom = sources.raw.environmentSuffix?.trim() ? "config" : sources.environmentSuffixVariable?.trim() ? "ENVIRONMENT_SUFFIX" : "the stack name";
  const suffix = sources.raw.environmentSuffix?.trim() || sources.environmentSuffixVariable?.trim() || sources.stackName;
  if (!SUFFIX.test(suffix)) {
    problems.push(describe(["environmentSuffix"], `"${suffix}" (from ${suffixFrom}) must be 1-16 lowercase letters, digits or inner hyphens`));
  }

  const region = sources.awsRegion?.trim();
  if (!region || !REGION.test(region)) {
    problems.push(`aws:region ${region ? `"${region}" is not an AWS region` : "is missing"}. Fix: pulumi config set aws:region us-east-1`);
  }

  const data = parsed.success ? parsed.data : undefined;
  const keyRegion = data?.kmsKeyArn ? KMS_KEY_ARN.exec(data.kmsKeyArn)?.[1] : undefined;
  if (keyRegion && region && keyRegion !== region) {
    problems.push(describe(["kmsKeyArn"], `is in ${keyRegion} but the stack deploys to ${region}, and SNS needs a key in its own region`));
  }

  if (data && data.organizationId === undefined) {
    const listed = sinkPolicyProblems(oamSinkPolicy(data.memberAccountIds), data.memberAccountIds.length);
    if (listed.length > 0) problems.push(describe(["organizationId"], `is needed: ${listed[0]}`));
  }

  const memberWindows = (data?.maintenanceWindows ?? []).filter((w) => w.alarms.some((id) => MEMBER_ALARM_IDS.includes(id)));
  if (data && data.memberAccountAlarms === "false") {
    for (const w of memberWindows) {
      const i = data.maintenanceWindows.indexOf(w);
      problems.push(describe(["maintenanceWindows", i, "alarms"], `name member alarms, but memberAccountAlarms is off, so the window would mute nothing there`));
    }
  }

  const credentials = sources.raw.jiraCredentials;
  if (credentials !== undefined && data && !credentialShapeIsValid(credentials, data.jiraApi)) {
    const fields = CREDENTIAL_FIELDS[data.jiraApi];
    problems.push(
      `${CONFIG_NAMESPACE}:jiraCredentials must be a JSON object with ${fields.join(" and ")} for jiraApi ${data.jiraApi} (value not shown). ` +
        `Fix: pulumi config set --secret jiraCredentials '${JSON.stringify(Object.fromEntries(fields.map((f) => [f, "..."])))}'`,
    );
  }

  if (problems.length > 0 || !data) throw new ConfigError(problems);

  return {
    environmentSuffix: suffix,
    region: region!,
    memberAccountIds: data.memberAccountIds,
    organizationalUnitIds: data.organizationalUnitIds,
    organizationId: data.organizationId,
    alertEmails: data.alertEmails,
    jira: {
      baseUrl: data.jiraBaseUrl,
      api: data.jiraApi,
      projectKey: data.jiraProjectKey,
      issueType: data.jiraIssueType,
      resolveOnOk: data.jiraResolveOnOk === "true",
      resolveTransition: data.jiraResolveTransition,
      reopenWindowMinutes: data.jiraReopenWindowMinutes,
      wontFixResolution: data.jiraWontFixResolution,
      commentCooldownMinutes: data.jiraCommentCooldownMinutes,
    },
    jiraCredentials: credentials === undefined ? undefined : wrapSecret(credentials),
    kmsKeyArn: data.kmsKeyArn,
    externalId: data.externalId,
    stackSetCallAs: data.stackSetCallAs,
    runbookUrl: data.runbookUrl,
    jiraLambdaReservedConcurrency: data.jiraLambdaReservedConcurrency,
    memberAccountAlarms: data.memberAccountAlarms === "true",
    maintenanceWindows: data.maintenanceWindows,
    reconcile: {
      schedule: data.reconcileSchedule,
      graceMinutes: data.reconcileGraceMinutes,
      maxJiraWritesPerRun: data.reconcileMaxJiraWrites,
    },
    tags: data.tags,
  };
}

/** The secret's fields per API kind (DESIGN.md); checked without ever printing the value. */
const CREDENTIAL_FIELDS: Record<JiraApiKind, readonly string[]> = {
  cloud: ["email", "apiToken"],
  datacenter: ["personalAccessToken"],
};

function credentialShapeIsValid(plaintext: string, api: JiraApiKind): boolean {
  const parsed = json(plaintext);
  return (
    typeof parsed === "object" &&
    parsed !== null &&
    CREDENTIAL_FIELDS[api].every((f) => typeof (parsed as Record<string, unknown>)[f] === "string" && (parsed as Record<string, string>)[f].trim() !== "")
  );
}

/**
 * Reads this stack's configuration: the only place that touches Pulumi config. The credential is read raw (not through
 * `Config.get`, which would treat the secret as plaintext) and comes back as a Pulumi secret.
 */
export function loadConfig(): MonitoringConfig {
  const raw: RawConfig = {};
  for (const k of CONFIG_KEYS) {
    const v = runtime.getConfig(`${CONFIG_NAMESPACE}:${k}`);
    if (v !== undefined) raw[k] = v;
  }
  return parseConfig(
    { raw, awsRegion: runtime.getConfig("aws:region"), stackName: getStack(), environmentSuffixVariable: process.env.ENVIRONMENT_SUFFIX },
    (plaintext) => secret(plaintext),
  );
}
