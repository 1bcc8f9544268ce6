import { ConfigError } from "../../lib/config";
import { record } from "../../scripts/recorder";
import { readStackConfig } from "../../scripts/stack-config";

describe("a bad stack config", () => {
  it("fails with the config error before any resource is registered", async () => {
    const stackConfig = readStackConfig("dev");
    let error: unknown;

    const { monitor } = await record(
      () => {
        try {
          require("../../index");
        } catch (e) {
          error = e;
        }
      },
      { ...stackConfig, config: { ...stackConfig.config, "monitoring-hub:memberAccountIds": '["444455556666","12"]' } },
    );

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'monitoring-hub:memberAccountIds[1] "12" is not a 12-digit AWS account id. Fix: pulumi config set --path \'memberAccountIds[1]\' 444455556666',
      "monitoring-hub:memberAccountIds needs at least 3 member accounts (the hub needs at least 3). Fix: pulumi config set --path 'memberAccountIds[0]' 444455556666",
    ]);
    expect(monitor.recorded.size).toBe(0);
  });
});
