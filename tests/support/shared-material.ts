import * as path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

/**
 * Path of a file of the shared test material the repository keeps (`contracts/...`: the JIRA OpenAPI contract,
 * `fixtures/...`: the notification fixtures), so a bare checkout runs the tests.
 */
export function sharedPath(...parts: string[]): string {
  return path.join(REPO_ROOT, ...parts);
}
