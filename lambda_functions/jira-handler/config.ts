import { ConfigError } from "./errors";

/** Which JIRA REST flavour to speak (DESIGN.md "The JIRA Lambda"). */
export type JiraApi = "cloud" | "datacenter";

/** Lifecycle knobs that `decide` needs; every field has the DESIGN.md default. */
export interface LifecycleSettings {
  /** Resolve the ticket when the alarm returns to OK. @default true */
  readonly resolveOnOk: boolean;
  /** Name of the resolve transition; unset means "the first transition into a done status". */
  readonly resolveTransition?: string;
  /** A ticket resolved less than this long ago is reopened instead of replaced; 0 never reopens. @default 60 */
  readonly reopenWindowMinutes: number;
  /** A ticket resolved with this resolution is never reopened. @default "Won't Do" */
  readonly wontFixResolution: string;
  /** At most one repeat-ALARM comment per alarm in this period. @default 15 */
  readonly commentCooldownMinutes: number;
}

/** The handler's environment, validated once. */
export interface HandlerConfig {
  readonly jira: {
    /** http(s) URL of the site (a Data Center context path is kept), without a trailing slash. */
    readonly baseUrl: string;
    readonly api: JiraApi;
    readonly projectKey: string;
    readonly issueType: string;
    /** ARN (or name) of the Secrets Manager secret holding the credential. */
    readonly secretArn: string;
  };
  readonly fallbackTopicArn: string;
  readonly ticketsTableName: string;
  readonly lifecycle: LifecycleSettings;
}

/** The DESIGN.md defaults of the optional variables. */
export const LIFECYCLE_DEFAULTS = {
  resolveOnOk: true,
  reopenWindowMinutes: 60,
  wontFixResolution: "Won't Do",
  commentCooldownMinutes: 15,
} as const;

/**
 * What the reconciliation sweep needs besides the handler's environment (variables beside DESIGN.md's contract, set only
 * on the sweep's function).
 */
export interface SweepSettings {
  /** `TICKET_TOPIC_ARN`: the alert topic; only alarms whose AlarmActions name it are the sweep's to ticket. */
  readonly ticketTopicArn: string;
  /** `ALARM_NAME_PREFIX`, e.g. `monitoring-hub-alarm-`: the DescribeAlarms prefix, and the first ownership test. */
  readonly alarmNamePrefix: string;
  /** `ALARM_NAME_SUFFIX`, e.g. `-dev`: the literal ending of every alarm name of this environment. */
  readonly alarmNameSuffix: string;
  /** `RECONCILE_GRACE_MINUTES`: an alarm OK for longer than this has its open ticket resolved. @default 10 */
  readonly graceMinutes: number;
  /** `RECONCILE_MAX_JIRA_WRITES`: at most this many JIRA writes (create, comment, transition) per sweep. @default 20 */
  readonly maxJiraWrites: number;
}

/** The sweep's environment: the handler's, plus {@link SweepSettings}. */
export interface ReconcileConfig extends HandlerConfig {
  readonly sweep: SweepSettings;
}

/** The defaults of the sweep's optional variables (the stack's `reconcileGraceMinutes` and `reconcileMaxJiraWrites`). */
export const SWEEP_DEFAULTS = { graceMinutes: 10, maxJiraWrites: 20 } as const;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates the environment. Every problem is collected, so one deployment fix covers them all; messages
 * name the variable and the expected form, and echo a value only for non-secret settings.
 * @throws ConfigError listing each problem on its own line.
 */
export function readConfig(env: Env = process.env): HandlerConfig {
  const problems: string[] = [];
  const config = readHandlerConfig(new EnvReader(env, problems));
  if (problems.length > 0) {
    throw new ConfigError(`Invalid JIRA handler environment:\n- ${problems.join("\n- ")}`);
  }
  return config;
}

/**
 * The reconciliation sweep's environment: everything {@link readConfig} reads, and the sweep's own variables; every
 * problem of both is collected into one error.
 * @throws ConfigError listing each problem on its own line.
 */
