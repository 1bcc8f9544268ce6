/** Proves the dependency edges the SDK registers for each form of a caller's dependsOn, plus the added ones. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { withDependsOn } from "../../lib/resource-options";
import { explicitDependencies, record, type RecordingMonitor } from "../../scripts/recorder";
import { TEST_PARENT_TYPE, TEST_STACK, testParent } from "../helpers/stack-context";

describe("withDependsOn", () => {
  let monitor: RecordingMonitor;
  const urnOf = (name: string): string => monitor.named(name).urn;
  const explicitDeps = (name: string): string[] => {
    const r = monitor.all().find((x) => x.name === name);
    return (r === undefined ? [] : explicitDependencies(r)).sort();
  };

  beforeAll(async () => {
    ({ monitor } = await record(
      () => {
        const parent = testParent();
        const [a, b, c] = ["a", "b", "c"].map((n) => new aws.sns.Topic(n, {}, { parent }));
        const queue = (name: string, opts: pulumi.CustomResourceOptions) => new aws.sqs.Queue(name, {}, withDependsOn(opts, [c]));
        queue("none", { parent });
        queue("array", { parent, dependsOn: [a, b] });
        queue("single", { parent, dependsOn: a });
        queue("output", { parent, dependsOn: pulumi.output([a, b]) });
      },
      TEST_STACK,
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
    const parent = monitor.all().find((r) => r.type === TEST_PARENT_TYPE)?.urn;

    expect(["none", "array", "single", "output"].map((n) => monitor.all().find((r) => r.name === n)?.parent)).toEqual(Array(4).fill(parent));
  });
});
