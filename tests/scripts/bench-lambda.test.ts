// The benchmark's pure helpers; the figures themselves are machine-dependent and never asserted.
import { parseArgs, quantile, spread, zipSize } from "../../scripts/bench-lambda";

describe("bench-lambda helpers", () => {
  it("takes nearest-rank quantiles", () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];

    expect([quantile(values, 0.5), quantile(values, 0.95), quantile(values, 0), quantile(values, 1)]).toEqual([5, 10, 1, 10]);
  });

  it("summarises a series as median and p95 rounded to 0.01 ms", () => {
    expect(spread([1.234, 2.345, 3.456])).toEqual({ count: 3, medianMs: 2.35, p95Ms: 3.46 });
  });

  it("refuses an empty series", () => {
    expect(() => quantile([], 0.5)).toThrow("quantile of an empty series");
  });

  it("sizes a one-entry zip as the deflated bytes plus headers, central directory and end record", () => {
    expect(zipSize("index.js", 1000)).toBe(1000 + 30 + 8 + 46 + 8 + 22);
  });

  it("parses --json and the counts, and rejects anything else", () => {
    expect(parseArgs(["--json", "--runs", "3", "--warm", "30", "--notifications", "100"])).toEqual({
      json: true,
      options: { runs: 3, warm: 30, notifications: 100 },
    });
    expect(parseArgs([])).toEqual({ json: false, options: { runs: 15, warm: 300, notifications: 1000 } });
    expect(() => parseArgs(["--runs", "zero"])).toThrow("--runs needs a positive whole number");
    expect(() => parseArgs(["--fast"])).toThrow("unknown argument --fast");
  });
});
