/**
 * The one reading of a command's arguments: node's parseArgs, with its errors turned into one line
 * in one form for every command (`--bogus: unknown option (did you mean --json?); see check --help`),
 * thrown as a UsageError (exit 2, errors.ts).
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "../errors.js";
import { closestKey } from "./issues.js";

export function argsError(command: string, e: unknown, optionNames: readonly string[]): UsageError {
  const err = e as { code?: string; message?: string };
  const message = err.message ?? String(e);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? "";
  const flag = quoted.split(" ")[0] ?? quoted;
  const help = `see ${command} --help`;
  switch (err.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const guess = closestKey(flag.replace(/^-+/, ""), optionNames);
      return new UsageError(`${flag}: unknown option${guess ? ` (did you mean --${guess}?)` : ""}; ${help}`);
    }
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (message.includes("does not take an argument")) return new UsageError(`${flag}: takes no value`);
      return new UsageError(
        `${flag}: needs a value (write ${flag}=VALUE if the value starts with '-'); ${help}`,
      );
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return new UsageError(`${quoted}: unexpected argument (${command} takes only options; ${help})`);
    default:
      return new UsageError(`${command}: ${message.split("\n")[0]}; ${help}`);
  }
}

/** parseArgs for `command` (strict, node's default), its errors as one UsageError line. */
export function parseCommandArgs<T extends ParseArgsConfig>(
  command: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    throw argsError(command, e, Object.keys(config.options ?? {}));
  }
}
