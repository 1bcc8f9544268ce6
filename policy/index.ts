/**
 * The monitoring hub's CrossGuard policy pack: `pulumi preview --policy-pack policy` (README "Policy as code").
 *
 * Constructing the pack starts the analyzer's gRPC server, so nothing else may import this file; the policies live in
 * ./policies, which the tests run offline. The Pulumi CLI starts the pack with @pulumi/pulumi's run-policy-pack from
 * this directory, compiling this file with ts-node (./tsconfig.json) and resolving @pulumi/policy, @pulumi/pulumi,
 * typescript and ts-node from the repository's node_modules (`npm ci` at the root installs them).
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("monitoring-hub", { policies, enforcementLevel: "mandatory" });
