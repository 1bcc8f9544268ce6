/**
 * What the concern tests (tests/lib/<concern>.test.ts) hand a `create<Concern>(name, args, opts)` function in place of
 * MonitoringStack: the stack context it would build, a component to parent the children to, and the stack to record
 * under.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackContext } from "../../lib/naming";
import { MOCK_HUB_ACCOUNT_ID, MOCK_PARTITION, type RecordOptions } from "../../scripts/recorder";

/** The region of every concern test: what the recorder is told and what {@link testContext} says. */
export const TEST_REGION = "us-east-1";

/** Where the concern tests record (`record(program, TEST_STACK)`). */
export const TEST_STACK: RecordOptions = { project: "monitoring-hub", stack: "test", region: TEST_REGION };

/** The tags {@link testContext} gives by default: what `standardTags("test", {})` makes. */
export const TEST_TAGS: Readonly<Record<string, string>> = { project: "monitoring-hub", environment: "test" };

/** Type token of the component {@link testParent} registers. */
export const TEST_PARENT_TYPE = "monitoring-hub:test:Parent";

/** The component that stands in for MonitoringStack as the children's parent. Call it inside `record`'s program. */
export function testParent(): pulumi.ComponentResource {
  return new pulumi.ComponentResource(TEST_PARENT_TYPE, "hub");
}

/** Options of {@link testContext}. */
export interface TestContextOptions {
  /** @default "test" */
  readonly suffix?: string;
  /** @default {@link TEST_TAGS} */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Take the account id from the mocked `getCallerIdentity` invoke, made as a child of this resource, the way
   * MonitoringStack does.
   * @default the mocked hub account as a plain Output, without an invoke
   */
  readonly identityParent?: pulumi.Resource;
}

/** The StackContext MonitoringStack would build for the mocked hub account in {@link TEST_REGION}. */
export function testContext(options: TestContextOptions = {}): StackContext {
  const { suffix = "test", tags = TEST_TAGS, identityParent } = options;
  return {
    suffix,
    accountId:
      identityParent === undefined
        ? pulumi.output(MOCK_HUB_ACCOUNT_ID)
        : aws.getCallerIdentityOutput({}, { parent: identityParent }).accountId,
    region: TEST_REGION,
    partition: MOCK_PARTITION,
    tags,
  };
}