export function readReconcileConfig(env: Env = process.env): ReconcileConfig {
  const problems: string[] = [];
  const reader = new EnvReader(env, problems);
  const config = readHandlerConfig(reader);
  const sweep: SweepSettings = {
    ticketTopicArn: reader.matching("TICKET_TOPIC_ARN", SNS_TOPIC_ARN, "an SNS topic ARN"),
    alarmNamePrefix: reader.required("ALARM_NAME_PREFIX"),
    alarmNameSuffix: reader.required("ALARM_NAME_SUFFIX"),
    graceMinutes: reader.minutes("RECONCILE_GRACE_MINUTES", SWEEP_DEFAULTS.graceMinutes),
    maxJiraWrites: reader.positive("RECONCILE_MAX_JIRA_WRITES", SWEEP_DEFAULTS.maxJiraWrites),
  };
  if (problems.length > 0) {
    throw new ConfigError(`Invalid reconciliation sweep environment:\n- ${problems.join("\n- ")}`);
  }
  return { ...config, sweep };
}

const SNS_TOPIC_ARN = /^arn:[^:]+:sns:[^:]+:\d{12}:[^:]+$/;

function readHandlerConfig(reader: EnvReader): HandlerConfig {
  const baseUrl = reader.url("JIRA_BASE_URL");
  const api = reader.oneOf("JIRA_API", ["cloud", "datacenter"] as const);
  const projectKey = reader.matching("JIRA_PROJECT_KEY", /^[A-Za-z][A-Za-z0-9_]*$/, "a JIRA project key such as OPS");
  const issueType = reader.required("JIRA_ISSUE_TYPE");
  const secretArn = reader.required("JIRA_SECRET_ARN");
  const fallbackTopicArn = reader.matching("FALLBACK_TOPIC_ARN", SNS_TOPIC_ARN, "an SNS topic ARN");
  const ticketsTableName = reader.matching("TICKETS_TABLE_NAME", /^[A-Za-z0-9_.-]{3,255}$/, "a DynamoDB table name");
  const lifecycle: LifecycleSettings = {
    resolveOnOk: reader.boolean("JIRA_RESOLVE_ON_OK", LIFECYCLE_DEFAULTS.resolveOnOk),
    resolveTransition: reader.optional("JIRA_RESOLVE_TRANSITION"),
    reopenWindowMinutes: reader.minutes("JIRA_REOPEN_WINDOW_MINUTES", LIFECYCLE_DEFAULTS.reopenWindowMinutes),
    wontFixResolution: reader.optional("JIRA_WONT_FIX_RESOLUTION") ?? LIFECYCLE_DEFAULTS.wontFixResolution,
    commentCooldownMinutes: reader.minutes("JIRA_COMMENT_COOLDOWN_MINUTES", LIFECYCLE_DEFAULTS.commentCooldownMinutes),
  };
  return {
    jira: { baseUrl, api, projectKey, issueType, secretArn },
    fallbackTopicArn,
    ticketsTableName,
    lifecycle,
  };
}

/** Small typed readers in the style of powertools' `getStringFromEnv`; each records a problem instead of throwing. */
class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  optional(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  }

  required(name: string): string {
    const value = this.optional(name);
    if (value === undefined) this.problems.push(`${name} is required but not set.`);
    return value ?? "";
  }

  matching(name: string, pattern: RegExp, expected: string): string {
    const value = this.required(name);
    if (value !== "" && !pattern.test(value)) this.problems.push(`${name} must be ${expected}, got "${value}".`);
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.required(name);
    if (value !== "" && !(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${name} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got "${value}".`);
    }
    return value as T;
  }

  url(name: string): string {
    const value = this.required(name);
    if (value === "") return value;
    let parsed: URL | undefined;
    try {
      parsed = new URL(value);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || (parsed.protocol !== "https:" && parsed.protocol !== "http:") || parsed.search !== "") {
      this.problems.push(`${name} must be an http(s) URL without a query string, got "${value}".`);
      return value;
    }
    return value.replace(/\/+$/, "");
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.optional(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (value === "true") return true;
    if (value === "false") return false;
    this.problems.push(`${name} must be "true" or "false", got "${this.env[name]}".`);
    return fallback;
  }

  positive(name: string, fallback: number): number {
    const value = this.optional(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < 1) {
      this.problems.push(`${name} must be a whole number of 1 or more, got "${value}".`);
      return fallback;
    }
    return Number(value);
  }

  minutes(name: string, fallback: number): number {
    const value = this.optional(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value)) {
      this.problems.push(`${name} must be a whole number of minutes (0 or more), got "${value}".`);
      return fallback;
    }
    return Number(value);
  }
}
