/**
 * Proves the log groups and metric filters we send (names, retention, patterns, default values, parents, edges);
 * not that CloudWatch Logs matches the pattern as documented (FACTS 16-19 say how; `aws logs test-metric-filter`
 * would confirm it against the real service).
 */
import { LEVEL_FILTERS, createLogMetrics, termPattern, type LogMetrics } from "../../lib/log-metrics";
import { record, valueOf, type RecordingMonitor } from "../../scripts/recorder";
import { TEST_STACK, TEST_TAGS, testContext, testParent } from "../helpers/stack-context";

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

  beforeAll(async () => {
    const recorded = await record(
      () => {
        const parent = testParent();
        return { parent, metrics: createLogMetrics("hub-logs", { ctx: testContext() }, { parent }) };
      },
      TEST_STACK,
    );
    monitor = recorded.monitor;
    metrics = recorded.result.metrics;
    parentUrn = await valueOf(recorded.result.parent.urn);
  });

  it("creates exactly two log groups and two metric filters, all children of the parent", () => {
    const groups = monitor.ofType("aws:cloudwatch/logGroup:LogGroup");
    const filters = monitor.ofType("aws:cloudwatch/logMetricFilter:LogMetricFilter");

    expect(groups).toHaveLength(2);
    expect(filters).toHaveLength(2);
    expect([...groups, ...filters].map((r) => r.parent)).toEqual(Array(4).fill(parentUrn));
    expect(monitor.recorded.size).toBe(5);
  });

  it("keeps both log groups 30 days under the environment's prefix", () => {
    expect(monitor.named("hub-logs-application").inputs).toEqual({ name: "/monitoring-hub/test/application", retentionInDays: 30, tags: TEST_TAGS });
    expect(monitor.named("hub-logs-api-access").inputs).toEqual({ name: "/monitoring-hub/test/api-access", retentionInDays: 30, tags: TEST_TAGS });
  });

  it("counts quoted ERROR and CRITICAL terms with a default value of 0", () => {
    expect(monitor.named("hub-logs-application-errors").inputs).toEqual({
      name: "monitoring-hub-application-errors-test",
      logGroupName: "/monitoring-hub/test/application",
      pattern: '"ERROR"',
      metricTransformation: { namespace: "MonitoringHub/test/Application", name: "ApplicationErrors", value: "1", defaultValue: "0", unit: "Count" },
    });
    expect(monitor.named("hub-logs-application-critical-errors").inputs).toEqual({
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
    const application = monitor.named("hub-logs-application");

    expect(monitor.ofType("aws:cloudwatch/logMetricFilter:LogMetricFilter")).toHaveLength(2);
    for (const filter of monitor.ofType("aws:cloudwatch/logMetricFilter:LogMetricFilter")) {
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
