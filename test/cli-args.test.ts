/**
 * Every command reads its arguments one way (src/config/args.ts): a bad one is one line in one form,
 * naming the argument and where to look, thrown as a UsageError (exit 2), before anything starts.
 */
import { describe, expect, it } from "vitest";
import * as check from "../src/cli/commands/check.js";
import * as lab from "../src/cli/commands/lab.js";
import * as plan from "../src/cli/commands/plan.js";
import * as replicate from "../src/cli/commands/replicate.js";
import * as report from "../src/cli/commands/report.js";
import * as run from "../src/cli/commands/run.js";
import * as verify from "../src/cli/commands/verify.js";
import { EXIT, exitCodeOfError, UsageError } from "../src/errors.js";

const COMMANDS = { check, lab, plan, replicate, report, run, verify } as const;

async function refusal(cmd: keyof typeof COMMANDS, argv: string[]): Promise<Error> {
  const err = await COMMANDS[cmd].run(argv).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  return err as Error;
}

describe("command arguments", () => {
  for (const cmd of Object.keys(COMMANDS) as Array<keyof typeof COMMANDS>) {
    it(`${cmd}: an unknown option is one line naming it and ${cmd} --help`, async () => {
      const err = await refusal(cmd, ["--bogus"]);
      expect(err.message).toBe(`--bogus: unknown option; see ${cmd} --help`);
      expect(exitCodeOfError(err)).toBe(EXIT.usage);
    });
  }

  it("a near miss names the option meant, and a missing value says how to give one", async () => {
    expect((await refusal("check", ["--jsn", "dir"])).message).toBe(
      "--jsn: unknown option (did you mean --json?); see check --help",
    );
    expect((await refusal("verify", ["--source-uri"])).message).toBe(
      "--source-uri: needs a value (write --source-uri=VALUE if the value starts with '-'); see verify --help",
    );
    expect((await refusal("lab", ["extra"])).message).toBe(
      "extra: unexpected argument (lab takes only options; see lab --help)",
    );
  });

  it("replicate --only takes a side (scenario seed configures the standby, then the primary)", async () => {
    const err = await refusal("replicate", [
      "--config",
      "c.json",
      "--source-uri",
      "http://a",
      "--target-uri",
      "http://b",
      "--only",
      "both",
    ]);
    expect(err.message).toBe("--only both: not a side (allowed: primary, standby)");
  });
});
