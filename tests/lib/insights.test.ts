/**
 * Proves the Contributor Insights rule bodies we send, exactly and against the documented syntax limits (FACT 27).
 * Not that PutInsightRule accepts them: it validates syntax at deploy time.
 */
import * as aws from "@pulumi/aws";
import {
  createContributorInsights,
  http429CallersRule,
  insightRuleProblems,
  throttledCallersRule,
  type InsightRuleBody,
} from "../../lib/insights";
import { record, valueOf, type RecordingMonitor } from "../../scripts/recorder";
import { TEST_STACK, TEST_TAGS, testContext, testParent } from "../helpers/stack-context";

const group = "/monitoring-hub/test/api-access";
const http429: InsightRuleBody = {
  Schema: { Name: "CloudWatchLogRule", Version: 1 },
  LogGroupNames: [group],
  LogFormat: "JSON",
  Contribution: { Keys: ["$.callerId"], Filters: [{ Match: "$.status", In: ["429"] }] },
  AggregateOn: "Count",
};
const throttled: InsightRuleBody = {
  Schema: { Name: "CloudWatchLogRule", Version: 1 },
  LogGroupNames: [group],
  LogFormat: "JSON",
  Contribution: {
    Keys: ["$.callerId"],
    Filters: [
      {
        Match: "$.errorCode",
        In: ["ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "Throttling", "THROTTLED", "QUOTA_EXCEEDED"],
      },
    ],
  },
  AggregateOn: "Count",
};

describe("rule bodies", () => {
  it("counts callers answered with HTTP 429", () => {
    expect(http429CallersRule(group)).toEqual(http429);
  });

  it("counts callers rejected with a throttling error code", () => {
    expect(throttledCallersRule(group)).toEqual(throttled);
  });

  it("are valid JSON-format rules", () => {
    expect([http429CallersRule(group), throttledCallersRule(group)].flatMap(insightRuleProblems)).toEqual([]);
  });
});

describe("insightRuleProblems", () => {
  const filter = { Match: "$.status", In: ["429"] };

  it.each<[string, InsightRuleBody, string[]]>([
    ["no log group", { ...http429, LogGroupNames: [] }, ["LogGroupNames is empty"]],
    ["five keys", { ...http429, Contribution: { ...http429.Contribution, Keys: ["$.a", "$.b", "$.c", "$.d", "$.e"] } }, ["Keys must hold 1-4 entries, has 5"]],
    ["no key", { ...http429, Contribution: { ...http429.Contribution, Keys: [] } }, ["Keys must hold 1-4 entries, has 0"]],
    ["five filters", { ...http429, Contribution: { ...http429.Contribution, Filters: Array(5).fill(filter) } }, ["Filters must hold at most 4 entries, has 5"]],
    [
      "eleven In values",
      { ...http429, Contribution: { ...http429.Contribution, Filters: [{ Match: "$.status", In: Array.from({ length: 11 }, (_, i) => String(i)) }] } },
      ["Filter on $.status: In must hold 1-10 values, has 11"],
    ],
    ["an empty In", { ...http429, Contribution: { ...http429.Contribution, Filters: [{ Match: "$.status", In: [] }] } }, ["Filter on $.status: In must hold 1-10 values, has 0"]],
    ["Fields on a JSON rule", { ...http429, Fields: { "2": "callerId" } }, ["Fields is for CLF only; JSON rules address fields by $. paths"]],
    [
      "CLF-style aliases on a JSON rule",
      { ...http429, Contribution: { Keys: ["callerId"], Filters: [{ Match: "status", EqualTo: 429 }] } },
      ["JSON field callerId must be a $. path", "JSON field status must be a $. path"],
    ],
    ["Sum without ValueOf", { ...http429, AggregateOn: "Sum" }, ["AggregateOn Sum needs ValueOf"]],
    ["Count with ValueOf", { ...http429, Contribution: { ...http429.Contribution, ValueOf: "$.bytes" } }, ["AggregateOn Count takes no ValueOf"]],
  ])("reports %s", (_, rule, problems) => {
    expect(insightRuleProblems(rule)).toEqual(problems);
  });

  it("reports the original stack's $-aliased CLF form", () => {
    expect(
      insightRuleProblems({
        ...http429,
        LogFormat: "CLF",
        Fields: { "1": "$1", "2": "$2" },
        Contribution: { Keys: ["$2"], Filters: [{ Match: "$9", In: ["429"] }] },
      }),
    ).toEqual(["CLF field $2 must be a position or an alias from Fields", "CLF field $9 must be a position or an alias from Fields"]);
  });

  it("accepts a CLF rule with aliases", () => {
    expect(
      insightRuleProblems({
        ...http429,
        LogFormat: "CLF",
        Fields: { "1": "clientIp", "6": "statusCode" },
        Contribution: { Keys: ["clientIp", "2"], Filters: [{ Match: "statusCode", EqualTo: 429 }] },
      }),
    ).toEqual([]);
  });
});

describe("createContributorInsights", () => {
  let monitor: RecordingMonitor;
  let parentUrn: string;
  const rules = () => monitor.ofType("aws:cloudwatch/contributorInsightRule:ContributorInsightRule");

  beforeAll(async () => {
    const recorded = await record(
      () => {
        const parent = testParent();
        const accessLogs = new aws.cloudwatch.LogGroup("api-access", { name: group }, { parent });
        createContributorInsights("hub-insights", { ctx: testContext(), apiAccessLogGroupName: accessLogs.name }, { parent });
        return parent;
      },
      TEST_STACK,
    );
    monitor = recorded.monitor;
    parentUrn = await valueOf(recorded.result.urn);
  });

  it("creates exactly two enabled rules under the parent, named with the suffix", () => {
    expect(rules().map((r) => [r.name, r.inputs.ruleName, r.inputs.ruleState, r.parent, r.inputs.tags])).toEqual([
      ["hub-insights-callers-http-429", "monitoring-hub-callers-http-429-test", "ENABLED", parentUrn, TEST_TAGS],
      ["hub-insights-callers-throttled", "monitoring-hub-callers-throttled-test", "ENABLED", parentUrn, TEST_TAGS],
    ]);
  });

  it("sends the pure builders' bodies over the access log group, which each rule depends on", () => {
    const accessLogs = monitor.all().find((r) => r.name === "api-access");

    expect(rules().map((r) => JSON.parse(r.inputs.ruleDefinition as string))).toEqual([http429, throttled]);
    expect(rules().map((r) => r.propertyDependencies.ruleDefinition)).toEqual([[accessLogs?.urn], [accessLogs?.urn]]);
  });
});
