import type { JiraSettings } from "../../lib/config";

/** The JIRA settings the concern tests build the JIRA Lambda with: JIRA Cloud, project OPS, no resolve transition. */
export const TEST_JIRA_SETTINGS: JiraSettings = {
  baseUrl: "https://example.atlassian.net",
  api: "cloud",
  projectKey: "OPS",
  issueType: "Task",
  resolveOnOk: true,
  reopenWindowMinutes: 60,
  wontFixResolution: "Won't Do",
  commentCooldownMinutes: 15,
};
