import { describeError } from "../../lambda_functions/jira-handler/logger";

describe("describeError", () => {
  it("keeps only name and message, dropping enumerable fields such as a request config", () => {
    const error = Object.assign(new Error("socket hang up"), { config: { headers: { Authorization: "Basic c2VjcmV0" } } });

    expect(describeError(error)).toEqual({ name: "Error", message: "socket hang up" });
  });

  it("names the cause", () => {
    expect(describeError(new Error("outer", { cause: new TypeError("inner") }))).toEqual({
      name: "Error",
      message: "outer",
      cause: { name: "TypeError", message: "inner" },
    });
  });

  it("describes a thrown non-error", () => {
    expect(describeError("boom")).toEqual({ name: "string", message: "boom" });
  });
});
