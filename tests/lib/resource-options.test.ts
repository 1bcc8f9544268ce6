/** Proves the dependency edges the SDK registers for each form of a caller's dependsOn, plus the added ones. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { withDependsOn } from "../../lib/resource-options";
import { record, type RecordingMonitor } from "../../scripts/recorder";

describe("withDependsOn", () => {
  let monitor: RecordingMonitor;
  const urnOf = (name: string): string => {
    const found = [...monitor.recorded.values()].filter((r) => r.name === name);
    expect(found).toHaveLength(1);
    return found[0].urn;
  };
  const explicitDeps = (name: string): string[] => {
    const r = [...monitor.recorded.values()].find((x) => x.name === name);
    const implicit = new Set(Object.values(r?.propertyDependencies ?? {}).flat());
    return (r?.dependencies ?? []).filter((urn) => !implicit.has(urn)).sort();
  };

  beforeAll(async () => {
    ({ monitor } = await record(
      () => {
        const parent = new pulumi.ComponentResource("test:index:Parent", "hub");
        const [a, b, c] = ["a", "b", "c"].map((n) => new aws.sns.Topic(n, {}, { parent }));
        const queue = (name: string, opts: pulumi.CustomResourceOptions) => new aws.sqs.Queue(name, {}, withDependsOn(opts, [c]));
        queue("none", { parent });
        queue("array", { parent, dependsOn: [a, b] });
        queue("single", { parent, dependsOn: a });
        queue("output", { parent, dependsOn: pulumi.output([a, b]) });
      },
      { project: "monitoring-hub", stack: "test", region: "us-east-1" },
    ));
  });

  it.each([
    ["none", ["c"]],
    ["array", ["a", "b", "c"]],
    ["single", ["a", "c"]],
    ["output", ["a", "b", "c"]],
  ])("keeps a caller's %s dependsOn and adds the new resources", (name, expected) => {
    expect(explicitDeps(name)).toEqual(expected.map(urnOf).sort());
  });

  it("keeps the parent", () => {
    const parent = [...monitor.recorded.values()].find((r) => r.type === "test:index:Parent")?.urn;

    expect(["none", "array", "single", "output"].map((n) => [...monitor.recorded.values()].find((r) => r.name === n)?.parent)).toEqual(Array(4).fill(parent));
  });
});
