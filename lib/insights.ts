import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { physicalName, type StackContext } from "./naming";

/**
 * The JSON access-log fields the rules read. The API's access log format must write them, with `status` as a string
 * (`"status":"$context.status"` in API Gateway): an `In` filter matches strings, and whether it matches a numeric
 * JSON value is not documented (FACT 30).
 */
export const ACCESS_LOG_FIELDS = {
  caller: "$.callerId",
  status: "$.status",
  errorCode: "$.errorCode",
} as const;

/**
 * Error codes that mean "throttled": AWS SDK and service codes, plus API Gateway's `$context.error.responseType`
 * values for throttling and quota rejections.
 */
export const THROTTLING_ERROR_CODES = [
  "ThrottlingException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "Throttling",
  "THROTTLED",
  "QUOTA_EXCEEDED",
] as const;

/** Contributor Insights rule syntax limits (FACT 27, ContributorInsights-RuleSyntax). */
export const INSIGHT_RULE_LIMITS = { keys: 4, filters: 4, matchValues: 10 } as const;

export type InsightFilter =
  | { readonly Match: string; readonly In: readonly string[] }
  | { readonly Match: string; readonly EqualTo: number };

/** A Contributor Insights rule over JSON logs: `$.`-keys, ANDed filters, no `Fields` (that is CLF only). */
export interface InsightRuleBody {
  readonly Schema: { readonly Name: "CloudWatchLogRule"; readonly Version: 1 };
  readonly LogGroupNames: readonly string[];
  readonly LogFormat: "JSON" | "CLF";
  readonly Fields?: Readonly<Record<string, string>>;
  readonly Contribution: {
    readonly Keys: readonly string[];
    readonly ValueOf?: string;
    readonly Filters: readonly InsightFilter[];
  };
  readonly AggregateOn: "Count" | "Sum";
}

export interface ContributorInsightsArgs {
  readonly ctx: StackContext;
  /** The JSON API access log group (lib/log-metrics.ts). */
  readonly apiAccessLogGroupName: pulumi.Input<string>;
}

export interface ContributorInsights {
  /** Top callers answered with HTTP 429. */
  readonly http429Callers: aws.cloudwatch.ContributorInsightRule;
  /** Top callers rejected with a throttling error code. */
  readonly throttledCallers: aws.cloudwatch.ContributorInsightRule;
}

/**
 * Creates two enabled Contributor Insights rules over the JSON API access logs. Two rules, not one, because filters
 * are ANDed: "status 429 OR a throttling error code" cannot be one rule (FACT 30). Throws before registering anything
 * if a body breaks the rule syntax limits.
 */
export function createContributorInsights(name: string, args: ContributorInsightsArgs, opts: pulumi.CustomResourceOptions): ContributorInsights {
  const { ctx } = args;
  // The bodies' structure does not depend on the log group name, so they can be checked before it is known.
  const problems = [http429CallersRule("-"), throttledCallersRule("-")].flatMap(insightRuleProblems);
  if (problems.length > 0) throw new Error(`invalid Contributor Insights rule:\n${problems.join("\n")}`);

  const rule = (id: string, build: (logGroupName: string) => InsightRuleBody) =>
    new aws.cloudwatch.ContributorInsightRule(
      `${name}-${id}`,
      {
        ruleName: physicalName(ctx.suffix, id),
        ruleState: "ENABLED",
        ruleDefinition: pulumi.output(args.apiAccessLogGroupName).apply((logGroupName) => JSON.stringify(build(logGroupName))),
        tags: ctx.tags,
      },
      { ...opts },
    );
  return {
    http429Callers: rule("callers-http-429", http429CallersRule),
    throttledCallers: rule("callers-throttled", throttledCallersRule),
  };
}

/** Callers whose requests were answered with HTTP 429, counted per caller. */
export function http429CallersRule(logGroupName: string): InsightRuleBody {
  return jsonCallerRule(logGroupName, { Match: ACCESS_LOG_FIELDS.status, In: ["429"] });
}

/** Callers whose requests were rejected with a throttling error code, counted per caller. */
export function throttledCallersRule(logGroupName: string): InsightRuleBody {
  return jsonCallerRule(logGroupName, { Match: ACCESS_LOG_FIELDS.errorCode, In: [...THROTTLING_ERROR_CODES] });
}

function jsonCallerRule(logGroupName: string, filter: InsightFilter): InsightRuleBody {
  return {
    Schema: { Name: "CloudWatchLogRule", Version: 1 },
    LogGroupNames: [logGroupName],
    LogFormat: "JSON",
    Contribution: { Keys: [ACCESS_LOG_FIELDS.caller], Filters: [filter] },
    AggregateOn: "Count",
  };
}

/** Structural checks of a rule body against the documented syntax; empty when valid. */
export function insightRuleProblems(rule: InsightRuleBody): string[] {
  const problems: string[] = [];
  const { Keys, Filters, ValueOf } = rule.Contribution;
  if (rule.LogGroupNames.length === 0) problems.push("LogGroupNames is empty");
  if (Keys.length < 1 || Keys.length > INSIGHT_RULE_LIMITS.keys) problems.push(`Keys must hold 1-${INSIGHT_RULE_LIMITS.keys} entries, has ${Keys.length}`);
  if (Filters.length > INSIGHT_RULE_LIMITS.filters) problems.push(`Filters must hold at most ${INSIGHT_RULE_LIMITS.filters} entries, has ${Filters.length}`);
  for (const filter of Filters) {
    if ("In" in filter && (filter.In.length < 1 || filter.In.length > INSIGHT_RULE_LIMITS.matchValues)) {
      problems.push(`Filter on ${filter.Match}: In must hold 1-${INSIGHT_RULE_LIMITS.matchValues} values, has ${filter.In.length}`);
    }
  }
  if (rule.AggregateOn === "Sum" && ValueOf === undefined) problems.push("AggregateOn Sum needs ValueOf");
  if (rule.AggregateOn === "Count" && ValueOf !== undefined) problems.push("AggregateOn Count takes no ValueOf");
  const fields = [...Keys, ...Filters.map((f) => f.Match), ...(ValueOf === undefined ? [] : [ValueOf])];
  if (rule.LogFormat === "JSON") {
    if (rule.Fields !== undefined) problems.push("Fields is for CLF only; JSON rules address fields by $. paths");
    for (const field of fields.filter((f) => !f.startsWith("$."))) problems.push(`JSON field ${field} must be a $. path`);
  } else {
    // CLF fields are 1-based positions or the plain aliases `Fields` gives them; `$`-names are the original stack's
    // undocumented form (FACT 29).
    const aliases = new Set(Object.values(rule.Fields ?? {}));
    for (const field of fields.filter((f) => !/^[1-9]\d*$/.test(f) && (f.startsWith("$") || !aliases.has(f)))) {
      problems.push(`CLF field ${field} must be a position or an alias from Fields`);
    }
  }
  return problems;
}
