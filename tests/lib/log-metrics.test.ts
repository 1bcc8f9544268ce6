/**
 * Proves the log groups and metric filters we send (names, retention, patterns, default values, parents, edges);
 * not that CloudWatch Logs matches the pattern as documented (FACTS 16-19 say how; `aws logs test-metric-filter`
 * would confirm it against the real service).
 */
import * as pulumi from "@pulumi/pulumi";
import { LEVEL_FILTERS, createLogMetrics, termPattern, type LogMetrics } from "../../lib/log-metrics";
import type { StackContext } from "../../lib/naming";
import { MOCK_HUB_ACCOUNT_ID, record, valueOf, type RecordedResource, type RecordingMonitor } from "../../scripts/recorder";

const tags = { project: "monitoring-hub", environment: "test" };

describe("termPattern", () => {
  it.each([
    ["ERROR", '"ERROR"'],
    ["CRITICAL", '"CRITICAL"'],
    ["[ERROR]", '"[ERROR]"'],
    ["INTERNAL SERVER ERROR", '"INTERNAL SERVER ERROR"'],
  ])("quotes %s as a literal term", (term, pattern) => {
    expect(termPattern(term)).toBe(pattern);
  });

  it("never produces the space-delimited field declaration of the original stack", () => {
    expect(LEVEL_FILTERS.map((level) => termPattern(level.term))).toEqual(['"ERROR"', '"CRITICAL"']);
  });

  it.each(["", " ERROR", "ERROR ", 'ERR"OR', "ERR\\OR"])("rejects %j", (term) => {
    expect(() => termPattern(term)).toThrow(`filter term ${JSON.stringify(term)} must be non-empty`);
  });
});

describe("createLogMetrics", () => {
  let monitor: RecordingMonitor;
  let parentUrn: string;
  let metrics: LogMetrics;
  const ofType = (type: string): RecordedResource[] => [...monitor.recorded.values()].filter((r) => r.type === type);
  const named = (name: string): RecordedResource => {
    const found = [...monitor.recorded.values()].filter((r) => r.name === name);
    expect(found).toHaveLength(1);
    return found[0];
  };

  beforeAll(async () => {
    const recorded = await record(
      () => {
        const ctx: StackContext = { suffix: "test", accountId: pulumi.output(MOCK_HUB_ACCOUNT_ID), region: "us-east-1", partition: "aws", tags };
        const parent = new pulumi.ComponentResource("test:index:Parent", "hub");
        return { parent, metrics: createLogMetrics("hub-logs", { ctx }, { parent }) };
      },
      { project: "monitoring-hub", stack: "test", region: "us-east-1" },
    );
    monitor = recorded.monitor;
    metrics = recorded.result.metrics;
    parentUrn = await valueOf(recorded.result.parent.urn);
  });

  it("creates exactly two log groups and two metric filters, all children of the parent", () => {
    const groups = ofType("aws:cloudwatch/logGroup:LogGroup");
    const filters = ofType("aws:cloudwatch/logMetricFilter:LogMetricFilter");

    expect(groups).toHaveLength(2);
    expect(filters).toHaveLength(2);
    expect([...groups, ...filters].map((r) => r.parent)).toEqual(Array(4).fill(parentUrn));
    expect(monitor.recorded.size).toBe(5);
  });

  it("keeps both log groups 30 days under the environment's prefix", () => {
    expect(named("hub-logs-application").inputs).toEqual({ name: "/monitoring-hub/test/application", retentionInDays: 30, tags });
    expect(named("hub-logs-api-access").inputs).toEqual({ name: "/monitoring-hub/test/api-access", retentionInDays: 30, tags });
  });

  it("counts quoted ERROR and CRITICAL terms with a default value of 0", () => {
    expect(named("hub-logs-application-errors").inputs).toEqual({
      name: "monitoring-hub-application-errors-test",
      logGroupName: "/monitoring-hub/test/application",
      pattern: '"ERROR"',
      metricTransformation: { namespace: "MonitoringHub/test/Application", name: "ApplicationErrors", value: "1", defaultValue: "0", unit: "Count" },
    });
    expect(named("hub-logs-application-critical-errors").inputs).toEqual({
      name: "monitoring-hub-application-critical-errors-test",
      logGroupName: "/monitoring-hub/test/application",
      pattern: '"CRITICAL"',
      metricTransformation: {
        namespace: "MonitoringHub/test/Application",
        name: "ApplicationCriticalErrors",
        value: "1",
        defaultValue: "0",
        unit: "Count",
      },
    });
  });

  it("makes each filter depend on the application log group through its name", () => {
    const application = named("hub-logs-application");

    expect(ofType("aws:cloudwatch/logMetricFilter:LogMetricFilter")).toHaveLength(2);
    for (const filter of ofType("aws:cloudwatch/logMetricFilter:LogMetricFilter")) {
      expect(filter.propertyDependencies.logGroupName).toEqual([application.urn]);
    }
  });

  it("returns the metric references alarms and dashboards use", () => {
    expect({ namespace: metrics.namespace, errorMetric: metrics.errorMetric, criticalMetric: metrics.criticalMetric }).toEqual({
      namespace: "MonitoringHub/test/Application",
      errorMetric: { namespace: "MonitoringHub/test/Application", name: "ApplicationErrors" },
      criticalMetric: { namespace: "MonitoringHub/test/Application", name: "ApplicationCriticalErrors" },
    });
  });

  it("protects and retains nothing", () => {
    expect(monitor.recorded.size).toBe(5);
    for (const r of monitor.recorded.values()) expect(r.options).toMatchObject({ protect: false, retainOnDelete: false });
  });
});
